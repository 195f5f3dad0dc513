// The pack on an Azure stack's first `pulumi up`, before Azure lets retention be locked: nothing
// mandatory blocks it, and every run says the retention is not locked yet.
import { expect, it } from "vitest";
import { evaluate } from "../../../infra/policyCheck/evaluate";
import { runProgram } from "../../../infra/policyCheck/mockRun";
import { resourcePolicies, stackPolicies } from "../../../policies/policies";

it("passes, with an advisory naming each store whose retention the next run locks", async () => {
  const run = await runProgram("azure-eastus2", { firstDeployment: true });
  const found = await evaluate(run.resources, { resource: resourcePolicies, stack: stackPolicies });
  expect(found.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  expect(found.map((v) => [v.policy, v.message.split(":")[0]]).sort()).toEqual([
    ["retention-lock-pending", "journal-archive"],
    ["retention-lock-pending", "journal-audit-logs"],
    ["retention-lock-pending", "journal-backup-vault"],
  ]);
});
