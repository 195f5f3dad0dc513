// Keeps the search index complete from the archive's own audit trail: every `ingested` and
// `quarantined` line names a record, whichever process wrote it, so reading the trail from where the
// index stopped finds every record since, and a crash mid-update only means reading some lines again
// (adding a record is idempotent). The trail's lines are not verified here (that is `verify`'s work):
// every sidecar is read through the store, which authenticates it, and a line that does not continue
// the chain the index followed makes it start again from the beginning.
import { open } from "node:fs/promises";
import { parseKey } from "../../core/layout";
import { logPath, rawLines } from "../../local/auditLog";
import type { Sidecar } from "../query";
import { sidecarKeyOf, type SearchIndex, type TrailPosition } from "./searchIndex";

/** What the indexer reads: the archive folder (for its trail) and its object store. */
export interface IndexSource {
  readonly dir: string;
  readonly store: {
    get(key: string): Promise<Buffer | undefined>;
    keys(prefix: string): Promise<string[]>;
  };
}

interface TrailLine {
  readonly seq: number;
  readonly prev: string;
  readonly mac: string;
  readonly action: string;
  readonly key?: string;
}

const BATCH = 2000;
const CHUNK = 1024 * 1024;

/** Complete trail lines from byte `from`, each with the offset just past it; a torn or unreadable last line ends it. */
async function* linesFrom(dir: string, from: number): AsyncGenerator<{ line: TrailLine; end: number }> {
  for await (const raw of rawLines(logPath(dir), from)) {
    if (!raw.complete) return;
    let line: TrailLine;
    try {
      line = JSON.parse(raw.text) as TrailLine;
    } catch {
      return;
    }
    yield { line, end: raw.end };
  }
}

/** Whether the trail still holds, ending at `at.offset`, the line the index last read. */
async function stillFollows(dir: string, at: TrailPosition): Promise<boolean> {
  if (at.offset === 0) return at.seq === 0;
  const file = await open(logPath(dir), "r").catch(() => undefined);
  if (!file) return false;
  try {
    const window = Math.min(at.offset, CHUNK);
    const bytes = Buffer.alloc(window);
    const { bytesRead } = await file.read(bytes, 0, window, at.offset - window);
    if (bytesRead !== window || bytes[window - 1] !== 0x0a) return false;
    const body = bytes.subarray(0, window - 1);
    const line = JSON.parse(body.subarray(body.lastIndexOf(0x0a) + 1).toString("utf8")) as Partial<TrailLine>;
    return line.seq === at.seq && line.mac === at.mac;
  } catch {
    return false;
  } finally {
    await file.close();
  }
}

async function readSidecar(source: IndexSource, key: string): Promise<{ sidecar?: Sidecar; problem?: string }> {
  try {
    const bytes = await source.store.get(key);
    if (!bytes) return { problem: "not there yet (the writer links it just after its audit line)" };
    return { sidecar: JSON.parse(bytes.toString("utf8")) as Sidecar };
  } catch (err) {
    return { problem: `unreadable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface CatchUp {
  /** Records added to the index. */
  readonly added: number;
  /** Audited records whose sidecar could not be read yet, or at all. */
  readonly pending: number;
  /** Whether the index had to start again from the beginning of the trail. */
  readonly restarted: boolean;
}

/** Reads the trail from where the index stopped and indexes each record it created. */
export async function catchUp(index: SearchIndex, source: IndexSource): Promise<CatchUp> {
  let added = 0;
  let restarted = false;
  // Sidecars not there when their line was read: tried again each time.
  const retried = index.pending();
  const settled: string[] = [];
  const found: Sidecar[] = [];
  for (const { key } of retried) {
    const { sidecar } = await readSidecar(source, key);
    if (sidecar) (found.push(sidecar), settled.push(key));
  }
  // A trail that no longer holds the line the index stopped at was replaced (or restored from a copy): start again.
  const last = index.position();
  if (last && !(await stillFollows(source.dir, last))) {
    index.clear();
    restarted = true;
  }
  for (;;) {
    const from = index.position();
    const sidecars: Sidecar[] = found.splice(0);
    const pending: Array<[string, string]> = [];
    let to: TrailPosition | undefined = from;
    let lines = 0;
    let broken = false;
    for await (const { line, end } of linesFrom(source.dir, from?.offset ?? 0)) {
      const expected = to ? { seq: to.seq + 1, prev: to.mac } : { seq: 1, prev: "0".repeat(64) };
      if (line.seq !== expected.seq || line.prev !== expected.prev) {
        broken = true;
        break;
      }
      if ((line.action === "ingested" || line.action === "quarantined") && line.key && parseKey(line.key)) {
        const key = sidecarKeyOf(line.key);
        const { sidecar, problem } = await readSidecar(source, key);
        if (sidecar) sidecars.push(sidecar);
        else pending.push([key, problem!]);
      }
      to = { seq: line.seq, mac: line.mac, offset: end };
      if (++lines >= BATCH) break;
    }
    if (broken && from) {
      // The trail does not continue the one this index followed (replaced, or restored from a copy): start again.
      index.clear();
      restarted = true;
      continue;
    }
    if (to === from && sidecars.length === 0 && settled.length === 0) break;
    const before = index.count;
    if (!index.advance(from, to ?? { seq: 0, mac: "0".repeat(64), offset: 0 }, sidecars, { add: pending, settled: settled.splice(0) })) continue;
    added += index.count - before;
    if (lines < BATCH) break;
  }
  return { added, pending: index.pending().length, restarted };
}

/**
 * Rebuilds the index from the sidecars themselves (every `meta/` and `quarantine/` record), then
 * catches up from the trail's end as it was when the rebuild began, so nothing written meanwhile is missed.
 */
export async function rebuild(index: SearchIndex, source: IndexSource, onProgress?: (done: number, total: number) => void): Promise<number> {
  index.clear();
  let end: TrailPosition | undefined;
  for await (const { line, end: offset } of linesFrom(source.dir, 0)) end = { seq: line.seq, mac: line.mac, offset };
  const keys = [...(await source.store.keys("meta/")), ...(await source.store.keys("quarantine/"))].filter((key) => parseKey(key)?.ext === "json");
  let batch: Sidecar[] = [];
  const problems: Array<[string, string]> = [];
  index.beginBulk();
  for (let i = 0; i < keys.length; i++) {
    const { sidecar, problem } = await readSidecar(source, keys[i]);
    if (sidecar) batch.push(sidecar);
    else problems.push([keys[i], problem!]);
    if (batch.length >= BATCH) {
      index.add(batch);
      batch = [];
    }
    onProgress?.(i + 1, keys.length);
  }
  index.add(batch);
  index.endBulk();
  index.advance(undefined, end ?? { seq: 0, mac: "0".repeat(64), offset: 0 }, [], { add: problems, settled: [] });
  await catchUp(index, source);
  return index.count;
}
