// Runs the pack's rules on recorded resources the way the policy server of @pulumi/policy
// does: props wrapped in its own unknownCheckingProxy (a value unknown at preview throws,
// and the run becomes an advisory "can't run during preview"), stackTags, getConfig, and
// notApplicable() ending a rule's evaluation. A rule that passes here cannot crash for real.
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

// The policy server's own proxy. Its typings mark these @internal, but the module exports them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError, unknownStringValue } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T>(value: T): T;
  UnknownValueError: new (...args: unknown[]) => Error;
  unknownStringValue: string;
};

/** What the policy server puts where a value is unknown at preview (the server's string marker). */
export const UNKNOWN = unknownStringValue;

export interface EvaluatedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Record<string, unknown>;
  readonly options?: { protect?: boolean; retainOnDelete?: boolean };
}

export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: string;
  readonly message: string;
  readonly urn?: string;
}

class NotApplicable extends Error {}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

export interface EvaluateOptions {
  /** Values for the pack's config schema, by policy name; the schema's defaults fill the rest. */
  readonly config?: Readonly<Record<string, Record<string, unknown>>>;
  readonly stackTags?: ReadonlyMap<string, string>;
}

function configFor(policy: ResourceValidationPolicy | StackValidationPolicy, options: EvaluateOptions): Record<string, unknown> {
  const defaults = Object.fromEntries(Object.entries(policy.configSchema?.properties ?? {}).map(([key, schema]) => [key, (schema as { default?: unknown }).default]));
  return { ...defaults, ...(options.config?.[policy.name] ?? {}) };
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export async function evaluate(
  resources: readonly EvaluatedResource[],
  policies: { resource: readonly ResourceValidationPolicy[]; stack: readonly StackValidationPolicy[] },
  options: EvaluateOptions = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const stackTags = options.stackTags ?? new Map<string, string>();
  const run = async (policy: ResourceValidationPolicy | StackValidationPolicy, call: (report: (message?: string, urn?: string) => void) => unknown, urn?: string, name?: string) => {
    const level = policy.enforcementLevel ?? "mandatory";
    if (level === "disabled") return;
    const report = (message?: string, at?: string) => violations.push({ policy: policy.name, enforcementLevel: level, message: message ?? policy.description, urn: at ?? urn });
    try {
      await call(report);
    } catch (err) {
      if (err instanceof NotApplicable) return;
      if (err instanceof UnknownValueError) {
        violations.push({ policy: policy.name, enforcementLevel: "advisory", message: `${name ?? "stack"}: can't run during preview: ${err.message}`, urn });
        return;
      }
      throw new Error(`policy ${policy.name} crashed on ${urn ?? "the stack"}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  for (const policy of policies.resource) {
    const validations = ([] as unknown[]).concat(policy.validateResource ?? []) as ((args: ResourceValidationArgs, report: (m?: string) => void) => unknown)[];
    for (const resource of resources) {
      for (const validate of validations) {
        const props = unknownCheckingProxy(copy(resource.inputs));
        const args = {
          type: resource.type,
          props,
          urn: resource.urn,
          name: resource.name,
          opts: { protect: resource.options?.protect ?? false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
          stackTags,
          isType: () => false,
          asType: () => undefined,
          getConfig: () => configFor(policy, options),
          notApplicable,
        } as unknown as ResourceValidationArgs;
        await run(policy, (report) => validate(args, report), resource.urn, resource.name);
      }
    }
  }

  const stackResources = resources.map(
    (r) =>
      ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: unknownCheckingProxy(copy(r.inputs)),
        opts: { protect: r.options?.protect ?? false },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }) as unknown as PolicyResource,
  );
  for (const policy of policies.stack) {
    const args = { resources: stackResources, getConfig: () => configFor(policy, options), stackTags, notApplicable } as unknown as StackValidationArgs;
    await run(policy, (report) => policy.validateStack(args, report));
  }
  return violations;
}
