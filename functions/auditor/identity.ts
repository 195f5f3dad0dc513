// Who an auditor acts as on each cloud, and the name the archive's trail records for them. The
// stacks grant the auditor's and hold admin's rights to a role or account, never to people
// directly; the person is the one signed in, and every act names them, not just the role.
//   - AWS: assume the stack's auditor (or hold-admin) role with MFA; the session is named for the person.
//   - Azure: the signed-in Entra identity itself (its role assignments are on the archive container).
//   - GCP: impersonate the stack's auditor (or hold-admin) service account as the signed-in person.
import { createInterface } from "node:readline/promises";
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { TokenCredential } from "@azure/identity";
import { type AuthClient, Impersonated, OAuth2Client } from "google-auth-library";

// ---- AWS ----------------------------------------------------------------------------------------

export interface AwsSession {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string; readonly expiration?: Date };
  /** `<the person's own ARN> as <role ARN>`: what the trail records as the actor. */
  readonly actor: string;
}

export interface MfaInput {
  /** The ARN (or serial number) of the person's MFA device: JOURNAL_MFA_SERIAL. */
  readonly serial?: string;
  /** The device's current code: JOURNAL_MFA_CODE. Asked for on a terminal when absent. */
  readonly code?: string;
  /** Asks the person at a terminal; absent when there is none. */
  readonly prompt?: (question: string) => Promise<string>;
}

/** The person an AWS principal ARN names: the IAM user, or the session of an assumed role (an SSO user's name or e-mail). */
export function personOf(arn: string): string {
  const resource = /^arn:aws[\w-]*:(?:iam|sts)::\d{12}:(.+)$/.exec(arn)?.[1];
  if (!resource) throw new Error(`"${arn}" is not an IAM or STS principal ARN`);
  if (resource === "root") return "root";
  return resource.split("/").pop()!;
}

/** The ARN the default credentials belong to (sts:GetCallerIdentity needs no permission). */
export async function awsCaller(sts: STSClient): Promise<string> {
  let arn: string | undefined;
  try {
    arn = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } catch (err) {
    throw new Error(`no AWS credentials to start from (${(err as Error).name ?? "Error"}): sign in first (aws sso login, or AWS_PROFILE)`, { cause: err });
  }
  if (!arn) throw new Error("sts:GetCallerIdentity named no caller");
  return arn;
}

/** A RoleSessionName for the person: 2-64 of [\w+=,.@-] (AWS STS API Reference, AssumeRole, RoleSessionName). */
export function sessionNameFor(person: string): string {
  const name = person.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return name.length >= 2 ? name : `${name}--`.slice(0, 2);
}

const MFA_CODE = /^\d{6}$/;

/**
 * Assumes `roleArn` as the person the default credentials belong to, with MFA: the stack's trust
 * policies allow people only with aws:MultiFactorAuthPresent, which AssumeRole sets only when the
 * request carries SerialNumber and TokenCode (AWS STS API Reference, AssumeRole; IAM User Guide,
 * "Configuring MFA-protected API access"). A role chained from another role's session carries no
 * MFA of its own, so the code is asked for even after an SSO sign-in.
 */
export async function assumeArchiveRole(sts: STSClient, roleArn: string, mfa: MfaInput): Promise<AwsSession> {
  const caller = await awsCaller(sts);
  const person = personOf(caller);
  if (!mfa.serial) throw new Error(`${roleArn} needs MFA: set JOURNAL_MFA_SERIAL to the ARN of your MFA device (aws iam list-mfa-devices shows it)`);
  const code = (mfa.code ?? (mfa.prompt ? await mfa.prompt(`MFA code for ${mfa.serial}: `) : undefined))?.trim();
  if (code === undefined) throw new Error(`${roleArn} needs MFA: set JOURNAL_MFA_CODE to the current code of ${mfa.serial} (there is no terminal to ask on)`);
  if (!MFA_CODE.test(code)) throw new Error(`an MFA code is six digits; got "${code}"`);
  let answer;
  try {
    answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionNameFor(person), SerialNumber: mfa.serial, TokenCode: code, DurationSeconds: 3600 }));
  } catch (err) {
    throw new Error(`${caller} could not assume ${roleArn} (${(err as Error).name ?? "Error"}): is it among the stack's auditors or hold admins, and was the MFA code current?`, { cause: err });
  }
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
  return {
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(c.Expiration ? { expiration: c.Expiration } : {}) },
    actor: `${caller} as ${roleArn}`,
  };
}

/** Asks on the terminal (prompt on stderr, so that output piped elsewhere stays clean); undefined without one. */
export function terminalPrompt(): ((question: string) => Promise<string>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}

// ---- Azure --------------------------------------------------------------------------------------

/** Storage's token audience (Azure Storage, "Authorize access to blobs using Microsoft Entra ID"). */
const STORAGE_SCOPE = "https://storage.azure.com/.default";

/** The claims of a JWT, unverified: the token is our own, just issued to us; we only read who it names. */
function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("the Entra access token is not a JWT");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The signed-in Entra identity, as the trail names it: its sign-in name (or app id) and object id. */
export async function azureActor(credential: TokenCredential): Promise<string> {
  let token;
  try {
    token = await credential.getToken(STORAGE_SCOPE);
  } catch (err) {
    throw new Error(`not signed in to Azure (${(err as Error).name ?? "Error"}): run az login, or set the environment DefaultAzureCredential reads`, { cause: err });
  }
  if (!token) throw new Error("not signed in to Azure: run az login");
  const claims = claimsOf(token.token);
  const name = [claims.upn, claims.preferred_username, claims.unique_name, claims.email, claims.appid].find((v): v is string => typeof v === "string" && v.length > 0);
  const oid = typeof claims.oid === "string" ? claims.oid : undefined;
  if (!name && !oid) throw new Error("the Entra token names nobody (no upn, preferred_username, appid or oid claim)");
  return `azure:${name ?? oid}${oid && name ? ` (object id ${oid})` : ""}`;
}

// ---- GCP ----------------------------------------------------------------------------------------

/** Read and write objects: what the auditor's and hold admin's roles then narrow (Cloud Storage OAuth 2.0 scopes). */
const STORAGE_READ_WRITE = "https://www.googleapis.com/auth/devstorage.read_write";

export interface GcpImpersonation {
  readonly authClient: Impersonated;
  /** `<the person's e-mail> as <service account>`. */
  readonly actor: string;
}

/** The e-mail of the signed-in credential: a service account key names it; a user's token says it when asked (tokeninfo). */
export async function googlePerson(source: AuthClient): Promise<string> {
  const own = (source as { email?: unknown }).email;
  if (typeof own === "string" && own) return own;
  const { token } = await source.getAccessToken();
  if (!token) throw new Error("the signed-in Google credential gave no access token: run gcloud auth application-default login");
  const info = await (source instanceof OAuth2Client ? source : new OAuth2Client()).getTokenInfo(token);
  if (!info.email) throw new Error("the signed-in Google credential does not say whose it is (its token has no e-mail): sign in with gcloud auth application-default login, which grants the userinfo.email scope");
  return info.email;
}

/**
 * Impersonates `serviceAccount` as the signed-in person: generateAccessToken on that account, which
 * needs roles/iam.serviceAccountTokenCreator on it (infra/gcp/access.ts grants it to the stack's
 * auditors or hold admins only; IAM docs, "Create short-lived credentials for a service account").
 */
export async function impersonateArchiveAccount(source: AuthClient, serviceAccount: string): Promise<GcpImpersonation> {
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$/.test(serviceAccount)) {
    throw new Error(`"${serviceAccount}" is not a service account e-mail (name@project.iam.gserviceaccount.com)`);
  }
  const person = await googlePerson(source);
  const authClient = new Impersonated({ sourceClient: source, targetPrincipal: serviceAccount, targetScopes: [STORAGE_READ_WRITE], lifetime: 3600, delegates: [] });
  return { authClient, actor: `${person} as ${serviceAccount}` };
}
