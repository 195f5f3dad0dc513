// The engine any store has: list the sidecars of the date range and ask the reference matcher of
// each. Slow on a large archive (one read per sidecar), but needs nothing beyond the store.
import { parseKey } from "../core/layout";
import { byDate, hitOf, prefixesFor, verdict, type Hit, type Query, type SearchEngine, type SearchResult, type Sidecar } from "./query";
import type { AuditorStore } from "./store";

const READS_IN_FLIGHT = 16;

export interface ScanOptions {
  /** Called after each sidecar read, for a progress line. */
  readonly onProgress?: (read: number) => void;
}

export function scanEngine(store: AuditorStore, options: ScanOptions = {}): SearchEngine {
  return {
    name: "scan",
    async search(query: Query): Promise<SearchResult> {
      const hits: Hit[] = [];
      const possible: Hit[] = [];
      const notes: string[] = [];
      let read = 0;
      const look = async (key: string): Promise<void> => {
        const bytes = await store.get(key);
        if (!bytes) return;
        let sidecar: Sidecar;
        try {
          sidecar = JSON.parse(bytes.toString("utf8")) as Sidecar;
        } catch {
          notes.push(`${key} is not readable JSON: run verify`);
          return;
        }
        options.onProgress?.(++read);
        const outcome = verdict(sidecar, query);
        if (outcome.match === "yes") hits.push(hitOf(sidecar, outcome.notes));
        else if (outcome.match === "possible") possible.push(hitOf(sidecar, outcome.notes));
      };
      // A few reads in flight: a cloud store answers each in tens of milliseconds.
      const inFlight = new Set<Promise<void>>();
      for (const prefix of prefixesFor(query)) {
        for await (const { key } of store.list(prefix)) {
          if (parseKey(key)?.ext !== "json") continue;
          const reading: Promise<void> = look(key).finally(() => inFlight.delete(reading));
          inFlight.add(reading);
          if (inFlight.size >= READS_IN_FLIGHT) await Promise.race(inFlight);
        }
      }
      await Promise.all(inFlight);
      hits.sort(byDate);
      possible.sort(byDate);
      return { hits: query.limit === undefined ? hits : hits.slice(0, query.limit), total: hits.length, possible, notes };
    },
  };
}
