// The provider contracts on the AWS primary (a primary replicating into its standby).
import { beforeAll, describe, expect, it } from "vitest";
import { PERMISSION_CONTRACTS, RULE_CONTRACTS } from "./awsContracts";
import { contractsHold, type PlannedAwsStack, planAwsStack } from "./awsSuite";

let planned: PlannedAwsStack;
beforeAll(async () => {
  planned = await planAwsStack("aws-us-east-1");
}, 60_000);

contractsHold("aws-us-east-1", () => planned, PERMISSION_CONTRACTS.length + RULE_CONTRACTS.length - 1);

describe("on a primary, every contract has something to check", () => {
  it.each(PERMISSION_CONTRACTS.map((c) => [c.id, c] as const))("%s", (_id, contract) => {
    expect(contract.requests(planned.plan()).length).toBeGreaterThan(0);
  });
  it.each(RULE_CONTRACTS.map((c) => [c.id, c] as const))("%s", (_id, contract) => {
    expect(contract.applies(planned.plan())).toBe(true);
  });
});
