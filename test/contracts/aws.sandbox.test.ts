// The provider contracts on an AWS sandbox (governance-mode, destroyed with its stack): the same
// calls must succeed, and Object Lock buckets must still be let go of, not undone, on destroy.
import { beforeAll } from "vitest";
import { contractsHold, type PlannedAwsStack, planAwsStack } from "./awsSuite";

let planned: PlannedAwsStack;
beforeAll(async () => {
  planned = await planAwsStack("aws-us-east-1", {
    firstDeployment: true,
    config: { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 7, mode: "governance" } },
  });
}, 60_000);

contractsHold("sandbox", () => planned, 40);
