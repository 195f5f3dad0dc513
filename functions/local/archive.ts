// One local archive folder: its keys, its encrypted write-once objects, its audit trail, and
// the lock that makes one process its only writer.
//
//   keys/master-<id>.key     master keys (0600), unless JOURNAL_MASTER_KEY is given
//   objects/…                messages/, meta/, quarantine/ (the layout), and .staging/
//   audit/audit.log          the MAC-chained audit trail
//   audit.head               the trail's authenticated end, kept apart from it
import { existsSync, mkdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import { parseKey } from "../core/layout";
import { silentLogger, type Logger } from "../core/log";
import { auditLines, AuditTrailError, HashChainedAuditLog, headPath, logPath, readHead, type AuditLine } from "./auditLog";
import { realFileIo, type FileIo } from "./fileIo";
import { FileObjectStore, type StagedLeftover } from "./fsStore";
import { Keyring } from "./keys";
import { claimWriter } from "./writerLock";

export interface LocalArchiveOptions {
  /** The archive folder (JOURNAL_DIR). Created if missing. */
  readonly dir: string;
  /** JOURNAL_MASTER_KEY, decoded; else a key file in `<dir>/keys` is used or created. */
  readonly masterKey?: Buffer;
  /** Clock, for retention tests. */
  readonly now?: () => Date;
  /** The file layer; tests inject faults through it. */
  readonly io?: FileIo;
  /** Where start-up recovery is reported. */
  readonly logger?: Logger;
}

/** What reading and verifying need: never the audit trail's write handle, never the lock. */
export interface ArchiveReader {
  readonly dir: string;
  readonly keyring: Keyring;
  readonly store: FileObjectStore;
}

export interface LocalArchive extends ArchiveReader {
  readonly audit: HashChainedAuditLog;
  /** What start-up recovery did after a crash; empty after a clean shutdown. */
  readonly recovery: readonly string[];
  /** Flushes the trail and gives up the write lock. */
  close(): Promise<void>;
}

/**
 * Opens the archive for writing: takes the write lock (or throws ArchiveBusyError naming the
 * holder), checks that the keys are the archive's before anything is written, and settles what
 * a crash left: the trail's tail, and staged objects. What it settles is logged and audited.
 */
export async function openLocalArchive(options: LocalArchiveOptions): Promise<LocalArchive> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const lock = await claimWriter(options.dir);
  try {
    // An archive with a head has its keys already: a missing or different key stops here, before anything is written.
    const hasHead = existsSync(headPath(options.dir));
    const keyring = Keyring.open(options.dir, options.masterKey, { create: !hasHead });
    const head = hasHead ? await readHead(options.dir, keyring) : undefined;
    const io = options.io ?? realFileIo;
    const store = new FileObjectStore(options.dir, keyring, options.now, io);
    if (!head) await refuseIfNotNew(options.dir, store);
    const leftovers = await store.stagedLeftovers();
    const audit = await HashChainedAuditLog.open(options.dir, keyring, {
      io,
      syncs: store.syncs,
      barrier: () => store.syncStaging(),
      recordsPresent: (line) => recordsPresent(store, leftovers, line),
      ...(options.now ? { now: options.now } : {}),
    });
    const recovery = [...audit.recovery, ...(await settleStaged(options.dir, store, leftovers))];
    if (recovery.length > 0) {
      (options.logger ?? silentLogger).log("warn", "recovered after an unclean stop", { reason: recovery.join("; ") });
      await audit.append({ action: "recovered", at: (options.now ?? (() => new Date()))().toISOString(), actor: "archive:start", reason: recovery.join("; ") });
    }
    lock.serve(audit, keyring);
    return {
      dir: options.dir,
      keyring,
      store,
      audit,
      recovery,
      close: async () => {
        await audit.close();
        await store.quiesce();
        await lock.release();
      },
    };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** Opens an existing archive to read or verify it, without the lock, even one whose trail was damaged. */
export function openArchiveReader(options: LocalArchiveOptions): ArchiveReader {
  if (!existsSync(options.dir)) throw new Error(`no archive at ${options.dir} (JOURNAL_DIR)`);
  const keyring = Keyring.open(options.dir, options.masterKey, { create: false });
  return { dir: options.dir, keyring, store: new FileObjectStore(options.dir, keyring, options.now, options.io) };
}

/** An archive without a head must be new: records or a trail without one mean the head was removed. */
async function refuseIfNotNew(dir: string, store: FileObjectStore): Promise<void> {
  const trail = await stat(logPath(dir)).then((s) => s.size, () => 0);
  const records = (await store.keys()).length;
  if (trail > 0 || records > 0) {
    throw new AuditTrailError(`audit.head is missing, but the archive holds ${records} objects and ${trail} bytes of audit trail: the head was removed; run \`npm run journal -- verify\``);
  }
}

/** The records an `ingested` or `quarantined` line creates: the bytes and their sidecar or quarantine record. */
export function recordsOf(key: string): [string, string] {
  const sidecar = key.replace(/\.eml$/, ".json");
  return [key, key.startsWith("messages/") ? sidecar.replace(/^messages\//, "meta/") : sidecar];
}

/** Whether the records a line past the head created are whole, at their names or staged. */
async function recordsPresent(store: FileObjectStore, leftovers: readonly StagedLeftover[], line: AuditLine): Promise<boolean> {
  if ((line.action !== "ingested" && line.action !== "quarantined") || !line.key) return true;
  const [bytes, sidecar] = recordsOf(line.key);
  const whole = async (key: string) => (await store.get(key).catch(() => undefined)) !== undefined;
  const bytesThere = (await whole(bytes)) || leftovers.some((l) => l.header.key === undefined && l.header.sha256 === line.sha256);
  const sidecarThere = (await whole(sidecar)) || leftovers.some((l) => l.header.key === sidecar);
  return bytesThere && sidecarThere;
}

/**
 * Staged objects a crash left: those the trail records (the crash came between the audit line
 * and the link) get their names; the rest were never acknowledged and are removed.
 */
async function settleStaged(dir: string, store: FileObjectStore, leftovers: readonly StagedLeftover[]): Promise<string[]> {
  if (leftovers.length === 0) return [];
  // The keys each message's records were audited under, by the message's SHA-256.
  const audited = new Map<string, string[]>();
  for await (const line of auditLines(dir)) {
    if ((line.action === "ingested" || line.action === "quarantined") && line.sha256 && line.key) {
      audited.set(line.sha256, [...(audited.get(line.sha256) ?? []), line.key]);
    }
  }
  let linked = 0;
  let removed = 0;
  for (const { header, path } of leftovers) {
    const key = await auditedKeyOf(store, header.key, header.sha256, audited);
    const outcome = await store.settleLeftover(path, key);
    if (outcome === "created") linked++;
    else if (outcome === "removed") removed++;
  }
  const done: string[] = [];
  if (linked > 0) done.push(`linked ${linked} staged object(s) whose audit line was written before a crash`);
  if (removed > 0) done.push(`removed ${removed} staged object(s) that no audit line records (never acknowledged)`);
  return done;
}

/** The key a staged leftover belongs under, if the trail records its record, and the name is free. */
async function auditedKeyOf(store: FileObjectStore, written: string | undefined, sha256: string, audited: Map<string, string[]>): Promise<string | undefined> {
  if (written) {
    // A sidecar or quarantine record: audited with its message's key, which has the same date and hash.
    const parsed = parseKey(written);
    const keys = parsed ? (audited.get(parsed.sha256) ?? []) : [];
    return keys.some((key) => recordsOf(key)[1] === written) ? written : undefined;
  }
  for (const key of audited.get(sha256) ?? []) if (!(await store.header(key))) return key;
  return undefined;
}
