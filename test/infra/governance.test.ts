// Pulumi Cloud governance of the primary (governance.enabled in Pulumi.aws-us-east-1.yaml), under mocks:
// what each resource gives an auditor is in infra/governance.ts and the README.
import { beforeAll, describe, expect, it } from "vitest";
import { DRIFT_SCHEDULE, WEBHOOK_EVENTS } from "../../infra/governance";
import { type ProgramRun, runProgram } from "../../policies/check/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1");
});

const STACK = { organization: "acme-bank", project: "email-journal", stack: "aws-us-east-1" };

describe("governance of the primary", () => {
  it("enforces the compliance pack on the stack with a preventative policy group", () => {
    expect(run.one("pulumiservice:index:PolicyGroup").inputs).toMatchObject({
      organizationName: "acme-bank",
      entityType: "stacks",
      mode: "preventative",
      stacks: [{ name: "aws-us-east-1", routingProject: "email-journal" }],
      policyPacks: [{ name: "email-journal-compliance" }],
    });
  });

  it("checks for drift daily and never remediates on its own", () => {
    expect(run.one("pulumiservice:index:DriftSchedule").inputs).toEqual({ ...STACK, scheduleCron: DRIFT_SCHEDULE, autoRemediate: false });
    expect(DRIFT_SCHEDULE).toBe("0 6 * * *");
  });

  it("tags the stack with its frameworks, classification, role, cloud and region", () => {
    const tags = Object.fromEntries(run.ofType("pulumiservice:index:StackTag").map((t) => [t.inputs.name, t.inputs.value]));
    expect(tags).toEqual({ frameworks: "sec-17a-4,finra-4511,sox,gdpr", "data-classification": "restricted", role: "primary", cloud: "aws", region: "us-east-1" });
    for (const tag of run.ofType("pulumiservice:index:StackTag")) expect(tag.inputs).toMatchObject(STACK);
  });

  it("gives the auditors' team read-only access to the stack, and nothing more", () => {
    expect(run.one("pulumiservice:index:TeamStackPermission").inputs).toEqual({ ...STACK, team: "journal-auditors", permission: 101 });
  });

  it("notifies the webhook of updates, failed (policy-blocked) previews and updates, and drift", () => {
    const hook = run.one("pulumiservice:index:Webhook").inputs;
    expect(hook).toMatchObject({ organizationName: "acme-bank", projectName: "email-journal", stackName: "aws-us-east-1", payloadUrl: "https://hooks.example.com/pulumi/email-journal", active: true });
    expect(hook.filters).toEqual(WEBHOOK_EVENTS);
    expect(hook.filters).toEqual(expect.arrayContaining(["update_failed", "preview_failed", "drift_detected"]));
  });

  it("lets Pulumi Deployments run the stack from the repository, previewing pull requests", () => {
    expect(run.one("pulumiservice:index:DeploymentSettings").inputs).toMatchObject({
      ...STACK,
      github: { repository: "acme-bank/email-journal", deployCommits: false, previewPullRequests: true },
      sourceContext: { git: { branch: "refs/heads/main" } },
      operationContext: { preRunCommands: ["npm ci"] },
    });
    expect(run.outputs.governance).toMatchObject({ driftSchedule: DRIFT_SCHEDULE, auditorsTeam: "journal-auditors" });
  });
});
