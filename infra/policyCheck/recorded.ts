// What a program run under mocks recorded, read the same way by the archive's and the governance
// project's runs (infra/policyCheck/mockRun.ts, governance/check/mockRun.ts).

/** Registrations finish asynchronously: waits until no new resource appears for a while. */
export async function settled(resources: readonly unknown[]): Promise<void> {
  for (let stable = 0, seen = -1; stable < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    stable = resources.length === seen ? stable + 1 : 0;
    seen = resources.length;
  }
}

/** The recorded resources of a type, and the one of a type (whose name includes a part) that must be alone. */
export function lookups<R extends { readonly type: string; readonly name: string }>(resources: readonly R[]) {
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const one = (type: string, nameIncludes?: string): R => {
    const found = ofType(type).filter((r) => !nameIncludes || r.name.includes(nameIncludes));
    if (found.length !== 1) throw new Error(`expected one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0];
  };
  return { ofType, one };
}
