// `npm run policy:check` as CI and platform engineers run it: the real program on real stack files.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const check = (...args: string[]) => {
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "policies", "check", "cli.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

// A stack file whose own config is valid (GDPR alone asks no minimum) but weaker than the pack's
// defaults (every framework): six-year minimum, compliance mode.
const WEAK_STACK = `policytest${process.pid}`;
const weakStackFile = join(ROOT, `Pulumi.${WEAK_STACK}.yaml`);
writeFileSync(
  weakStackFile,
  readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")
    .replace(/frameworks:\n(\s+- .+\n)+/, "frameworks:\n    - gdpr\n")
    .replace(/minimumDays: \d+/, "minimumDays: 400")
    .replace(/maximumDays: \d+/, "maximumDays: 800")
    .replace(/mode: compliance/, "mode: governance"),
);
afterAll(() => rmSync(weakStackFile, { force: true }));

describe("policy:check", () => {
  it("passes the prod stack, saying what it checked", () => {
    const { status, stdout } = check("--cloud", "aws", "--stack", "prod");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^email-journal-compliance on aws stack prod: \d+ resources, \d+ rules\n/);
    expect(stdout).toContain("0 mandatory, 0 advisory violation(s)");
  });

  it("passes the Azure prod stack from stacks/azure", () => {
    const { status, stdout } = check("--cloud", "azure", "--stack", "prod");
    expect(status).toBe(0);
    expect(stdout).toMatch(/^email-journal-compliance on azure stack prod: \d+ resources/);
    expect(stdout).toContain("0 mandatory, 0 advisory violation(s)");
  });

  it("prints JSON for machines, with every rule it ran", () => {
    const { status, stdout } = check("--cloud", "aws", "--stack", "dr", "--json");
    expect(status).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ cloud: "aws", stack: "dr", violations: [] });
    expect(report.policies).toEqual(expect.arrayContaining(["aws-s3-object-lock-retention", "archive-replicated-to-another-region", "azure-storage-account-hardened", "gcp-kms-key-rotation"]));
  });

  it("fails a weaker stack, grouping each violation under the controls it breaks", () => {
    const { status, stdout } = check("--cloud", "aws", "--stack", WEAK_STACK);
    expect(status).toBe(1);
    expect(stdout).toMatch(/\nSEC 17a-4\(f\) non-rewriteable, non-erasable records \(\d+\)\n/);
    expect(stdout).toMatch(/mandatory +aws-s3-object-lock-retention +journal-archive-object-lock: rule\.defaultRetention\.mode is "GOVERNANCE"; set "COMPLIANCE"/);
    expect(stdout).toContain("rule.defaultRetention.days is 400; set at least 2557 days");
    expect(stdout).toMatch(/archive-lifecycle-respects-retention +journal-archive: .* deletes after 800 days, before the minimum retention/);
    expect(stdout).toMatch(/\n\d+ mandatory, 0 advisory violation\(s\)\n$/);
  });

  it("takes thresholds from the same config file as pulumi preview --policy-pack-config", () => {
    const names: string[] = JSON.parse(check("--cloud", "aws", "--stack", "prod", "--json").stdout).policies;
    const configFile = join(ROOT, `.policytest${process.pid}.json`);
    writeFileSync(configFile, JSON.stringify(Object.fromEntries(names.map((name) => [name, { frameworks: ["gdpr"] }]))));
    try {
      expect(check("--cloud", "aws", "--stack", WEAK_STACK, "--policy-pack-config", configFile).status).toBe(0);
      writeFileSync(configFile, JSON.stringify({ "aws-s3-object-lock-rentention": { minimumRetentionDays: 10 } }));
      const typo = check("--cloud", "aws", "--stack", "prod", "--policy-pack-config", configFile);
      expect(typo.status).toBe(2);
      expect(typo.stderr).toContain("aws-s3-object-lock-rentention not a rule of the pack");
    } finally {
      rmSync(configFile, { force: true });
    }
  });

  it("explains a bad invocation and exits 2", () => {
    const noCloudFile = check("--cloud", "gcp", "--stack", "staging");
    expect(noCloudFile.status).toBe(2);
    expect(noCloudFile.stderr).toContain("--stack staging --cloud gcp: there is no stacks/gcp/Pulumi.staging.yaml (nor a Pulumi.staging.yaml that deploys gcp)");
    const noStack = check("--cloud", "aws", "--stack", "staging");
    expect(noStack.status).toBe(2);
    expect(noStack.stderr).toMatch(/--stack staging --cloud aws: there is no stacks\/aws\/Pulumi\.staging\.yaml.*\nusage: /);
    expect(check("--cloud", "oracle").stderr).toContain('--cloud is "oracle"; use one of aws, azure, gcp');
  });
});
