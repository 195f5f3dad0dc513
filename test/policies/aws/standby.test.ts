// The pack on the AWS standby (Pulumi.aws-us-west-2.yaml): a standby archive, compliant as it stands.
import { expect, it } from "vitest";
import { evaluate } from "../../../infra/policyCheck/evaluate";
import { runProgram } from "../../../infra/policyCheck/mockRun";
import { resourcePolicies, stackPolicies } from "../../../policies/policies";

it("has no violation of any rule, though it replicates nothing of its own", async () => {
  const run = await runProgram("aws-us-west-2");
  expect(run.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toEqual([]);
  expect(await evaluate(run.resources, { resource: resourcePolicies, stack: stackPolicies })).toEqual([]);
});
