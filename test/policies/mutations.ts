// Editing a recorded stack the way a careless change would: one resource edited or dropped.
import type { RecordedResource } from "../../policies/check/mockRun";

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
