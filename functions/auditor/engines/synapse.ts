// Search on Azure through the stack's Synapse serverless SQL pool (infra/azure/search.ts): one T-SQL
// statement over the archive's sidecars (synapseSql.ts), run as the signed-in auditor, whose own
// Entra identity reads the container (Microsoft Entra pass-through: "Control storage account access
// for serverless SQL pool in Azure Synapse Analytics", User identity). The SQL counts the hits it can
// decide exactly and names them; the records it cannot decide alone it names too, and the reference
// matcher judges those, and every hit shown, on their sidecars read from the store (judged.ts).
import type { Query, SearchEngine, SearchResult } from "../query";
import type { AuditorStore } from "../store";
import { judge } from "./judged";
import { planSearch, renderSearch, type SqlParameter } from "./synapseSql";

/** Runs one statement with its parameters and returns its rows, column name to value. */
export interface SqlRunner {
  query(sql: string, parameters: readonly SqlParameter[]): Promise<Array<Record<string, unknown>>>;
}

/** What the stack names (infra/azure/search.ts): the workspace's serverless SQL endpoint. */
export interface SynapseTarget {
  /** `<workspace>-ondemand.sql.azuresynapse.net`: the stack output searchSqlEndpoint. */
  readonly endpoint: string;
}

export interface SynapseEngineOptions {
  readonly runner: SqlRunner;
  /** The archive, for the sidecars of the hits and of the records the SQL leaves to the matcher. */
  readonly store: AuditorStore;
  /** `https://<account>.blob.core.windows.net/<container>`: where the SQL reads the sidecars. */
  readonly containerUrl: string;
  /** The most undecided records judged in one search (each is one read from the store). */
  readonly undecidedCap?: number;
}

export const ENGINE_NAME = "synapse";
const DEFAULT_UNDECIDED_CAP = 10_000;

export function synapseEngine(options: SynapseEngineOptions): SearchEngine {
  const cap = options.undecidedCap ?? DEFAULT_UNDECIDED_CAP;
  const prefix = `${options.containerUrl}/`;
  const keyOf = (path: unknown) => {
    const text = String(path);
    if (!text.startsWith(prefix)) throw new Error(`Synapse answered with ${text}, which is not in the archive container ${options.containerUrl}`);
    return decodeURIComponent(text.slice(prefix.length));
  };
  return {
    name: ENGINE_NAME,
    async search(query: Query): Promise<SearchResult> {
      // A limit of 0 still needs one hit row, which carries the count.
      const rendered = renderSearch(planSearch(query), { containerUrl: options.containerUrl, ...(query.limit !== undefined ? { limit: Math.max(1, query.limit) } : {}), undecidedCap: cap });
      const rows = await options.runner.query(rendered.sql, rendered.parameters);
      const of = (kind: number) => rows.filter((r) => Number(r.kind) === kind);
      const hits = of(1);
      const undecided = of(2);
      const unreadable = of(3);
      const totalOf = (list: typeof rows) => (list.length > 0 ? Number(list[0].total) : 0);
      const notes: string[] = [];
      if (undecided.length > 0) {
        notes.push(`${ENGINE_NAME}: ${totalOf(undecided)} record(s) T-SQL cannot decide exactly (text that is not plain ASCII, a cut sidecar, an unusual date) were judged by the reference matcher on their sidecars`);
      }
      if (totalOf(undecided) > cap) {
        notes.push(`${ENGINE_NAME}: only the first ${cap} of ${totalOf(undecided)} undecided records by date were judged, so the count and the possible hits may be short: narrow the date range`);
      }
      if (unreadable.length > 0) notes.push(`${totalOf(unreadable)} sidecar(s) are not readable JSON (the first: ${keyOf(unreadable[0].path)}): run verify`);
      return judge(options.store, query, { hits: hits.map((r) => keyOf(r.path)), total: totalOf(hits), undecided: undecided.map((r) => keyOf(r.path)), notes }, ENGINE_NAME);
    },
  };
}
