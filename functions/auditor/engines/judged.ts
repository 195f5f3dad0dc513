// What a cloud query engine's SQL answers, turned into the answer every engine gives (query.ts):
// the SQL decides what it can, exactly, on billions of sidecars; the records it cannot decide alone
// (possible hits, and what a table's layout leaves ambiguous) it lists for the reference matcher to
// judge on their sidecars. The hits shown are read from the store too, since a hit carries its sidecar,
// and each is judged again, so that an engine never shows what the matcher would not.
import { byDate, hitOf, verdict, type Hit, type Query, type SearchResult, type Sidecar } from "../query";
import type { AuditorStore } from "../store";

/** The rows the engine's SQL returned. */
export interface JudgedRows {
  /** Records the SQL found to match, the first `limit` by (when, sha256): their keys (`meta/…/<sha256>.json`). */
  readonly hits: readonly string[];
  /** How many records the SQL found to match, however many it returned. */
  readonly total: number;
  /** Records the SQL could not decide alone, every one of them: the reference matcher judges each. */
  readonly undecided: readonly string[];
  /** What the engine wants the auditor to know (bytes scanned, the query's id). */
  readonly notes: readonly string[];
}

/** How many sidecars are read from the store at once. */
const READS_IN_FLIGHT = 16;

async function readAll(store: AuditorStore, keys: readonly string[], notes: string[]): Promise<Map<string, Sidecar>> {
  const out = new Map<string, Sidecar>();
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      const bytes = await store.get(key);
      if (!bytes) {
        notes.push(`${key} was named by the query engine but is not in ${store.location}: run verify`);
        continue;
      }
      try {
        out.set(key, JSON.parse(bytes.toString("utf8")) as Sidecar);
      } catch {
        notes.push(`${key} is not readable JSON: run verify`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, keys.length) }, worker));
  return out;
}

/** The search result for `rows`: hits and possible hits judged on their sidecars, in the order every engine uses. */
export async function judge(store: AuditorStore, query: Query, rows: JudgedRows, engine: string): Promise<SearchResult> {
  const notes = [...rows.notes];
  const sidecars = await readAll(store, [...new Set([...rows.hits, ...rows.undecided])], notes);
  const hits: Hit[] = [];
  const possible: Hit[] = [];
  let total = rows.total;
  for (const key of rows.hits) {
    const sidecar = sidecars.get(key);
    if (!sidecar) {
      total--;
      continue;
    }
    const outcome = verdict(sidecar, query);
    if (outcome.match === "yes") hits.push(hitOf(sidecar, outcome.notes));
    else {
      // The SQL and the reference disagree: the reference wins, and the auditor is told.
      total--;
      notes.push(`${engine} matched ${key}, which its sidecar does not (${outcome.match}): left out; please report this`);
      if (outcome.match === "possible") possible.push(hitOf(sidecar, outcome.notes));
    }
  }
  for (const key of rows.undecided) {
    const sidecar = sidecars.get(key);
    if (!sidecar) continue;
    const outcome = verdict(sidecar, query);
    if (outcome.match === "yes") {
      hits.push(hitOf(sidecar, outcome.notes));
      total++;
    } else if (outcome.match === "possible") possible.push(hitOf(sidecar, outcome.notes));
  }
  hits.sort(byDate);
  possible.sort(byDate);
  return { hits: query.limit === undefined ? hits : hits.slice(0, query.limit), total, possible, notes };
}

/** The archive key of an object URI (`s3://bucket/meta/…`, `gs://bucket/meta/…`): the path after the bucket. */
export function keyOfUri(uri: string, bucket: string): string {
  for (const scheme of ["s3://", "gs://"]) {
    const prefix = `${scheme}${bucket}/`;
    if (uri.startsWith(prefix)) return uri.slice(prefix.length);
  }
  throw new Error(`the query engine answered with ${uri}, which is not in the archive bucket ${bucket}`);
}

/** The days (`YYYY/MM/DD`) the records of a date range are filed under, first and last; none without a bound. */
export function dayRange(query: Pick<Query, "since" | "until">, now: Date = new Date()): { first?: string; last: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, "/");
  // A record is filed under the day of its `when` (query.ts): the last day is the one holding the instant before `until`.
  const last = query.until ? day(new Date(query.until.getTime() - 1)) : day(new Date(now.getTime() + 2 * 86_400_000));
  return { ...(query.since ? { first: day(query.since) } : {}), last };
}
