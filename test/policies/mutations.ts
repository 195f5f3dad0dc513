// Editing a recorded stack the way a careless change would: one resource edited or dropped.
import { describe, expect, it } from "vitest";
import { evaluate } from "../../infra/policyCheck/evaluate";
import type { ProgramRun, RecordedResource } from "../../infra/policyCheck/mockRun";
import { resourcePolicies, stackPolicies } from "../../policies/policies";

export type Resources = RecordedResource[];

/** The stack with every resource of `type` whose name contains `name` edited by `change`. */
export const edit = (resources: Resources, type: string, name: string, change: (inputs: any) => void, options?: RecordedResource["options"]): Resources =>
  resources.map((r) => {
    if (r.type !== type || !r.name.includes(name)) return r;
    const inputs = structuredClone(r.inputs);
    change(inputs);
    return { ...r, inputs, options: options ?? r.options };
  });

export const drop = (resources: Resources, type: string, name = ""): Resources => resources.filter((r) => r.type !== type || !r.name.includes(name));

/** A careless change, and the rule that must catch it. */
export type Mutation = [what: string, mutate: (resources: Resources) => Resources, policy: string];

/**
 * The whole pack on a real stack the program built: no violation as it stands, every mutation caught
 * by its rule as mandatory with a message that names the resource and the fix, and the detection
 * rate printed for the note.
 */
export function packCatches(stack: string, run: () => ProgramRun, mutations: readonly Mutation[], minimumResources: number): void {
  const pack = { resource: resourcePolicies, stack: stackPolicies };
  describe(`the pack on the ${stack} stack`, () => {
    it("finds no violation of any rule", async () => {
      expect(run().resources.length).toBeGreaterThan(minimumResources);
      expect(await evaluate(run().resources, pack)).toEqual([]);
    });

    const caught: string[] = [];
    it.each(mutations)("catches: %s", async (what, mutate, policy) => {
      const found = (await evaluate(mutate(run().resources), pack)).filter((v) => v.enforcementLevel === "mandatory");
      expect(found.map((v) => v.policy)).toContain(policy);
      for (const v of found) expect(v.message).toMatch(/^\S+: .+; .+/);
      caught.push(what);
    });

    it("reports the detection rate", () => {
      console.log(`policy pack: ${caught.length}/${mutations.length} mutations of the ${stack} stack caught, 0 false positives on the unmodified stack`);
      expect(caught).toHaveLength(mutations.length);
    });
  });
}
