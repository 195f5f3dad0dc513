// The provider contracts on the GCP prod stack (a primary replicating into dr by Storage Transfer).
import { beforeAll, describe, expect, it } from "vitest";
import { ACCESS_CONTRACTS } from "./gcpContracts";
import { contractsHold, type PlannedStack, planStack } from "./gcpSuite";

let planned: PlannedStack;
beforeAll(async () => {
  planned = await planStack("prod");
});

contractsHold("prod", () => planned);

describe("on a primary, every access contract has something to check", () => {
  it.each(ACCESS_CONTRACTS.map((c) => [c.id, c] as const))("%s", (_id, contract) => {
    expect(contract.needs(planned.context()).length).toBeGreaterThan(0);
  });
});
