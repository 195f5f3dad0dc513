// How every rule of the pack is declared: a name, what it checks, the controls it serves,
// the resource types it looks at, and a check that reports problems. Messages always read
// "<resource>: <property> is <value found>; <fix>".
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Control } from "./controls";
import { type Settings, settingsOf, settingsSchema } from "./settings";

export type Report = (message: string) => void;

interface RuleSpec {
  /** Policy name, `<cloud>-<subject>-<guarantee>`. */
  readonly name: string;
  /** What a compliant stack has; the controls are appended. */
  readonly description: string;
  readonly controls: readonly Control[];
  /** Mandatory unless said otherwise. */
  readonly enforcementLevel?: "mandatory" | "advisory";
}

const controlsByPolicy = new Map<string, readonly Control[]>();

/** The controls a policy serves, for reports grouped by control. */
export const controlsOf = (policy: string): readonly Control[] => controlsByPolicy.get(policy) ?? [];

function register(spec: RuleSpec) {
  controlsByPolicy.set(spec.name, spec.controls);
  return { name: spec.name, description: `${spec.description} [${spec.controls.join("; ")}]`, enforcementLevel: spec.enforcementLevel ?? "mandatory", configSchema: settingsSchema };
}

/** A value as a message shows it: JSON, or "not set". */
export function shown(value: unknown): string {
  return value === undefined || value === null ? "not set" : JSON.stringify(value);
}

/** "<property> is <found>; <fix>". */
export const problem = (property: string, found: unknown, fix: string) => `${property} is ${shown(found)}; ${fix}`;

export function resourceRule(
  spec: RuleSpec & {
    /** Pulumi type tokens the rule applies to. */
    readonly types: readonly string[];
    readonly check: (props: any, report: Report, settings: Settings, args: ResourceValidationArgs) => void;
  },
): ResourceValidationPolicy {
  return {
    ...register(spec),
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (!spec.types.includes(args.type)) return;
      spec.check(args.props, (message) => reportViolation(`${args.name}: ${message}`), settingsOf(args.getConfig()), args);
    },
  };
}

export function stackRule(
  spec: RuleSpec & { readonly check: (resources: readonly PolicyResource[], report: (message: string, urn?: string) => void, settings: Settings) => void },
): StackValidationPolicy {
  return {
    ...register(spec),
    validateStack: (args, reportViolation) => spec.check(args.resources, (message, urn) => reportViolation(message, urn), settingsOf(args.getConfig())),
  };
}

/** Stands for a value the policy server could not know at preview (e.g. the ARN of a key not yet created). */
export const UNKNOWN_AT_PREVIEW = Symbol("unknown at preview");

/**
 * Reads a property that may be unknown at preview without ending the rule's evaluation, so that
 * the rule still checks everything else. An unknown value is set, to something the stack computes.
 */
export function read<T>(get: () => T): T | typeof UNKNOWN_AT_PREVIEW {
  try {
    return get();
  } catch (err) {
    if ((err as Error | undefined)?.constructor?.name === "UnknownValueError") return UNKNOWN_AT_PREVIEW;
    throw err;
  }
}

/** Whether a customer-managed key is named: set (known or not) and not the AWS-managed alias. */
export function namesCustomerKey(get: () => unknown, awsManagedAlias?: string): boolean {
  const key = read(get);
  return key === UNKNOWN_AT_PREVIEW || (typeof key === "string" && key !== "" && !(awsManagedAlias && key.endsWith(awsManagedAlias)));
}
