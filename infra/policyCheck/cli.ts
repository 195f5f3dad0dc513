// The offline policy check: runs the Pulumi program on a real stack file under mocks, evaluates
// every rule of the pack on what it would create, and prints each violation with the stack-file key
// to change (or where it comes from when no stack setting can cause it) and the controls it breaks.
//   npm run policy:check -- --stack aws-us-east-1 [--config <key>=<value>]... [--preview] [--json] [--policy-pack-config file.json]
//   npm run policy:check -- --rules
// Exit status: 0 no mandatory violation, 1 mandatory violations, 2 bad arguments or a broken run.
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { type Cloud, CLOUDS } from "../config";
import { policyNames, resourcePolicies, stackPolicies } from "../../policies/policies";
import { controlsOf } from "../../policies/rule";
import { ruleCatalogue } from "./catalogue";
import { evaluate, type Violation } from "./evaluate";
import { fixOf } from "./fix";
import { runProgram } from "./mockRun";
import { stackFileConfig, stackFilePath } from "../stackFiles";

const USAGE = `usage: npm run policy:check -- --stack <name> [--config <key>=<value>]... [--preview] [--json] [--policy-pack-config <file.json>]
       npm run policy:check -- --rules
  --stack               a stack with a Pulumi.<stack>.yaml file (its cloud is the one the file names)
  --config              check as if the stack file set <key> (a path, as in a fix: line) to <value> (JSON, or text)
  --preview             as at a first preview, before anything exists
  --json                for machines
  --policy-pack-config  the JSON file \`pulumi preview --policy-pack-config\` takes
  --rules               list every rule, with the stack settings that can trip it`;

class UsageError extends Error {}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { stack: { type: "string" }, config: { type: "string", multiple: true }, preview: { type: "boolean" }, json: { type: "boolean" }, "policy-pack-config": { type: "string" }, rules: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return undefined;
  if (values.rules) return "rules" as const;
  const { stack } = values;
  if (!stack || !/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack is ${JSON.stringify(stack)}; name a stack with a Pulumi.<stack>.yaml file`);
  const file = stackFilePath(stack);
  if (!existsSync(file)) throw new UsageError(`--stack ${stack}: there is no ${relative(process.cwd(), file)}`);
  const cloud = stackFileConfig(stack)["email-journal:cloud"];
  if (!(CLOUDS as readonly unknown[]).includes(cloud)) throw new UsageError(`${relative(process.cwd(), file)} sets email-journal:cloud to ${JSON.stringify(cloud)}; set one of ${CLOUDS.join(", ")}`);
  const settings = changedSettings(stackFileConfig(stack), values.config ?? []);
  return { cloud: cloud as Cloud, stack, settings, preview: values.preview === true, json: values.json === true, config: packConfig(values["policy-pack-config"]) };
}

/**
 * `--config <key>=<value>`, as `pulumi config set --path` would write it: the stack file's
 * top-level values that change, each with the path inside it set (`email-journal:retention.mode`).
 */
function changedSettings(file: Readonly<Record<string, unknown>>, settings: readonly string[]): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const setting of settings) {
    const match = /^([A-Za-z0-9_-]+:[A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+)*)=(.*)$/s.exec(setting);
    if (!match) throw new UsageError(`--config ${setting}: give <key>=<value>, e.g. email-journal:retention.mode=compliance`);
    const [, key, path, text] = match;
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Plain text, as pulumi config set takes it.
    }
    const names = path.split(".").filter(Boolean);
    if (names.length === 0) {
      changed[key] = value;
      continue;
    }
    const root = structuredClone(changed[key] ?? file[key] ?? {}) as Record<string, unknown>;
    let node = root;
    for (const name of names.slice(0, -1)) {
      if (typeof node[name] !== "object" || node[name] === null) node[name] = {};
      node = node[name] as Record<string, unknown>;
    }
    node[names[names.length - 1]] = value;
    changed[key] = root;
  }
  return changed;
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

/** Each violation once: the resource detail, what to change, and the controls it breaks. */
function table(violations: readonly Violation[], stack: string): string {
  return violations
    .map((v) => [`  ${v.enforcementLevel.padEnd(9)} ${v.policy}`, v.message, fixOf(v, stack).line, `breaks: ${controlsOf(v.policy).join("; ") || "(no control)"}`].join(`\n${" ".repeat(12)}`))
    .join("\n");
}

async function main() {
  const parsed = options();
  if (!parsed || parsed === "rules") {
    process.stdout.write(`${parsed ? ruleCatalogue() : USAGE}\n`);
    return;
  }
  const { cloud, stack, settings, preview, json, config } = parsed;
  process.stderr.write(`running the program for ${stack} (${cloud}) under mocks${preview ? ", as at preview" : ""}…\n`);
  const run = await runProgram(stack, { preview, config: settings });
  process.stderr.write(`evaluating ${policyNames().length} rules on ${run.resources.length} resources…\n`);
  const violations = await evaluate(run.resources, { resource: resourcePolicies, stack: stackPolicies }, { config });
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
  if (json) {
    const report = { cloud, stack, preview, resources: run.resources.length, policies: policyNames(), violations: violations.map((v) => ({ ...v, ...fixOf(v, stack).source, controls: controlsOf(v.policy) })) };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`email-journal-compliance on ${cloud} stack ${stack}${preview ? " (as at preview)" : ""}: ${run.resources.length} resources, ${policyNames().length} rules\n`);
    if (violations.length > 0) process.stdout.write(`\n${table(violations, stack)}\n`);
    process.stdout.write(`\n${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)\n`);
  }
  // exit(), not exitCode: the Pulumi runtime under mocks leaves work that would keep the process up.
  process.stdout.write("", () => process.exit(mandatory.length > 0 ? 1 : 0));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof UsageError ? `${err.message}\n${USAGE}` : `policy check failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
  process.exit(2);
});
