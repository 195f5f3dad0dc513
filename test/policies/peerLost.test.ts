// The standby promoted while the primary's region is lost (`dr:promote --old-primary-lost` sets peerLost):
// it takes mail, reads nothing of the lost peer, replicates nowhere, and the pack says so on every
// run as an advisory instead of blocking the update that keeps mail flowing.
import { beforeAll, expect, it } from "vitest";
import { evaluate } from "../../infra/policyCheck/evaluate";
import { type ProgramRun, runProgram } from "../../infra/policyCheck/mockRun";
import { resourcePolicies, stackPolicies } from "../../policies/policies";
import { roleState } from "../helpers/roleState";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-central1", { config: { "email-journal:role": "primary", "email-journal:peerLost": true } });
});

it("takes mail without replicating into, or even reading, the lost peer", () => {
  expect(roleState(run, "gcp")).toEqual({ intakeActive: true });
  expect(run.ofType("pulumi:pulumi:StackReference")).toEqual([]);
  expect(run.one("gcp:storage/bucket:Bucket", "archive").inputs.labels).toMatchObject({ role: "primary", "journal-replication": "suspended" });
});

it("passes the pack with one advisory naming the suspended replication and how to restore it", async () => {
  const found = await evaluate(run.resources, { resource: resourcePolicies, stack: stackPolicies });
  expect(found.map((v) => [v.policy, v.enforcementLevel])).toEqual([["replication-suspended", "advisory"]]);
  expect(found[0].message).toContain("rerun npm run dr:promote without --old-primary-lost");
});
