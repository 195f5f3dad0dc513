// What to change for a violation: the stack-file key when a stack setting can cause it, otherwise
// where it comes from (the program, or a threshold of the pack's config). The rule declares its
// causes (policies/rule.ts); this says them to whoever runs the offline check.
import { sourceOf, type Source } from "../../policies/rule";
import type { Violation } from "./evaluate";

/** The marker evaluate() gives a rule that could not run at preview (a value still unknown). */
const UNKNOWN_AT_PREVIEW = "can't run during preview";

export interface Fix {
  readonly source: Source;
  /** One line: `fix: set <key> in Pulumi.<stack>.yaml`, or `from: …`. */
  readonly line: string;
}

export function fixOf(violation: Pick<Violation, "policy" | "message">, stack: string): Fix {
  if (violation.message.includes(UNKNOWN_AT_PREVIEW)) return { source: { stackKeys: [], thresholds: [] }, line: "from: a value unknown until pulumi up, which checks it then" };
  const source = sourceOf(violation.policy, violation.message);
  const thresholds = source.thresholds.length > 0 ? `policy-pack-config ${source.thresholds.join(", ")}` : undefined;
  if (source.stackKeys.length > 0) {
    const measured = thresholds ? ` (measured against ${thresholds})` : "";
    return { source, line: `fix: set ${source.stackKeys.join(" or ")} in Pulumi.${stack.split("/").pop()}.yaml${measured}` };
  }
  return { source, line: `from: the program (infra/)${thresholds ? ` or the threshold ${thresholds}` : ""}; no stack setting causes it` };
}
