// A GCP sandbox (sandbox: true): the primary file for a test project, without frameworks and with
// a short retention. `pulumi destroy` must be able to remove it, so nothing is locked, protected or
// retained; every other guarantee stays as it is on a real stack.
import { beforeAll, expect, it } from "vitest";
import { SANDBOX_TAG } from "../../../policies/shared/conventions";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-east4", { config: { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 14 } } });
});

const DAY = 86_400;

it("keeps the archive's retention short and unlocked, and marks it a sandbox store", () => {
  const archive = run.one("gcp:storage/bucket:Bucket", "archive");
  expect(archive.inputs.retentionPolicy).toEqual({ retentionPeriod: String(14 * DAY), isLocked: false });
  expect(archive.inputs.labels).toMatchObject({ "journal-store": "archive", [SANDBOX_TAG]: "true" });
});

it("lets destroy delete every bucket with its objects, and the log bucket, which is not locked", () => {
  for (const bucket of run.ofType("gcp:storage/bucket:Bucket")) expect(bucket.inputs.forceDestroy, bucket.name).toBe(true);
  const logBucket = run.one("gcp:logging/projectBucketConfig:ProjectBucketConfig").inputs;
  expect(logBucket).toMatchObject({ locked: false, retentionDays: 365 });
});

it("protects and retains nothing, the keys included", () => {
  const kept = run.resources.filter((r) => r.options.protect || r.options.retainOnDelete).map((r) => r.name);
  expect(kept).toEqual([]);
  expect(run.ofType("gcp:kms/cryptoKey:CryptoKey")).toHaveLength(1);
});

it("weakens nothing else: every bucket private and under the stack's HSM key with soft delete, access audited, the build account in place", () => {
  for (const bucket of run.ofType("gcp:storage/bucket:Bucket")) {
    expect(bucket.inputs, bucket.name).toMatchObject({ uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", softDeletePolicy: { retentionDurationSeconds: 90 * DAY }, versioning: { enabled: false } });
    expect(bucket.inputs.encryption.defaultKmsKeyName, bucket.name).toMatch(/cryptoKeys\/archive$/);
  }
  expect(run.one("gcp:kms/cryptoKey:CryptoKey").inputs).toMatchObject({ rotationPeriod: `${365 * DAY}s`, versionTemplate: { protectionLevel: "HSM" }, destroyScheduledDuration: `${120 * DAY}s` });
  expect(run.ofType("gcp:projects/iAMAuditConfig:IAMAuditConfig")).toHaveLength(2);
  for (const f of run.ofType("gcp:cloudfunctionsv2/function:Function")) expect(f.inputs.buildConfig.serviceAccount, f.name).toMatch(/ej-build-gcp-us-east4@/);
  for (const s of run.ofType("gcp:pubsub/subscription:Subscription")) expect(s.inputs.expirationPolicy, s.name).toEqual({ ttl: "" });
});
