// Governance of a stack whose file lives in stacks/<cloud>/: Pulumi Deployments copy it into place,
// since a deployment reads Pulumi.<stack>.yaml at the project root. Without a team, webhook or
// repository, only the policy group, drift detection and tags are made.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../policies/check/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("dr", { cloud: "gcp", config: { "email-journal:governance": { enabled: true, organization: "acme-bank", repository: "acme-bank/email-journal", branch: "release" } } });
});

it("copies the stack file into place before a deployment runs", () => {
  expect(run.one("pulumiservice:index:DeploymentSettings").inputs).toMatchObject({
    stack: "dr",
    sourceContext: { git: { branch: "refs/heads/release" } },
    operationContext: { preRunCommands: ["npm ci", "cp stacks/gcp/Pulumi.dr.yaml Pulumi.dr.yaml"] },
  });
});

it("makes only what is configured", () => {
  expect(run.ofType("pulumiservice:index:TeamStackPermission")).toEqual([]);
  expect(run.ofType("pulumiservice:index:Webhook")).toEqual([]);
  expect(run.ofType("pulumiservice:index:PolicyGroup")).toHaveLength(1);
  expect(run.ofType("pulumiservice:index:StackTag").find((t) => t.inputs.name === "role")!.inputs.value).toBe("standby");
});
