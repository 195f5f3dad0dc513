// The Azure contracts hold on the standby too: a standby with intake disabled and no replication
// of its own still encrypts, audits, backs up and grants exactly as documented.
import { beforeAll, it } from "vitest";
import { DEPLOYER_ACTIONS, RESOURCE_PROVIDERS } from "../../infra/preflight/azure";
import { runProgram } from "../../infra/policyCheck/mockRun";
import { AZURE_CONTRACTS, verdict } from "./azureContracts";
import type { AzurePlan } from "./azurePlan";

let plan: AzurePlan;
beforeAll(async () => {
  const run = await runProgram("azure-centralus");
  plan = { resources: run.resources, deployerActions: DEPLOYER_ACTIONS.map((d) => d.action), providers: [...RESOURCE_PROVIDERS] };
});

it.each(AZURE_CONTRACTS.map((c) => [c.id, c] as const))("%s", (_id, c) => {
  const message = verdict(c, plan);
  if (message) throw new Error(message);
});
