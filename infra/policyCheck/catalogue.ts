// Every rule of the pack, one line each, grouped by cloud: what it checks, whether it blocks, and
// the stack settings and pack thresholds that can trip it. `npm run policy:check -- --rules` prints it, and
// docs/policy-pack.md carries it (a test keeps the two the same).
import { policyNames } from "../../policies/policies";
import { ruleInfo, type RuleInfo } from "../../policies/rule";

const GROUPS: readonly [heading: string, belongs: (name: string) => boolean][] = [
  ["AWS", (name) => name.startsWith("aws-")],
  ["Azure", (name) => name.startsWith("azure-")],
  ["Google Cloud", (name) => name.startsWith("gcp-")],
  ["Every cloud", (name) => !/^(aws|azure|gcp)-/.test(name)],
];

function line(rule: RuleInfo): string {
  const listed = (values: readonly string[]) => [...new Set(values)].map((v) => `\`${v}\``).join(", ");
  const keys = listed(rule.causes.flatMap((c) => (c.stackKey ? [c.stackKey] : [])));
  const thresholds = listed(rule.causes.flatMap((c) => c.thresholds ?? []));
  const level = rule.enforcementLevel === "advisory" ? " (advisory)" : "";
  return `- \`${rule.name}\`${level}: ${rule.summary}.${keys ? ` Stack settings: ${keys}.` : ""}${thresholds ? ` Thresholds: ${thresholds}.` : ""}`;
}

export function ruleCatalogue(): string {
  const rules = policyNames().map((name) => {
    const rule = ruleInfo(name);
    if (!rule) throw new Error(`${name} was not declared through policies/rule.ts`);
    return rule;
  });
  return GROUPS.map(([heading, belongs]) => [`#### ${heading}`, "", ...rules.filter((r) => belongs(r.name)).map(line)].join("\n")).join("\n\n");
}
