// A second pair for another jurisdiction is stack files, not code: the EU primary builds in its own
// regions, replicates into its own standby, and passes the compliance pack as the US pair does.
import { beforeAll, expect, it } from "vitest";
import { evaluate } from "../../../infra/policyCheck/evaluate";
import { runProgram, type ProgramRun } from "../../../infra/policyCheck/mockRun";
import { resourcePolicies, stackPolicies } from "../../../policies/policies";
import { roleState } from "../../helpers/roleState";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-eu-west-1");
});

it("takes mail in eu-west-1 and replicates into aws-eu-central-1's archive, not the US pair's", () => {
  expect(roleState(run, "aws")).toEqual({ intakeActive: true, replicatesTo: "aws-eu-central-1" });
  expect(run.one("aws:ses/receiptRule:ReceiptRule").inputs.recipients).toEqual(["journal@eu.archive.example.com"]);
  expect(JSON.stringify(run.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig").map((r) => r.inputs))).not.toContain("us-west-2");
});

it("has no violation of any rule of the pack", async () => {
  const violations = await evaluate(run.resources, { resource: resourcePolicies, stack: stackPolicies });
  expect(violations).toEqual([]);
});
