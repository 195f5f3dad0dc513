// The pack as `pulumi preview` runs it before anything exists: every value the cloud computes
// (ids, ARNs) is unknown, as is every input built from one. The rules must not crash, must fail
// closed on what is literal (retention, lock, key rotation), and may defer only what cannot be known.
import { beforeAll, expect, it } from "vitest";
import { evaluate } from "../../../infra/policyCheck/evaluate";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { resourcePolicies, stackPolicies } from "../../../policies/policies";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1", { preview: true });
});
const pack = { resource: resourcePolicies, stack: stackPolicies };

it("reports no mandatory violation, and defers only policy documents that name a key or role not yet created", async () => {
  const found = await evaluate(run.resources, pack);
  expect(found.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  const deferred = new Set(found.map((v) => v.policy));
  expect([...deferred].sort()).toEqual([
    "aws-iam-no-destructive-actions",
    "aws-iam-resource-wildcard-only-where-required",
    "aws-kms-key-admins-no-data",
    "aws-policy-no-wildcards",
    "aws-s3-archive-bucket-policy",
    "aws-s3-tls-only",
  ]);
  for (const v of found) expect(v.message).toMatch(/: can't run during preview: string value at \.(policy|assumeRolePolicy) /);
});

it("still catches a shortened, unlocked or unrotated archive at preview", async () => {
  const broken = run.resources.map((r) => {
    if (r.type === "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration" && r.name.includes("archive"))
      return { ...r, inputs: { ...r.inputs, rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } } };
    if (r.type === "aws:kms/key:Key") return { ...r, inputs: { ...r.inputs, enableKeyRotation: false } };
    return r;
  });
  const policies = (await evaluate(broken, pack)).filter((v) => v.enforcementLevel === "mandatory").map((v) => v.message);
  expect(policies).toEqual(
    expect.arrayContaining([expect.stringContaining('rule.defaultRetention.mode is "GOVERNANCE"'), expect.stringContaining("rule.defaultRetention.days is 30"), expect.stringContaining("enableKeyRotation is false")]),
  );
});

it("sees the archive and its companions by name, as the stack rules need", () => {
  const archive = run.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name.includes("archive"))!;
  const lock = run.resources.find((r) => r.type === "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration" && r.name.includes("archive"))!;
  expect(lock.inputs.bucket).toBe(archive.inputs.bucket);
  expect(archive.inputs.bucket).toMatch(/^ej-archive-/);
});
