// The pack's Azure rules on an Azure sandbox (sandbox: true, no frameworks, short retention): what a
// sandbox may do so that `pulumi destroy` removes it (Unlocked immutability, an unprotected key, an
// unlocked backup vault, short backups) is not reported by them; the same change on a real stack is
// (azure-eastus2.test.ts). The shared stack rules' handling of sandbox stores is the shared sandbox rule's.
import { beforeAll, expect, it } from "vitest";
import { azurePolicies, azureStackPolicies } from "../../../policies/azure";
import { evaluate } from "../../../infra/policyCheck/evaluate";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("azure-eastus2", { config: { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 14, mode: "governance" } } });
});

const pack = { resource: azurePolicies, stack: azureStackPolicies };

it("reports nothing from the Azure rules on a sandbox", async () => {
  expect(await evaluate(run.resources, pack)).toEqual([]);
});

it("still reports what a sandbox may not weaken", async () => {
  const weakened = run.resources.map((r) =>
    r.type === "azure-native:storage:StorageAccount" && r.name.endsWith("-inbox") ? { ...r, inputs: { ...r.inputs, allowSharedKeyAccess: true } } : r,
  );
  const found = await evaluate(weakened, pack);
  expect(found.map((v) => [v.policy, v.message])).toEqual([
    ["azure-storage-account-hardened", "journal-inbox: allowSharedKeyAccess is true; set false: only Entra ID identities, whose access is audited and revocable"],
  ]);
});
