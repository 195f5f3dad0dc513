// The pack's GCP rules on a GCP sandbox (sandbox: true, no frameworks, short retention): what a
// sandbox may do so that `pulumi destroy` removes it (force-destroyable buckets, unprotected keys, an
// unlocked log bucket) is not reported by them; the same change on a real stack is (gcp-us-east4.test.ts).
import { beforeAll, expect, it } from "vitest";
import { evaluate } from "../../../infra/policyCheck/evaluate";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { gcpPolicies, gcpStackPolicies } from "../../../policies/gcp";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-east4", { config: { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 14 } } });
});

it("reports nothing from the GCP rules on a sandbox", async () => {
  expect(await evaluate(run.resources, { resource: gcpPolicies, stack: gcpStackPolicies })).toEqual([]);
});

it("still reports what a sandbox may not weaken", async () => {
  const opened = run.resources.map((r) => (r.type === "gcp:storage/bucket:Bucket" && r.name.includes("inbox") ? { ...r, inputs: { ...r.inputs, publicAccessPrevention: "inherited" } } : r));
  const found = await evaluate(opened, { resource: gcpPolicies, stack: gcpStackPolicies });
  expect(found.map((v) => [v.policy, v.message])).toEqual([["gcp-storage-bucket-hardened", 'journal-inbox: publicAccessPrevention is "inherited"; set "enforced"']]);
});
