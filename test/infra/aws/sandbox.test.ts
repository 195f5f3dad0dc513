// A sandbox stack (email-journal:sandbox) on AWS: governance-mode Object Lock with the short
// retention, nothing Pulumi-protected or retained, buckets force-destroyable, and nothing else
// weakened: the same denies, key policy, trail and alarms as a stack for records.
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, doc, type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";

const SANDBOX = {
  "email-journal:sandbox": true,
  "email-journal:frameworks": [],
  "email-journal:retention": { minimumDays: 7, mode: "governance" },
};

let run: ProgramRun;
beforeAll(async () => {
  // A sandbox is a stack of its own: deployed for the first time.
  run = await runProgram("aws-us-east-1", { firstDeployment: true, config: SANDBOX });
}, 60_000);

const bucket = (part: string) => `ej-${part}-${ACCOUNT}-us-east-1-aws-us-east-1`;
const companion = (type: string, part: string) => run.ofType(type).find((r) => r.inputs.bucket === bucket(part))!;

describe("a sandbox on AWS", () => {
  it("locks the archive and the trail's logs in governance mode for the sandbox's few days", () => {
    for (const part of ["archive", "trail"]) {
      expect(companion("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", part).inputs.rule.defaultRetention, part).toEqual({ mode: "GOVERNANCE", days: 7 });
    }
    expect(run.one("aws:backup/vaultLockConfiguration:VaultLockConfiguration").inputs).not.toHaveProperty("changeableForDays");
  });

  it("protects and retains nothing Pulumi would keep on destroy, and lets S3 empty every bucket", () => {
    for (const type of ["aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:backup/vault:Vault", "aws:s3/bucketPolicy:BucketPolicy"]) {
      for (const r of run.ofType(type)) expect(r.options, r.name).not.toMatchObject({ protect: true });
    }
    for (const r of [...run.ofType("aws:s3/bucket:Bucket"), run.one("aws:kms/key:Key"), run.one("aws:backup/vault:Vault")]) expect(r.options.retainOnDelete, r.name).toBeUndefined();
    for (const r of run.ofType("aws:s3/bucket:Bucket")) expect(r.inputs.forceDestroy, r.name).toBe(true);
    expect(run.one("aws:backup/vault:Vault").inputs.forceDestroy).toBe(true);
    // Versioning and the lock on an Object Lock bucket are still let go of, not deleted: S3 refuses to undo them.
    expect(companion("aws:s3/bucketVersioning:BucketVersioning", "archive").options.retainOnDelete).toBe(true);
  });

  it("marks its archive, trail bucket, key and vault as a sandbox's for the policy pack", () => {
    expect(run.one("aws:s3/bucket:Bucket", "journal-archive").inputs.tags).toMatchObject({ "journal-store": "archive", "journal-sandbox": "true" });
    for (const r of [run.one("aws:s3/bucket:Bucket", "trail"), run.one("aws:kms/key:Key"), run.one("aws:backup/vault:Vault")]) expect(r.inputs.tags, r.name).toEqual({ "journal-sandbox": "true" });
    expect(run.one("aws:s3/bucket:Bucket", "inbox").inputs.tags).toBeUndefined();
  });

  it("weakens nothing else: the same denies, key policy and trail as a stack for records", () => {
    const policy = doc(companion("aws:s3/bucketPolicy:BucketPolicy", "archive").inputs.policy).Statement.map((s) => s.Sid);
    expect(policy).toEqual(["DenyInsecureTransport", "DenyTlsBelow12", "DenyUploadsWithoutKms", "DenyUploadsUnderAnotherKey", "DenyDeletesAndRetentionChanges", "DenyLockAndPolicyChanges"]);
    expect(run.one("aws:kms/key:Key").inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(run.one("aws:cloudtrail/trail:Trail").inputs).toMatchObject({ enableLogFileValidation: true, isMultiRegionTrail: true });
    // Audit logs are kept a year, however short the sandbox's retention.
    for (const group of run.ofType("aws:cloudwatch/logGroup:LogGroup")) expect(group.inputs.retentionInDays, group.name).toBe(365);
  });
});
