// A violation points at what to change: the stack-file key when a stack setting causes it, the
// program (or a threshold of the pack's config) when none can. Each pointer a rule declares is
// proved by changing that key in a real stack and running `policy:check` on it: the violation
// appears and names the key. And every violation those changes cause names one of them.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixOf } from "../../infra/policyCheck/fix";
import { stackFileConfig } from "../../infra/stackFiles";
import { policyNames } from "../../policies/policies";
import { ruleInfo, type StackKey } from "../../policies/rule";
import type { Threshold } from "../../policies/settings";

const ROOT = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "fix-pointers-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Reported {
  readonly policy: string;
  readonly message: string;
  readonly stackKeys: StackKey[];
  readonly thresholds: Threshold[];
}

/**
 * A real stack with one setting changed (`change`), after the settings that change allows
 * (`given`: no framework, so that weaker retention is valid config, or a break-glass run), and
 * the pack's thresholds; as `policy:check --json` reports it.
 */
interface Scenario {
  readonly stack: string;
  readonly change: readonly [StackKey, unknown];
  readonly given?: Readonly<Record<StackKey, unknown>>;
  readonly thresholds?: Partial<Record<Threshold, number>>;
}

const NO_FRAMEWORK = { "email-journal:frameworks": [] };
// Changing a deployed AWS stack's Object Lock is a break-glass run (infra/aws/lockedSettings.ts).
const AWS = { ...NO_FRAMEWORK, "email-journal:breakGlassRun": true };
const SCENARIOS: Record<string, Scenario> = {
  "aws retention.mode": { stack: "aws-us-east-1", given: AWS, change: ["email-journal:retention.mode", "governance"] },
  "aws retention.minimumDays": { stack: "aws-us-east-1", given: AWS, change: ["email-journal:retention.minimumDays", 400], thresholds: { minimumLogRetentionDays: 500 } },
  "aws retention.maximumDays": { stack: "aws-us-east-1", given: AWS, change: ["email-journal:retention.maximumDays", 2600], thresholds: { minimumRetentionDays: 2700 } },
  "azure retention.mode": { stack: "azure-eastus2", given: NO_FRAMEWORK, change: ["email-journal:retention.mode", "governance"] },
  "azure retention.minimumDays": { stack: "azure-eastus2", given: NO_FRAMEWORK, change: ["email-journal:retention.minimumDays", 400], thresholds: { maxKeyRotationDays: 90, minimumLogRetentionDays: 3653 } },
  "gcp retention.mode": { stack: "gcp-us-east4", given: NO_FRAMEWORK, change: ["email-journal:retention.mode", "governance"] },
  "gcp retention.minimumDays": { stack: "gcp-us-east4", given: NO_FRAMEWORK, change: ["email-journal:retention.minimumDays", 400], thresholds: { minimumLogRetentionDays: 500 } },
  "gcp retention.maximumDays unset": { stack: "gcp-us-east4", given: NO_FRAMEWORK, change: ["email-journal:retention", { minimumDays: 2557, mode: "compliance" }] },
  "gcp peerLost": { stack: "gcp-us-east4", change: ["email-journal:peerLost", true] },
  "azure sandbox": { stack: "azure-eastus2", given: { ...NO_FRAMEWORK, "email-journal:retention": { minimumDays: 14, mode: "governance" } }, change: ["email-journal:sandbox", true] },
};

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The stack-file keys whose value differs once `key` is set to `value`: each field of a map that changes. */
function keysChangedBy(stack: string, key: StackKey, value: unknown): StackKey[] {
  const [top, ...path] = key.split(".");
  const before = path.reduce<unknown>((node, name) => (isMap(node) ? node[name] : undefined), stackFileConfig(stack)[top]);
  if (!isMap(value)) return JSON.stringify(before) === JSON.stringify(value) ? [] : [key];
  const fields = new Set([...Object.keys(value), ...Object.keys(isMap(before) ? before : {})]);
  return [...fields].flatMap((field) => keysChangedBy(stack, `${key}.${field}` as StackKey, value[field]));
}

const settingsOf = (s: Scenario): (readonly [StackKey, unknown])[] => [...(Object.entries(s.given ?? {}) as [StackKey, unknown][]), s.change];
/** Every key the scenario changes, given settings included. */
const changedKeys = (s: Scenario) => settingsOf(s).flatMap(([key, value]) => keysChangedBy(s.stack, key, value));
/** The one key a scenario is about, when its change changes exactly one. */
const changedKey = (s: Scenario): StackKey | undefined => (([only, ...rest]) => (rest.length === 0 ? only : undefined))(keysChangedBy(s.stack, ...s.change));

async function check(name: string, scenario: Scenario): Promise<Reported[]> {
  const args = ["--stack", scenario.stack, "--json", ...settingsOf(scenario).flatMap(([key, value]) => ["--config", `${key}=${JSON.stringify(value)}`])];
  if (scenario.thresholds) {
    const file = join(work, `${name.replace(/\W+/g, "-")}.json`);
    writeFileSync(file, JSON.stringify(Object.fromEntries(policyNames().map((policy) => [policy, scenario.thresholds]))));
    args.push("--policy-pack-config", file);
  }
  // Exit 1 is the mandatory violations these scenarios exist to cause.
  const result = await promisify(execFile)(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "infra", "policyCheck", "cli.ts"), ...args], { cwd: ROOT, maxBuffer: 1 << 24 }).catch((err) => err);
  if (!result.stdout) throw new Error(`policy:check ${args.join(" ")} printed nothing: ${result.stderr}`);
  return JSON.parse(result.stdout).violations;
}

const reports = new Map<string, Reported[]>();
beforeAll(async () => {
  // A few checks at a time: each is a process running the whole program.
  const queue = Object.entries(SCENARIOS);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) reports.set(next[0], await check(...next));
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
}, 180_000);

describe("a stack setting that causes a violation", () => {
  it.each(Object.keys(SCENARIOS))("%s: every violation names a key or threshold the scenario changed", (name) => {
    const scenario = SCENARIOS[name];
    const keys = changedKeys(scenario);
    const thresholds = Object.keys(scenario.thresholds ?? {});
    const found = reports.get(name)!;
    expect(found.length).toBeGreaterThan(0);
    const unexplained = found.filter((v) => !v.stackKeys.some((k) => keys.includes(k)) && !v.thresholds.some((t) => thresholds.includes(t)));
    expect(unexplained).toEqual([]);
  });

  // Every pointer a rule declares, caused by changing that key alone: a wrong key, a typo, or a
  // message that no longer names what the pointer expects fails here.
  const declared = policyNames().flatMap((policy) => (ruleInfo(policy)?.causes ?? []).filter((c) => c.stackKey).map((c) => ({ policy, names: c.names, stackKey: c.stackKey! })));
  it.each(declared)("$policy points at $stackKey for what names “$names”", ({ policy, names, stackKey }) => {
    const caused = Object.entries(SCENARIOS)
      .filter(([, scenario]) => changedKey(scenario) === stackKey)
      .flatMap(([name]) => reports.get(name)!);
    expect(caused.filter((v) => v.policy === policy && v.message.includes(names)).map((v) => v.stackKeys)).toContainEqual([stackKey]);
  });

  it("covers a pointer on each cloud and in the shared rules", () => {
    expect(declared.map((d) => d.policy)).toEqual(expect.arrayContaining(["aws-s3-object-lock-retention", "azure-backup-covers-archive", "gcp-log-bucket-locked", "archive-store-worm-and-key", "sandbox-not-for-records"]));
  });
});

describe("what the offline check prints for a violation", () => {
  it("a key to set in the stack's own file, with the thresholds it is measured against", () => {
    const fix = fixOf({ policy: "aws-s3-object-lock-retention", message: "journal-archive-object-lock: rule.defaultRetention.days is 400; set at least 2557 days" }, "acme/email-journal/aws-us-east-1");
    expect(fix.line).toBe("fix: set email-journal:retention.minimumDays in Pulumi.aws-us-east-1.yaml (measured against policy-pack-config frameworks, minimumRetentionDays)");
  });

  it("the program, when the rule names no stack setting for what it found", () => {
    expect(fixOf({ policy: "aws-s3-object-lock-retention", message: 'journal-trail-logs-object-lock: objectLockEnabled is "Disabled"; set "Enabled"' }, "aws-us-east-1").line).toBe(
      "from: the program (infra/); no stack setting causes it",
    );
    expect(fixOf({ policy: "aws-s3-versioning-enabled", message: 'journal-archive-versioning: versioningConfiguration.status is "Suspended"; set "Enabled"' }, "aws-us-east-1").line).toBe(
      "from: the program (infra/); no stack setting causes it",
    );
  });

  it("the program or a threshold, when only the pack's config can make the program's value fail", () => {
    expect(fixOf({ policy: "gcp-kms-key-rotation", message: 'journal-key: rotationPeriod is "7776000s"; set at most "2592000s" (30 days)' }, "gcp-us-east4").line).toBe(
      "from: the program (infra/) or the threshold policy-pack-config maxKeyRotationDays; no stack setting causes it",
    );
  });

  it("nothing to change yet, for a rule that could not run at preview", () => {
    expect(fixOf({ policy: "aws-s3-object-lock-retention", message: "journal-archive-object-lock: can't run during preview: rule.defaultRetention.days is unknown" }, "aws-us-east-1")).toEqual({
      source: { stackKeys: [], thresholds: [] },
      line: "from: a value unknown until pulumi up, which checks it then",
    });
  });
});
