// A governance stack that names the stacks it governs, with no webhook and no auditors' team: only
// those stacks are in the policy group, and nothing is made for what is not configured.
import { beforeAll, expect, it } from "vitest";
import { type GovernanceRun, runGovernance } from "../../governance/check/mockRun";

const STACKS = ["aws-us-east-1", "aws-us-west-2"];
let run: GovernanceRun;
beforeAll(async () => {
  run = await runGovernance("platform", { config: { "email-journal-governance:stacks": STACKS, "email-journal-governance:webhookUrl": null, "email-journal-governance:auditorsTeam": null, "email-journal-governance:branch": "release" } });
});

it("puts only the listed stacks in the policy group, and gives each its drift check and deployment settings", () => {
  expect(run.one("pulumiservice:index:PolicyGroup").inputs.stacks).toEqual(STACKS.map((name) => ({ name, routingProject: "email-journal" })));
  expect(run.ofType("pulumiservice:index:DriftSchedule").map((d) => d.inputs.stack)).toEqual(STACKS);
  expect(run.ofType("pulumiservice:index:DeploymentSettings").map((d) => [d.inputs.stack, d.inputs.sourceContext.git.branch])).toEqual(STACKS.map((stack) => [stack, "refs/heads/release"]));
  expect(run.outputs.governedStacks).toEqual(STACKS);
});

it("makes no webhook, signing secret or team permission when none is configured", () => {
  expect(run.ofType("pulumiservice:index:Webhook")).toEqual([]);
  expect(run.ofType("random:index/randomPassword:RandomPassword")).toEqual([]);
  expect(run.ofType("pulumiservice:index:TeamStackPermission")).toEqual([]);
  expect(run.outputs).not.toHaveProperty("webhookSigningSecret");
  expect(run.outputs.auditorsTeam).toBe("none");
});
