// Governance of a GCP standby set in its stack file alone: a deployment reads Pulumi.<stack>.yaml
// where Pulumi looks for it, with nothing copied. Without a team or webhook, only what is
// configured is made.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../policies/check/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-central1", { config: { "email-journal:governance": { enabled: true, organization: "acme-bank", repository: "acme-bank/email-journal", branch: "release" } } });
});

it("runs deployments from the configured branch with the stack file where it is", () => {
  expect(run.one("pulumiservice:index:DeploymentSettings").inputs).toMatchObject({
    stack: "gcp-us-central1",
    sourceContext: { git: { branch: "refs/heads/release" } },
    operationContext: { preRunCommands: ["npm ci"] },
  });
});

it("makes only what is configured", () => {
  expect(run.ofType("pulumiservice:index:TeamStackPermission")).toEqual([]);
  expect(run.ofType("pulumiservice:index:Webhook")).toEqual([]);
  expect(run.ofType("pulumiservice:index:PolicyGroup")).toHaveLength(1);
  expect(run.ofType("pulumiservice:index:StackTag").find((t) => t.inputs.name === "role")!.inputs.value).toBe("standby");
});
