// Who the auditor acts as, at each cloud's SDK boundary: the AWS STS client (mocked), a Google
// source credential whose requests are captured (the real Impersonated client builds them), and an
// Entra token credential. The trail names the person behind the role, account or token.
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { mockClient } from "aws-sdk-client-mock";
import { OAuth2Client } from "google-auth-library";
import { afterEach, describe, expect, it } from "vitest";
import { assumeArchiveRole, azureActor, impersonateArchiveAccount, personOf, sessionNameFor } from "../../../functions/auditor/identity";

const ACCOUNT = "111122223333";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/journal-aws-us-east-1-auditor-1a2b3c`;
const MFA_SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/alice-phone`;

describe("AWS: the stack's role, assumed with MFA, in a session named for the person", () => {
  const sts = new STSClient({ region: "us-east-1", credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" } });
  const mock = mockClient(sts);
  afterEach(() => mock.reset());

  function signedInAs(arn: string) {
    mock.on(GetCallerIdentityCommand).resolves({ Arn: arn, Account: ACCOUNT, UserId: "AIDAFAKE" });
    mock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "ASIAROLE", SecretAccessKey: "role-secret", SessionToken: "role-token", Expiration: new Date(Date.now() + 3600_000) } });
  }

  it("sends SerialNumber and TokenCode with AssumeRole, and names the session and the actor for the IAM user", async () => {
    signedInAs(`arn:aws:iam::${ACCOUNT}:user/alice`);
    const session = await assumeArchiveRole(sts, ROLE, { serial: MFA_SERIAL, code: "123456" });
    expect(mock.commandCalls(AssumeRoleCommand)[0].args[0].input).toEqual({ RoleArn: ROLE, RoleSessionName: "alice", SerialNumber: MFA_SERIAL, TokenCode: "123456", DurationSeconds: 3600 });
    expect(session.actor).toBe(`arn:aws:iam::${ACCOUNT}:user/alice as ${ROLE}`);
    expect(session.credentials).toMatchObject({ accessKeyId: "ASIAROLE", secretAccessKey: "role-secret", sessionToken: "role-token" });
  });

  it("names an SSO user's session by their sign-in, and asks for the code on a terminal", async () => {
    signedInAs(`arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Auditors_0123456789abcdef/alice.smith@example.com`);
    const asked: string[] = [];
    await assumeArchiveRole(sts, ROLE, { serial: MFA_SERIAL, prompt: async (q) => (asked.push(q), " 654321\n") });
    expect(asked).toEqual([`MFA code for ${MFA_SERIAL}: `]);
    expect(mock.commandCalls(AssumeRoleCommand)[0].args[0].input).toMatchObject({ RoleSessionName: "alice.smith@example.com", TokenCode: "654321" });
  });

  it("keeps a session name within STS's characters and 64-character limit", () => {
    expect(sessionNameFor("José Müller (contractor)/x")).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(sessionNameFor("a".repeat(80))).toHaveLength(64);
    expect(personOf(`arn:aws:iam::${ACCOUNT}:user/team/bob`)).toBe("bob");
    expect(() => personOf("alice")).toThrow(/not an IAM or STS principal ARN/);
  });

  it("refuses without a device, without a code and no terminal, or with a code that is not six digits", async () => {
    signedInAs(`arn:aws:iam::${ACCOUNT}:user/alice`);
    await expect(assumeArchiveRole(sts, ROLE, { code: "123456" })).rejects.toThrow(/set JOURNAL_MFA_SERIAL to the ARN of your MFA device/);
    await expect(assumeArchiveRole(sts, ROLE, { serial: MFA_SERIAL })).rejects.toThrow(/set JOURNAL_MFA_CODE to the current code of .* \(there is no terminal to ask on\)/);
    await expect(assumeArchiveRole(sts, ROLE, { serial: MFA_SERIAL, code: "12345" })).rejects.toThrow(/six digits; got "12345"/);
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it("says who could not assume which role when AWS refuses", async () => {
    mock.on(GetCallerIdentityCommand).resolves({ Arn: `arn:aws:iam::${ACCOUNT}:user/mallory` });
    mock.on(AssumeRoleCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));
    await expect(assumeArchiveRole(sts, ROLE, { serial: MFA_SERIAL, code: "123456" })).rejects.toThrow(`arn:aws:iam::${ACCOUNT}:user/mallory could not assume ${ROLE} (AccessDenied)`);
  });
});

type RequestOptions = Parameters<OAuth2Client["request"]>[0];

/** A signed-in Google user: its token is fixed, tokeninfo says whose it is, and its requests are recorded and answered. */
class SignedInUser extends OAuth2Client {
  readonly sent: RequestOptions[] = [];
  constructor(private readonly signedInEmail: string | undefined) {
    super();
    this.credentials = { access_token: "user-token", expiry_date: Date.now() + 3600_000 };
    // What the IAM Credentials API would answer; the request itself is kept to be checked.
    this.request = (async (options: RequestOptions) => {
      this.sent.push(options);
      return { data: { accessToken: "impersonated-token", expireTime: new Date(Date.now() + 3600_000).toISOString() } };
    }) as unknown as OAuth2Client["request"];
  }
  override async getTokenInfo(token: string) {
    expect(token).toBe("user-token");
    return { email: this.signedInEmail, scopes: [], expiry_date: Date.now() + 3600_000, aud: "x" } as never;
  }
}

describe("GCP: the stack's service account, impersonated by the person signed in", () => {
  const AUDITOR = "ej-auditor-gcp-us-central1@journal-project.iam.gserviceaccount.com";

  it("asks IAM Credentials for a token of that account, for storage, for an hour, and names the person", async () => {
    const user = new SignedInUser("alice@example.com");
    const { authClient, actor } = await impersonateArchiveAccount(user, AUDITOR);
    expect(actor).toBe(`alice@example.com as ${AUDITOR}`);
    expect(authClient.getTargetPrincipal()).toBe(AUDITOR);
    expect((await authClient.getAccessToken()).token).toBe("impersonated-token");
    expect(user.sent).toHaveLength(1);
    expect(user.sent[0]).toMatchObject({
      method: "POST",
      url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${AUDITOR}:generateAccessToken`,
      data: { scope: ["https://www.googleapis.com/auth/devstorage.read_write"], lifetime: "3600s", delegates: [] },
    });
  });

  it("refuses a credential that does not say whose it is, and a name that is not a service account", async () => {
    await expect(impersonateArchiveAccount(new SignedInUser(undefined), AUDITOR)).rejects.toThrow(/does not say whose it is/);
    await expect(impersonateArchiveAccount(new SignedInUser("alice@example.com"), "alice@example.com")).rejects.toThrow(/is not a service account e-mail/);
  });
});

describe("Azure: the signed-in Entra identity", () => {
  const jwt = (claims: Record<string, string>) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
  const credential = (token: string | Error): TokenCredential => ({
    getToken: async (scope): Promise<AccessToken> => {
      expect(scope).toBe("https://storage.azure.com/.default");
      if (token instanceof Error) throw token;
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  });

  it("names a user by sign-in and object id, and a service principal by its app id", async () => {
    expect(await azureActor(credential(jwt({ upn: "alice@contoso.example", oid: "0000-a1" })))).toBe("azure:alice@contoso.example (object id 0000-a1)");
    expect(await azureActor(credential(jwt({ appid: "11111111-2222", oid: "0000-b2" })))).toBe("azure:11111111-2222 (object id 0000-b2)");
  });

  it("says to sign in when no credential is found", async () => {
    await expect(azureActor(credential(Object.assign(new Error("no credential"), { name: "CredentialUnavailableError" })))).rejects.toThrow(/not signed in to Azure \(CredentialUnavailableError\): run az login/);
  });
});
