// `journal hold set | clear | list --case ID`: legal holds by case, on message ids or a search's hits.
import { checkCase, clearHolds, listHolds, setHolds, type HoldChange } from "../holds";
import { openTarget } from "../open";
import { options, print, target, TARGET_OPTIONS, TARGET_USAGE, UsageError } from "./args";
import { QUERY_OPTIONS, QUERY_USAGE, selectRecords } from "./search";

const USAGE = `usage: npm run journal -- hold <set|clear|list> --case ID [SHA256 …] [--id SHA256 …] [filters] [--json] [${TARGET_USAGE}]
  set     put the messages under legal hold for the case: the ids given, or every hit of the filters
  clear   end the case's hold on the ids given, or on all of the case's messages when none are given;
          the store's hold stays while another case still holds a message. Retention is never shortened
  list    every message the case holds or held: who set and cleared it, when, and the store's hold now
Each change is audited (hold-set / hold-cleared, with the case and the person).
${QUERY_USAGE}`;

function summary(changes: readonly HoldChange[]): string {
  const count = (outcome: HoldChange["outcome"]) => changes.filter((c) => c.outcome === outcome).length;
  const lines = changes.map((c) => `${c.outcome.padEnd(8)}  ${c.sha256}  ${c.key}${c.otherCases.length > 0 ? `  (also held by ${c.otherCases.join(", ")})` : ""}`);
  const totals = [["set", "held now"], ["already", "already held by this case"], ["cleared", "released"], ["kept", "still held by another case"], ["not-held", "not held by this case"]] as const;
  lines.push(totals.filter(([o]) => count(o) > 0).map(([o, words]) => `${count(o)} ${words}`).join("; ") || "nothing to do");
  return lines.join("\n");
}

export async function holdCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === "--help" || action === "-h" || action === "help") {
    print(USAGE);
    return 0;
  }
  if (action !== "set" && action !== "clear" && action !== "list") throw new UsageError(`hold needs set, clear or list, got "${action ?? ""}"`, USAGE);
  const { values, positionals } = options(rest, { ...QUERY_OPTIONS, ...TARGET_OPTIONS, case: { type: "string" }, id: { type: "string", multiple: true }, json: { type: "boolean" } }, USAGE, Number.MAX_SAFE_INTEGER);
  let caseId: string;
  try {
    caseId = checkCase(values.case);
  } catch (err) {
    throw new UsageError((err as Error).message, USAGE);
  }
  const archive = await openTarget({ ...target(values, USAGE), role: action === "list" ? "auditor" : "hold-admin" });
  try {
    if (action === "list") {
      if (positionals.length > 0 || (values.id ?? []).length > 0) throw new UsageError("hold list takes only --case", USAGE);
      const holds = await listHolds(archive.store, caseId);
      if (values.json) print(JSON.stringify({ case: caseId, archive: archive.store.location, holds }, null, 2));
      else {
        for (const h of holds) {
          const state = h.storeHold === undefined ? "OBJECT MISSING" : h.storeHold ? "store hold on" : "store hold off";
          const mismatch = h.storeHold !== undefined && h.active && !h.storeHold ? "  [the case holds it but the store's hold is off: set it again]" : "";
          print(`${h.active ? "held    " : "released"}  ${h.sha256}  ${h.key}  set ${h.setAt} by ${h.setBy}${h.clearedAt ? `, cleared ${h.clearedAt} by ${h.clearedBy}` : ""}; ${state}${h.retainUntil ? `, retained until ${h.retainUntil}` : ""}${h.otherCases.length > 0 ? `; also held by ${h.otherCases.join(", ")}` : ""}${mismatch}`);
        }
        print(`case ${caseId}: ${holds.filter((h) => h.active).length} message(s) held, ${holds.filter((h) => !h.active).length} released`);
      }
      return 0;
    }
    const clearAll = action === "clear" && positionals.length === 0 && (values.id ?? []).length === 0 && !Object.keys(QUERY_OPTIONS).some((k) => values[k as keyof typeof QUERY_OPTIONS] !== undefined);
    const selected = clearAll ? undefined : await selectRecords(values, positionals, archive, USAGE);
    const changes = action === "set" ? await setHolds(archive.store, caseId, selected!.targets) : await clearHolds(archive.store, caseId, selected?.targets);
    if (values.json) print(JSON.stringify({ case: caseId, archive: archive.store.location, action, ...(selected ? { query: selected.query } : {}), changes }, null, 2));
    else {
      print(summary(changes));
      if (selected && selected.possible > 0) print(`note: ${selected.possible} possible hit(s) of the search were not ${action === "set" ? "held" : "released"}: \`search\` lists them; give their ids to include them`);
    }
    return 0;
  } finally {
    await archive.close();
  }
}
