// How every rule of the pack is declared: a name, what it checks, the controls it serves,
// the resource types it looks at, and a check that reports problems. Messages always read
// "<resource>: <property> is <value found>; <fix>".
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Control } from "./controls";
import { type Settings, settingsOf, settingsSchema, type Threshold } from "./settings";

export type Report = (message: string) => void;

/** A key of a stack file (Pulumi.<stack>.yaml), as `pulumi config set --path` names it. */
export type StackKey = `email-journal:${string}`;

/**
 * A setting outside the program that a violation can come from, so that whoever reads the
 * violation is pointed at what to change rather than at a resource property.
 */
export interface Cause {
  /** Text every message of such a violation contains: the property (or phrase) it reports. */
  readonly names: string;
  /** The stack-file key the program builds that property from. */
  readonly stackKey?: StackKey;
  /** The pack's thresholds (policy-pack-config) the property is measured against. */
  readonly thresholds?: readonly Threshold[];
}

interface RuleSpec {
  /** Policy name, `<cloud>-<subject>-<guarantee>`. */
  readonly name: string;
  /** What a compliant stack has; the controls are appended. */
  readonly description: string;
  readonly controls: readonly Control[];
  /** Mandatory unless said otherwise. */
  readonly enforcementLevel?: "mandatory" | "advisory";
  /**
   * The stack settings and pack thresholds this rule's violations can come from. A violation
   * that names none of them comes from the program: no stack setting can cause it.
   */
  readonly causes?: readonly Cause[];
}

/** What the pack declares about each of its rules, by policy name. */
export interface RuleInfo {
  readonly name: string;
  /** The description without its controls. */
  readonly summary: string;
  readonly controls: readonly Control[];
  readonly enforcementLevel: "mandatory" | "advisory";
  readonly causes: readonly Cause[];
}

const rules = new Map<string, RuleInfo>();

/** What the pack declares about a policy, or undefined for one it does not have. */
export const ruleInfo = (policy: string): RuleInfo | undefined => rules.get(policy);

/** The controls a policy serves, for reports grouped by control. */
export const controlsOf = (policy: string): readonly Control[] => rules.get(policy)?.controls ?? [];

/** Where a violation comes from: the stack-file keys to change (none: the program), and the thresholds it was measured against. */
export interface Source {
  readonly stackKeys: readonly StackKey[];
  readonly thresholds: readonly Threshold[];
}

/** Where one violation of `policy`, reported with `message`, comes from. */
export function sourceOf(policy: string, message: string): Source {
  const causes = (rules.get(policy)?.causes ?? []).filter((cause) => message.includes(cause.names));
  const unique = <T>(values: readonly (T | undefined)[]) => [...new Set(values.filter((v): v is T => v !== undefined))];
  return { stackKeys: unique(causes.map((c) => c.stackKey)), thresholds: unique(causes.flatMap((c) => c.thresholds ?? [])) };
}

function register(spec: RuleSpec) {
  const controls = [...new Set(spec.controls)];
  const enforcementLevel = spec.enforcementLevel ?? "mandatory";
  rules.set(spec.name, { name: spec.name, summary: spec.description, controls, enforcementLevel, causes: spec.causes ?? [] });
  return { name: spec.name, description: `${spec.description} [${controls.join("; ")}]`, enforcementLevel, configSchema: settingsSchema };
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
