// Re-hashes every object and walks the audit chain; names the first bad record.
import { parseKey } from "../core/layout";
import type { ArchiveReader } from "./archive";
import { verifyAuditLog } from "./auditLog";

export interface ArchiveVerdict {
  readonly ok: boolean;
  readonly objects: number;
  readonly auditLines: number;
  /** The first object or audit line that is not what was written. */
  readonly firstBad?: { readonly record: string; readonly reason: string };
}

export type Progress = (done: number, total: number, phase: "objects" | "audit") => void;

export async function verifyArchive(archive: ArchiveReader, onProgress?: Progress): Promise<ArchiveVerdict> {
  const keys = await archive.store.keys();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const bad = await checkObject(archive, key);
    if (bad) return { ok: false, objects: i, auditLines: 0, firstBad: { record: key, reason: bad } };
    onProgress?.(i + 1, keys.length, "objects");
  }
  const audit = await verifyAuditLog(archive.dir, archive.keyring, (seq) => onProgress?.(seq, 0, "audit"));
  if (!audit.ok) return { ok: false, objects: keys.length, auditLines: audit.count, firstBad: { record: `audit line ${audit.firstBad!.seq}`, reason: audit.firstBad!.reason } };
  return { ok: true, objects: keys.length, auditLines: audit.count };
}

async function checkObject(archive: ArchiveReader, key: string): Promise<string | undefined> {
  try {
    // get() checks the GCM tag over header and body, and the plaintext hash against the header.
    await archive.store.get(key);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const parsed = parseKey(key);
  const header = await archive.store.header(key);
  if (parsed?.ext === "eml" && header?.sha256 !== parsed.sha256) return `content hash ${header?.sha256} does not match the name ${parsed.sha256}`;
  return undefined;
}
