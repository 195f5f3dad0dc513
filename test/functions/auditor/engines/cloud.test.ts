// Which engine `search` uses on a cloud archive: the stack's own when its outputs name one, opened in
// the session the store was opened with (one MFA code), and the scan otherwise; a hold admin gets none.
import { AthenaClient } from "@aws-sdk/client-athena";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { auditorTargetResolver, stackTarget, type StackOutputsReader } from "../../../../functions/auditor/target";

const AWS_OUTPUTS = {
  region: "us-east-1",
  archiveBucketArn: "arn:aws:s3:::ej-archive-1",
  archiveBucketName: "ej-archive-1",
  archiveKmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k1",
  auditorRoleArn: "arn:aws:iam::111122223333:role/auditor",
  holdAdminRoleArn: "arn:aws:iam::111122223333:role/hold-admin",
};
const SEARCH_OUTPUTS = { searchWorkgroup: "email-journal-prod", searchDatabase: "email_journal_prod", searchTable: "sidecars" };
const reader = (outputs: Record<string, unknown>): StackOutputsReader => ({ read: async () => outputs });

function signedIn() {
  const sts = new STSClient({ region: "us-east-1", credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" } });
  const mock = mockClient(sts);
  mock.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:iam::111122223333:user/alice" });
  mock.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date(Date.now() + 3600_000) } });
  return { sts, mock };
}

describe("the engine a stack's search uses", () => {
  it("reads the stack's Athena outputs for the auditor, and none for the hold admin", async () => {
    expect(await stackTarget("prod", "audit", reader({ ...AWS_OUTPUTS, ...SEARCH_OUTPUTS }))).toMatchObject({ athena: { workgroup: "email-journal-prod", database: "email_journal_prod", table: "sidecars" } });
    expect(await stackTarget("prod", "hold", reader({ ...AWS_OUTPUTS, ...SEARCH_OUTPUTS }))).not.toHaveProperty("athena");
    expect(await stackTarget("prod", "audit", reader(AWS_OUTPUTS))).not.toHaveProperty("athena");
  });

  it("is Athena, as the assumed role, when the stack has it; the role is assumed once", async () => {
    const { sts, mock } = signedIn();
    const athenaConfigs: unknown[] = [];
    const resolve = auditorTargetResolver(reader({ ...AWS_OUTPUTS, ...SEARCH_OUTPUTS }), {
      sts: () => sts,
      athena: (config) => (athenaConfigs.push(config), new AthenaClient(config)),
    });
    const resolution = await resolve({ stack: "prod", role: "auditor" }, { JOURNAL_MFA_SERIAL: "arn:aws:iam::111122223333:mfa/alice", JOURNAL_MFA_CODE: "123456" });
    expect(resolution.engine?.name).toBe("athena");
    expect(athenaConfigs).toEqual([{ region: "us-east-1", credentials: expect.objectContaining({ accessKeyId: "ASIA", secretAccessKey: "s", sessionToken: "t" }) }]);
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it("is the scan (no engine) for a stack without search outputs, and for a hold admin", async () => {
    for (const [outputs, role] of [[AWS_OUTPUTS, "auditor"], [{ ...AWS_OUTPUTS, ...SEARCH_OUTPUTS }, "hold-admin"]] as const) {
      const { sts } = signedIn();
      const resolution = await auditorTargetResolver(reader(outputs), { sts: () => sts })({ stack: "prod", role }, { JOURNAL_MFA_SERIAL: "arn:aws:iam::111122223333:mfa/alice", JOURNAL_MFA_CODE: "123456" });
      expect(resolution.engine).toBeUndefined();
    }
  });
});
