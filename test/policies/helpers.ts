// Runs single rules on hand-made resources through the same evaluator as the offline check
// (the policy server's proxy, config defaults, notApplicable), and breaks fixtures one property at a time.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluate, type EvaluatedResource } from "../../infra/policyCheck/evaluate";

export interface Fixture {
  readonly type: string;
  readonly name?: string;
  readonly inputs: Record<string, unknown>;
  readonly protect?: boolean;
}

const resource = (f: Fixture, i = 0): EvaluatedResource => {
  const name = f.name ?? `subject-${i}`;
  return { type: f.type, name, urn: `urn:pulumi:test::email-journal::${f.type}::${name}`, inputs: f.inputs, options: { protect: f.protect ?? true } };
};

/** The messages a resource rule reports on one resource. */
export async function resourceMessages(policy: ResourceValidationPolicy, fixture: Fixture, config?: Record<string, unknown>): Promise<string[]> {
  const found = await evaluate([resource(fixture)], { resource: [policy], stack: [] }, config ? { config: { [policy.name]: config } } : {});
  return found.map((v) => v.message);
}

/** The messages a stack rule reports on a set of resources. */
export async function stackMessages(policy: StackValidationPolicy, fixtures: readonly Fixture[], config?: Record<string, unknown>): Promise<string[]> {
  const found = await evaluate(fixtures.map(resource), { resource: [], stack: [policy] }, config ? { config: { [policy.name]: config } } : {});
  return found.map((v) => v.message);
}

/** A deep copy with the value at `path` (dots, array indexes as numbers) replaced, or removed when `value` is `REMOVE`. */
export const REMOVE = Symbol("remove");
export function changed<T>(value: T, path: string, replacement: unknown): T {
  const copy = structuredClone(value) as any;
  const keys = path.split(".");
  const parent = keys.slice(0, -1).reduce((node, key) => node[key], copy);
  const last = keys[keys.length - 1];
  if (replacement === REMOVE) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

export const policyDoc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
