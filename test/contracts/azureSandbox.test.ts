// The Azure contracts on a sandbox stack: every call is granted as in a stack for records; the lifecycle contracts
// do not ask a sandbox to outlive `pulumi destroy` (docs/azure.md lists what Azure still makes wait).
import { beforeAll, expect, it } from "vitest";
import { DEPLOYER_ACTIONS, RESOURCE_PROVIDERS } from "../../infra/preflight/azure";
import { runProgram } from "../../infra/policyCheck/mockRun";
import { AZURE_CONTRACTS, verdict } from "./azureContracts";
import type { AzurePlan } from "./azurePlan";

let plan: AzurePlan;
beforeAll(async () => {
  const run = await runProgram("azure-eastus2", { config: { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 7, mode: "governance" } },
  });
  plan = { resources: run.resources, deployerActions: DEPLOYER_ACTIONS.map((d) => d.action), providers: [...RESOURCE_PROVIDERS] };
});

it.each(AZURE_CONTRACTS.map((c) => [c.id, c] as const))("%s", (_id, c) => {
  const message = verdict(c, plan);
  if (message) throw new Error(message);
});

it("keeps nothing past destroy, which is what the lifecycle contracts exempt sandboxes from", () => {
  expect(plan.resources.filter((r) => r.options.protect || r.options.retainOnDelete)).toEqual([]);
});
