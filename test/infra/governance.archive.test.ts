// An archive stack governs nothing itself, even with governance settings left in its stack file: an
// update of it cannot create, change or remove the policy group, drift schedule, permissions or
// webhooks guarding it. Those belong to the governance/ project.
import { beforeAll, expect, it } from "vitest";
import { stackFileConfig } from "../../infra/stackFiles";
import { type ProgramRun, runProgram } from "../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1");
});

it("creates no Pulumi Cloud resource and no generated secret", () => {
  expect(run.resources.length).toBeGreaterThan(20);
  expect(run.resources.filter((r) => r.type.startsWith("pulumiservice:") || r.type.startsWith("random:")).map((r) => r.type)).toEqual([]);
  expect(run.resources.filter((r) => r.type.startsWith("email-journal:governance:"))).toEqual([]);
  expect(run.outputs).not.toHaveProperty("governance");
});

it("is a stack the governance project governs by default: it has a stack file at the repository root", () => {
  expect(stackFileConfig("aws-us-east-1")["email-journal:cloud"]).toBe("aws");
});
