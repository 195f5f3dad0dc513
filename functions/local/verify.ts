// Proves a local archive whole: its audit trail verifies to its authenticated head, every record
// the trail says was created is there (the object and its sidecar or quarantine record), every
// object is one the trail created, and every object decrypts, matches its hash, and belongs
// under its name. Reads only; never takes the write lock. Names the first bad record.
import { parseKey } from "../core/layout";
import type { MessageMetadata, QuarantineRecord } from "../core/types";
import { recordsOf, type ArchiveReader } from "./archive";
import { verifyAuditTrail, type AuditHead } from "./auditLog";

export interface Problem {
  /** The object key or `audit line N` that is wrong. */
  readonly record: string;
  readonly reason: string;
}

export interface ArchiveVerdict {
  readonly ok: boolean;
  readonly objects: number;
  readonly auditLines: number;
  /** The trail's authenticated end, when it could be read. */
  readonly head?: AuditHead;
  /** The first record that is not what was written. */
  readonly firstBad?: Problem;
  /** Every problem found (the trail's first only: after a bad line, nothing later can be trusted). */
  readonly problems: readonly Problem[];
  /** States that are not faults: lines past the head, a torn tail after a crash. */
  readonly notes: readonly string[];
}

export type Progress = (done: number, total: number, phase: "objects" | "audit") => void;

export interface VerifyOptions {
  readonly onProgress?: Progress;
  /** An anchor recorded earlier with `journal head`: the trail must still hold it. */
  readonly expectHead?: { readonly seq: number; readonly mac: string };
}

export async function verifyArchive(archive: ArchiveReader, options: VerifyOptions = {}): Promise<ArchiveVerdict> {
  const problems: Problem[] = [];
  // Every record the trail created, with the first line that created it.
  const expected = new Map<string, number>();
  const trail = await verifyAuditTrail(archive.dir, archive.keyring, {
    ...(options.expectHead ? { expectHead: options.expectHead } : {}),
    onLine(line) {
      options.onProgress?.(line.seq, 0, "audit");
      if ((line.action === "ingested" || line.action === "quarantined") && line.key) {
        for (const key of recordsOf(line.key)) if (!expected.has(key)) expected.set(key, line.seq);
      }
    },
  });
  if (!trail.ok) problems.push({ record: `audit line ${trail.firstBad!.seq}`, reason: trail.firstBad!.reason });

  const keys = await archive.store.keys();
  const present = new Set(keys);
  // Completeness one way: what the trail created is still there. Only the verified part of the trail is trusted for this.
  for (const [key, seq] of expected) {
    if (!present.has(key)) problems.push({ record: key, reason: `audit line ${seq} records it, but it is missing: it was deleted or moved` });
  }
  // And the other: each object is one the trail created, intact, and under its own name.
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (trail.ok && !expected.has(key)) problems.push({ record: key, reason: "no audit line created it: it was put there outside the archive" });
    const bad = await checkObject(archive, key);
    if (bad) problems.push({ record: key, reason: bad });
    options.onProgress?.(i + 1, keys.length, "objects");
  }

  return {
    ok: problems.length === 0,
    objects: keys.length,
    auditLines: trail.count,
    ...(trail.head ? { head: trail.head } : {}),
    ...(problems.length > 0 ? { firstBad: problems[0] } : {}),
    problems,
    notes: trail.notes,
  };
}

/** Decrypts and checks one object; a sidecar or quarantine record must also name the message it sits beside. */
async function checkObject(archive: ArchiveReader, key: string): Promise<string | undefined> {
  const parsed = parseKey(key);
  if (!parsed) return "not a name the archive writes";
  let body: Buffer | undefined;
  try {
    // get() checks the GCM tag over header and body, the hash against the header, and the header's key against the name.
    body = await archive.store.get(key);
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).replace(/^object \S+ failed its integrity check: /, "");
  }
  if (!body || parsed.ext !== "json") return undefined;
  let record: Partial<MessageMetadata & QuarantineRecord>;
  try {
    record = JSON.parse(body.toString("utf8")) as Partial<MessageMetadata & QuarantineRecord>;
  } catch {
    return "its content is not the JSON the archive writes";
  }
  const message = recordsOf(`${parsed.area === "meta" ? "messages" : "quarantine"}/${parsed.date.replace(/-/g, "/")}/${parsed.sha256}.eml`)[0];
  if (record.sha256 !== parsed.sha256 || record.key !== message) {
    return `it describes ${String(record.key)} (sha256 ${String(record.sha256)}), not ${message}: a record was copied over another`;
  }
  return undefined;
}
