// The offline policy check: runs the Pulumi program on a real stack file under mocks, evaluates
// every rule of the pack on what it would create, and prints the violations grouped by control.
//   npm run policy:check -- --cloud aws --stack prod [--preview] [--json] [--policy-pack-config file.json]
// Exit status: 0 no mandatory violation, 1 mandatory violations, 2 bad arguments or a broken run.
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { type Cloud, CLOUDS } from "../../infra/config";
import { policyNames, resourcePolicies, stackPolicies } from "../policies";
import { controlsOf } from "../rule";
import { evaluate, type Violation } from "./evaluate";
import { runProgram } from "./mockRun";
import { stackFileConfig, stackFilePath } from "./stackFiles";

const USAGE = "usage: npm run policy:check -- --cloud <aws|azure|gcp> --stack <name> [--preview] [--json] [--policy-pack-config <file.json>]";

class UsageError extends Error {}

function options() {
  const { values } = parseArgs({
    options: { cloud: { type: "string" }, stack: { type: "string" }, preview: { type: "boolean" }, json: { type: "boolean" }, "policy-pack-config": { type: "string" } },
    strict: true,
  });
  const { cloud, stack } = values;
  if (!cloud || !(CLOUDS as readonly string[]).includes(cloud)) throw new UsageError(`--cloud is ${JSON.stringify(cloud)}; use one of ${CLOUDS.join(", ")}`);
  if (!stack || !/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack is ${JSON.stringify(stack)}; name a stack with a Pulumi.<stack>.yaml file`);
  const file = stackFilePath(stack, cloud);
  if (!existsSync(file)) throw new UsageError(`--stack ${stack} --cloud ${cloud}: there is no ${relative(process.cwd(), file)} (nor a Pulumi.${stack}.yaml that deploys ${cloud})`);
  const deploys = stackFileConfig(stack, cloud)["email-journal:cloud"];
  if (deploys !== cloud) throw new UsageError(`--cloud ${cloud}: ${relative(process.cwd(), file)} deploys ${JSON.stringify(deploys)}; set email-journal:cloud there`);
  return { cloud, stack, preview: values.preview === true, json: values.json === true, config: packConfig(values["policy-pack-config"]) };
}

/** The file `pulumi preview --policy-pack-config` takes: { "<policy>": { "<setting>": value } }. */
function packConfig(file: string | undefined): Record<string, Record<string, unknown>> | undefined {
  if (!file) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`--policy-pack-config ${file}: ${err instanceof Error ? err.message : String(err)}; give a JSON file`);
  }
  const known = new Set(policyNames());
  const entries = Object.entries((parsed ?? {}) as Record<string, unknown>).filter(([name]) => name !== "all");
  const unknown = entries.filter(([name, value]) => !known.has(name) || typeof value !== "object" || value === null).map(([name]) => name);
  if (unknown.length > 0) throw new UsageError(`--policy-pack-config ${file}: ${unknown.join(", ")} not a rule of the pack with an object of settings; rules: ${[...known].join(", ")}`);
  return Object.fromEntries(entries) as Record<string, Record<string, unknown>>;
}

/** Violations under each control they break; one violation may break several. */
function byControl(violations: readonly Violation[]): Map<string, Violation[]> {
  const groups = new Map<string, Violation[]>();
  for (const violation of violations) {
    for (const control of controlsOf(violation.policy).length > 0 ? controlsOf(violation.policy) : ["(no control)"]) {
      groups.set(control, [...(groups.get(control) ?? []), violation]);
    }
  }
  return groups;
}

function table(violations: readonly Violation[]): string {
  const lines: string[] = [];
  for (const [control, found] of [...byControl(violations)].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`\n${control} (${found.length})`);
    for (const v of found) lines.push(`  ${v.enforcementLevel.padEnd(9)} ${v.policy.padEnd(42)} ${v.message}`);
  }
  return lines.join("\n");
}

async function main() {
  const { cloud, stack, preview, json, config } = options();
  const run = await runProgram(stack, { preview, cloud: cloud as Cloud });
  const violations = await evaluate(run.resources, { resource: resourcePolicies, stack: stackPolicies }, { config });
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
  if (json) {
    const report = { cloud, stack, preview, resources: run.resources.length, policies: policyNames(), violations: violations.map((v) => ({ ...v, controls: controlsOf(v.policy) })) };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`email-journal-compliance on ${cloud} stack ${stack}${preview ? " (as at preview)" : ""}: ${run.resources.length} resources, ${policyNames().length} rules\n`);
    if (violations.length > 0) process.stdout.write(`${table(violations)}\n`);
    process.stdout.write(`\n${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)\n`);
  }
  process.exit(mandatory.length > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof UsageError ? `${err.message}\n${USAGE}` : `policy check failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(2);
});
