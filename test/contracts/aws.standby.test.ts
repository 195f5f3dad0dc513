// The provider contracts on the AWS standby (a standby: intake deployed, rule set inactive, no replication of its own).
import { beforeAll, expect, it } from "vitest";
import { checkContracts } from "./awsContracts";
import { contractsHold, type PlannedAwsStack, planAwsStack } from "./awsSuite";

let planned: PlannedAwsStack;
beforeAll(async () => {
  planned = await planAwsStack("aws-us-west-2");
}, 60_000);

contractsHold("aws-us-west-2", () => planned, 40);

it("admits the primary's replication role to encrypt replicas under this stack's key, and skips the replication it does not do", async () => {
  const report = await checkContracts(planned.plan(), ["peer-replication-encrypts", "replication-reads-source", "replication-writes-replicas"]);
  expect(report).toEqual({ checked: 1, problems: [] });
});
