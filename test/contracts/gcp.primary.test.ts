// The provider contracts on the GCP primary (a primary replicating into its standby by Storage Transfer).
import { beforeAll, describe, expect, it } from "vitest";
import { ACCESS_CONTRACTS } from "./gcpContracts";
import { contractsHold, type PlannedStack, planStack } from "./gcpSuite";

let planned: PlannedStack;
beforeAll(async () => {
  planned = await planStack("gcp-us-east4");
});

contractsHold("gcp-us-east4", () => planned);

describe("on a primary, every access contract has something to check", () => {
  it.each(ACCESS_CONTRACTS.map((c) => [c.id, c] as const))("%s", (_id, contract) => {
    expect(contract.needs(planned.context()).length).toBeGreaterThan(0);
  });
});
