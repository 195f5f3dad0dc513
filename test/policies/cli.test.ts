// `npm run policy:check` as CI and platform engineers run it: the real program on real stack files.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { policyNames } from "../../policies/policies";

const ROOT = join(__dirname, "..", "..");
const check = (...args: string[]) => {
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "infra", "policyCheck", "cli.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

// The AWS primary with settings that are valid on their own (GDPR alone asks no minimum) but weaker
// than the pack's defaults (every framework: six-year minimum, compliance mode), set as
// `pulumi config set --path` would, without writing a stack file others could see. Lowering the
// locked settings of the deployed primary needs the break-glass run (else the check stops before the pack).
const WEAK = [
  ["--stack", "aws-us-east-1"],
  ["--config", "email-journal:breakGlassRun=true"],
  ["--config", 'email-journal:frameworks=["gdpr"]'],
  ["--config", "email-journal:retention.minimumDays=400"],
  ["--config", "email-journal:retention.maximumDays=800"],
  ["--config", "email-journal:retention.mode=governance"],
].flat();
const scratch = mkdtempSync(join(tmpdir(), "policy-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("policy:check", () => {
  it("passes the AWS primary, taking the cloud from its stack file and saying what it checked", () => {
    const { status, stdout, stderr } = check("--stack", "aws-us-east-1");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^email-journal-compliance on aws stack aws-us-east-1: \d+ resources, \d+ rules\n/);
    expect(stdout).toContain("0 mandatory, 0 advisory violation(s)");
    // A run of several seconds says what it is doing meanwhile.
    expect(stderr).toMatch(/running the program for aws-us-east-1 \(aws\) under mocks…\nevaluating \d+ rules on \d+ resources…/);
  });

  it("prints JSON for machines, with every rule it ran", () => {
    const { status, stdout } = check("--stack", "aws-us-west-2", "--json");
    expect(status).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ cloud: "aws", stack: "aws-us-west-2", violations: [] });
    expect(report.policies).toEqual(expect.arrayContaining(["aws-s3-object-lock-retention", "archive-replicated-to-another-region", "azure-storage-account-hardened", "gcp-kms-key-rotation"]));
  });

  it("fails a weaker stack, listing each violation once with the stack key to change and the controls it breaks", () => {
    const { status, stdout } = check(...WEAK);
    expect(status).toBe(1);
    expect(stdout).toMatch(
      new RegExp(
        String.raw`mandatory +aws-s3-object-lock-retention\n +journal-archive-object-lock: rule\.defaultRetention\.mode is "GOVERNANCE"; set "COMPLIANCE".*\n` +
          String.raw` +fix: set email-journal:retention\.mode in Pulumi\.aws-us-east-1\.yaml \(measured against policy-pack-config frameworks\)\n +breaks: .*SEC 17a-4\(f\) non-rewriteable, non-erasable records`,
      ),
    );
    // Each control once per violation.
    for (const line of stdout.split("\n").filter((l) => l.includes("breaks:"))) {
      const controls = line.replace(/^\s*breaks: /, "").split("; ");
      expect(new Set(controls).size).toBe(controls.length);
    }
    expect(stdout).toContain("rule.defaultRetention.days is 400; set at least 2557 days");
    expect(stdout).toMatch(new RegExp(String.raw`archive-lifecycle-respects-retention\n +journal-archive: .* deletes after 800 days, before the minimum retention.*\n +fix: set email-journal:retention\.maximumDays in Pulumi\.aws-us-east-1\.yaml`));
    // Every violation of this stack is one a key of its file causes.
    expect((stdout.match(/^ +fix: set email-journal:/gm) ?? []).length).toBe((stdout.match(/^  mandatory /gm) ?? []).length);
    const listed = stdout.match(/^  mandatory /gm) ?? [];
    const summary = Number(/\n(\d+) mandatory, 0 advisory violation\(s\)\n$/.exec(stdout)![1]);
    expect(listed).toHaveLength(summary);
  });

  it("takes thresholds from the same config file as pulumi preview --policy-pack-config", () => {
    const names: string[] = JSON.parse(check("--stack", "aws-us-east-1", "--json").stdout).policies;
    const configFile = join(scratch, "thresholds.json");
    writeFileSync(configFile, JSON.stringify(Object.fromEntries(names.map((name) => [name, { frameworks: ["gdpr"] }]))));
    try {
      expect(check(...WEAK, "--policy-pack-config", configFile).status).toBe(0);
      writeFileSync(configFile, JSON.stringify({ "aws-s3-object-lock-rentention": { minimumRetentionDays: 10 } }));
      const typo = check("--stack", "aws-us-east-1", "--policy-pack-config", configFile);
      expect(typo.status).toBe(2);
      expect(typo.stderr).toContain("aws-s3-object-lock-rentention not a rule of the pack");
    } finally {
      rmSync(configFile, { force: true });
    }
  });

  it("says a violation no stack setting can cause comes from the program, or from a stricter threshold", () => {
    const configFile = join(scratch, "rotation.json");
    writeFileSync(configFile, JSON.stringify({ "aws-kms-key-rotation": { maxKeyRotationDays: 90 } }));
    try {
      const { status, stdout } = check("--stack", "aws-us-east-1", "--policy-pack-config", configFile);
      expect(status).toBe(1);
      expect(stdout).toMatch(/mandatory +aws-kms-key-rotation\n +journal-key: rotationPeriodInDays is 365; set at most 90\n +from: the program \(infra\/\) or the threshold policy-pack-config maxKeyRotationDays; no stack setting causes it\n/);
    } finally {
      rmSync(configFile, { force: true });
    }
  });

  it("lists every rule with the stack settings that can trip it", () => {
    const { status, stdout } = check("--rules");
    expect(status).toBe(0);
    expect(stdout).toContain("- `aws-s3-object-lock-retention`: S3 Object Lock default retention is COMPLIANCE mode");
    expect(stdout).toMatch(/`aws-s3-object-lock-retention`.* Stack settings: `email-journal:retention\.mode`, `email-journal:retention\.minimumDays`\./);
    expect((stdout.match(/^- `/gm) ?? []).length).toBe(policyNames().length);
  });

  it("explains a bad invocation and exits 2", () => {
    const noFile = check("--stack", "staging");
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toMatch(/--stack staging: there is no Pulumi\.staging\.yaml\nusage: /);
    const cloudFlag = check("--cloud", "aws", "--stack", "aws-us-east-1");
    expect(cloudFlag.status).toBe(2);
    expect(cloudFlag.stderr).toContain("Unknown option '--cloud'");
    const setting = check("--stack", "aws-us-east-1", "--config", "retention.mode");
    expect(setting.status).toBe(2);
    expect(setting.stderr).toContain("--config retention.mode: give <key>=<value>, e.g. email-journal:retention.mode=compliance");
  });
});
