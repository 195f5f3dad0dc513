// Search through the local index: the index finds the records, only those records' sidecars are
// decrypted, and each is checked again by the reference matcher, so a keyed-hash collision can
// add nothing to the answer.
import { byDate, hitOf, verdict, type Hit, type Query, type SearchEngine, type SearchResult, type Sidecar } from "../query";
import { sidecarKeyOf, type SearchIndex } from "./searchIndex";

export function indexEngine(index: SearchIndex, read: (key: string) => Promise<Buffer | undefined>): SearchEngine {
  const sidecarOf = async (key: string): Promise<Sidecar | undefined> => {
    const bytes = await read(sidecarKeyOf(key));
    return bytes ? (JSON.parse(bytes.toString("utf8")) as Sidecar) : undefined;
  };
  return {
    name: "index",
    async search(query: Query): Promise<SearchResult> {
      const answer = index.find(query, query.limit);
      const notes: string[] = [];
      const hits: Hit[] = [];
      let refuted = 0;
      for (const record of answer.records) {
        const sidecar = await sidecarOf(record.key);
        const outcome = sidecar ? verdict(sidecar, query) : undefined;
        if (sidecar && outcome?.match === "yes") hits.push(hitOf(sidecar, outcome.notes));
        else refuted++;
      }
      const possible: Hit[] = [];
      for (const record of answer.cut) {
        const sidecar = await sidecarOf(record.key);
        const outcome = sidecar ? verdict(sidecar, query) : undefined;
        if (sidecar && outcome?.match === "possible") possible.push(hitOf(sidecar, outcome.notes));
      }
      if (refuted > 0) notes.push(`${refuted} record(s) the index named did not match their sidecar (a keyed-hash collision, or a missing sidecar: run verify)`);
      const pending = index.pending();
      if (pending.length > 0) notes.push(`${pending.length} audited record(s) not in the index: their sidecar could not be read (${pending[0].key}: ${pending[0].problem})`);
      return { hits: hits.sort(byDate), total: answer.total - refuted, possible: possible.sort(byDate), notes };
    },
  };
}
