// The governance stack's config checks (governance/config.ts): every problem named with its key, the
// value found and what is allowed, all at once, as the archive stacks' config reports them; and the
// webhook URL accepted only as a secret, and never repeated in an error.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { load } from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../infra/config";
import { stackNames } from "../../infra/stackFiles";
import { type ConfigContext, DEFAULT_BRANCH, GOVERNANCE_KEYS, GOVERNANCE_PROJECT, isConfigSecret, loadGovernanceConfig, parseGovernanceConfig } from "../../governance/config";

const STACK_FILES = ["aws-us-east-1", "aws-us-west-2", "gcp-us-east4"];
const SECRET_URL = "https://hooks.example.com/pulumi?token=s3cr3t-t0ken";
const context = (secretKeys: readonly string[] = ["webhookUrl"]): ConfigContext => ({ stackFiles: STACK_FILES, organization: "own-org", isSecret: (key) => secretKeys.includes(key) });
const minimal = { repository: "acme-bank/email-journal" };
const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

function problemsOf(raw: Record<string, unknown>, ctx = context()): string[] {
  try {
    parseGovernanceConfig(raw, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}

describe("parseGovernanceConfig", () => {
  it("governs every stack file, in the governance stack's own organization, from main, by default", () => {
    expect(parseGovernanceConfig(minimal, context())).toEqual({ organization: "own-org", stacks: STACK_FILES, repository: "acme-bank/email-journal", branch: DEFAULT_BRANCH });
  });

  it("takes an explicit list of stacks, a team, a secret webhook and a branch", async () => {
    const { webhookUrl, ...config } = parseGovernanceConfig({ ...minimal, organization: "acme-bank", stacks: ["gcp-us-east4"], auditorsTeam: "journal-auditors", webhookUrl: SECRET_URL, branch: "release/1" }, context());
    expect(config).toEqual({ organization: "acme-bank", stacks: ["gcp-us-east4"], auditorsTeam: "journal-auditors", repository: "acme-bank/email-journal", branch: "release/1" });
    expect(await pulumi.isSecret(webhookUrl!)).toBe(true);
    expect(await valueOf(webhookUrl!)).toBe(SECRET_URL);
  });

  it("names a stack without a stack file, and the stacks that have one", () => {
    expect(problemsOf({ ...minimal, stacks: ["aws-us-east-1", "aws-us-east1"] })).toEqual([
      'email-journal-governance:stacks[1] = "aws-us-east1": must be one of the stack files\' stacks: aws-us-east-1, aws-us-west-2, gcp-us-east4',
    ]);
  });

  it.each([
    ["an empty list", { stacks: [] }, /stacks = \[\]: must be a non-empty list, each one of the stack files' stacks/],
    ["a stack listed twice", { stacks: ["aws-us-east-1", "aws-us-east-1"] }, /stacks\[1\] = "aws-us-east-1": is listed twice/],
    ["a list given as a string", { stacks: "aws-us-east-1" }, /stacks = "aws-us-east-1": must be a non-empty list/],
    ["a team's display name", { auditorsTeam: "Journal Auditors" }, /auditorsTeam = "Journal Auditors": must be a Pulumi Cloud team name/],
    ["a repository given as a URL", { repository: "https://github.com/acme/x" }, /repository = "https:\/\/github.com\/acme\/x": must be a GitHub repository, owner\/name/],
    ["no repository", { repository: undefined }, /repository = \(not set\): .*drift detection needs deployment settings/],
    ["a typo'd key", { auditorTeam: "journal-auditors" }, /auditorTeam = \[not shown\]: unknown key; did you mean auditorsTeam\? valid keys: organization, stacks, auditorsTeam, webhookUrl, repository, branch/],
  ])("rejects %s", (_name, raw, message) => {
    const problems = problemsOf({ ...minimal, ...raw });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it("refuses a webhook URL set in plaintext, and does not repeat it", () => {
    const problems = problemsOf({ ...minimal, webhookUrl: SECRET_URL }, context([]));
    expect(problems).toEqual([expect.stringMatching(/webhookUrl = \[secret\]: must be set as a secret.*pulumi config set --secret webhookUrl/)]);
    expect(problems.join()).not.toContain("s3cr3t");
  });

  it("refuses a secret webhook URL that is not https, without repeating it", () => {
    const problems = problemsOf({ ...minimal, webhookUrl: "http://hooks.example.com/?token=s3cr3t" });
    expect(problems).toEqual(["email-journal-governance:webhookUrl = [secret]: must be an https:// URL"]);
  });

  it("reports every problem at once", () => {
    expect(problemsOf({ stacks: ["nope"], auditorsTeam: "", webhookUrl: "ftp://x", branch: "a b" })).toHaveLength(5);
  });
});

describe("reading the config through Pulumi", () => {
  beforeAll(async () => {
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs }, "email-journal-governance", "platform", true, "own-org");
  });

  it("knows which keys the CLI handed over as secrets", async () => {
    pulumi.runtime.setAllConfig({ "email-journal-governance:webhookUrl": SECRET_URL, "email-journal-governance:repository": "acme-bank/email-journal" }, ["email-journal-governance:webhookUrl"]);
    expect(isConfigSecret("email-journal-governance:webhookUrl")).toBe(true);
    expect(isConfigSecret("email-journal-governance:repository")).toBe(false);
    const { webhookUrl, ...config } = loadGovernanceConfig();
    expect(config).toMatchObject({ organization: "own-org", stacks: stackNames(), repository: "acme-bank/email-journal" });
    expect(await valueOf(webhookUrl!)).toBe(SECRET_URL);
  });

  it("stops a plaintext webhook URL before anything is built", () => {
    pulumi.runtime.setAllConfig({ "email-journal-governance:webhookUrl": SECRET_URL, "email-journal-governance:repository": "acme-bank/email-journal", "email-journal-governance:stacks": '["aws-us-east-1"]' }, []);
    expect(() => loadGovernanceConfig()).toThrow(/webhookUrl = \[secret\]: must be set as a secret/);
  });
});

describe("the project file and the sample stack file", () => {
  const dir = join(__dirname, "..", "..", "governance");
  const project = load(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as { name: string; config: Record<string, { default?: unknown }> };
  const sample = (load(readFileSync(join(dir, "Pulumi.platform.yaml"), "utf8")) as { config: Record<string, unknown> }).config;

  it("declares settings the program reads, requiring (no default) only the one it requires", () => {
    expect(project.name).toBe(GOVERNANCE_PROJECT);
    for (const key of Object.keys(project.config)) expect(GOVERNANCE_KEYS).toContain(key);
    expect(Object.entries(project.config).filter(([, d]) => d.default === undefined).map(([key]) => key)).toEqual(["repository"]);
    expect(project.config.branch.default).toBe(DEFAULT_BRANCH);
  });

  it("shows the webhook URL as a secure value, and only keys the program reads", () => {
    expect(sample[`${GOVERNANCE_PROJECT}:webhookUrl`]).toEqual({ secure: expect.any(String) });
    for (const key of Object.keys(sample)) expect(GOVERNANCE_KEYS).toContain(key.replace(`${GOVERNANCE_PROJECT}:`, ""));
  });
});
