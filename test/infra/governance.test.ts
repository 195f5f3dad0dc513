// The governance project (governance/, its own Pulumi stack owned by the platform team) under mocks,
// on its sample stack file: the controls it attaches to every archive stack from outside them.
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../infra/config";
import { stackTags } from "../../infra/governance";
import { projectConfig, stackNames } from "../../infra/stackFiles";
import { DRIFT_SCHEDULE, ORGANIZATION_ONLY_EVENTS, POLICY_GROUP, STACK_WEBHOOK_EVENTS } from "../../governance/governance";
import { PACK_NAME, PACK_VERSION } from "../../policies/shared/pack";
import { type GovernanceRun, MOCK_SIGNING_SECRET, runGovernance } from "../../governance/check/mockRun";

const WEBHOOK_URL = "https://hooks.example.com/pulumi/email-journal?token=t0ps3cret";
// The shipped stack files (named <cloud>-<region>): other suites may drop a scratch stack file at
// the root while this one runs, so the list is given explicitly; the default (every stack file) is
// tested in governance.config.test.ts.
const ARCHIVE_STACKS = stackNames().filter((stack) => /^(aws|azure|gcp)-/.test(stack));

let run: GovernanceRun;
beforeAll(async () => {
  run = await runGovernance("platform", { config: { "email-journal-governance:stacks": ARCHIVE_STACKS }, secrets: { "email-journal-governance:webhookUrl": WEBHOOK_URL } });
});

const inStack = (stack: string) => ({ organization: "acme-bank", project: "email-journal", stack });
const ofStack = (type: string, stack: string) => run.ofType(type).filter((r) => r.inputs.stack === stack || r.inputs.stackName === stack);
const isSecret = async (value: unknown) => pulumi.Output.isInstance(value) && (await pulumi.isSecret(value));
const plain = (value: unknown) => new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve));
/** What the mocks received for a secret input: the value, if it arrived marked secret. */
const secretInput = (value: any) => {
  expect(value?.[specialSigKey], "arrived as a secret").toBe(specialSecretSig);
  return value.value;
};

describe("governance of the archive stacks, from its own stack", () => {
  it("governs the stacks it is given: every pair of every cloud", () => {
    expect(ARCHIVE_STACKS.length).toBeGreaterThanOrEqual(8);
    expect(run.outputs.governedStacks).toEqual(ARCHIVE_STACKS);
  });

  it("enforces the compliance pack, pinned to the version policies/package.json publishes, on all of them", () => {
    expect(run.one("pulumiservice:index:PolicyGroup").inputs).toEqual({
      organizationName: "acme-bank",
      name: POLICY_GROUP,
      entityType: "stacks",
      mode: "preventative",
      stacks: ARCHIVE_STACKS.map((stack) => ({ name: stack, routingProject: "email-journal" })),
      // No `config`: the pack's own levels stand (sandbox-not-for-records stays advisory).
      policyPacks: [{ name: PACK_NAME, versionTag: PACK_VERSION }],
    });
    expect(PACK_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each(ARCHIVE_STACKS)("checks %s for drift daily, after its deployment settings exist, and never remediates on its own", (stack) => {
    const [drift] = ofStack("pulumiservice:index:DriftSchedule", stack);
    expect(drift.inputs).toEqual({ ...inStack(stack), scheduleCron: DRIFT_SCHEDULE, autoRemediate: false });
    const [settings] = ofStack("pulumiservice:index:DeploymentSettings", stack);
    expect(drift.dependsOn).toEqual([settings.name]);
  });

  it.each(ARCHIVE_STACKS)("runs %s's Deployments from the reviewed branch, neither deploying commits nor previewing pull requests", (stack) => {
    const [settings] = ofStack("pulumiservice:index:DeploymentSettings", stack);
    expect(settings.inputs).toMatchObject({
      ...inStack(stack),
      sourceContext: { git: { branch: "refs/heads/main" } },
      github: { repository: "acme-bank/email-journal", deployCommits: false, previewPullRequests: false },
      operationContext: { preRunCommands: ["npm ci --no-audit --no-fund"] },
    });
  });

  it.each(ARCHIVE_STACKS)("tags %s from its own stack file", (stack) => {
    const tags = Object.fromEntries(ofStack("pulumiservice:index:StackTag", stack).map((t) => [t.inputs.name, t.inputs.value]));
    expect(tags).toEqual(stackTags(parseStackConfig(projectConfig(stack), stack)));
  });

  it("tags a primary and a standby for what they are", () => {
    const tagsOf = (stack: string) => Object.fromEntries(ofStack("pulumiservice:index:StackTag", stack).map((t) => [t.inputs.name, t.inputs.value]));
    expect(tagsOf("aws-us-east-1")).toEqual({ frameworks: "sec-17a-4,finra-4511,sox,gdpr", "data-classification": "restricted", role: "primary", cloud: "aws", region: "us-east-1" });
    expect(tagsOf("gcp-us-central1")).toMatchObject({ role: "standby", cloud: "gcp", region: "us-central1" });
  });

  it.each(ARCHIVE_STACKS)("gives the auditors' team read-only access to %s, and nothing more", (stack) => {
    expect(ofStack("pulumiservice:index:TeamStackPermission", stack).map((p) => p.inputs)).toEqual([{ ...inStack(stack), team: "journal-auditors", permission: 101 }]);
  });

  it("gives no team more than read on any stack", () => {
    for (const permission of run.ofType("pulumiservice:index:TeamStackPermission")) expect(permission.inputs.permission).toBe(101);
  });
});

describe("the webhooks and their secrets", () => {
  it.each(ARCHIVE_STACKS)("notifies on %s's updates, failed (policy-blocked) previews and updates, and drift", (stack) => {
    const [hook] = ofStack("pulumiservice:index:Webhook", stack);
    expect(hook.inputs).toMatchObject({ organizationName: "acme-bank", projectName: "email-journal", stackName: stack, active: true, format: "raw" });
    expect(secretInput(hook.inputs.payloadUrl)).toBe(WEBHOOK_URL);
    expect(hook.inputs.filters).toEqual(STACK_WEBHOOK_EVENTS);
    expect(hook.inputs.filters).toEqual(expect.arrayContaining(["update_failed", "preview_failed", "drift_detected"]));
  });

  it("subscribes no stack webhook to an organization-only event, and reports stack deletion from the organization", () => {
    for (const hook of run.ofType("pulumiservice:index:Webhook").filter((h) => h.inputs.stackName)) {
      for (const event of ORGANIZATION_ONLY_EVENTS) expect(hook.inputs.filters).not.toContain(event);
    }
    const org = run.ofType("pulumiservice:index:Webhook").filter((h) => !h.inputs.stackName);
    expect(org.map((h) => h.inputs)).toEqual([expect.objectContaining({ organizationName: "acme-bank", filters: ["stack_deleted"] })]);
    expect(org[0].inputs.projectName).toBeUndefined();
  });

  it("passes the webhook URL to every webhook as a secret", () => {
    const hooks = run.ofType("pulumiservice:index:Webhook");
    expect(hooks).toHaveLength(ARCHIVE_STACKS.length + 1);
    for (const hook of hooks) expect(secretInput(hook.inputs.payloadUrl), hook.name).toBe(WEBHOOK_URL);
  });

  it("signs every delivery with a generated secret that is exported only as a secret", async () => {
    const password = run.one("random:index/randomPassword:RandomPassword");
    expect(password.inputs).toMatchObject({ length: 48, special: false });
    for (const hook of run.ofType("pulumiservice:index:Webhook")) {
      expect(secretInput(hook.inputs.secret), hook.name).toBe(MOCK_SIGNING_SECRET);
    }
    expect(await isSecret(run.exported.webhookSigningSecret)).toBe(true);
    expect(await plain(run.exported.webhookSigningSecret)).toBe(MOCK_SIGNING_SECRET);
    // Nothing else the stack exports holds either secret.
    const { webhookSigningSecret: _secret, ...rest } = run.outputs;
    expect(JSON.stringify(rest)).not.toContain(MOCK_SIGNING_SECRET);
    expect(JSON.stringify(rest)).not.toContain("t0ps3cret");
  });
});
