// One local archive folder: its keys, its encrypted write-once objects, its audit chain.
import { existsSync, mkdirSync } from "node:fs";
import { HashChainedAuditLog } from "./auditLog";
import { FileObjectStore } from "./fsStore";
import { Keyring } from "./keys";

export interface LocalArchiveOptions {
  /** The archive folder (JOURNAL_DIR). Created if missing. */
  readonly dir: string;
  /** JOURNAL_MASTER_KEY, decoded; else a key file in `<dir>/keys` is used or created. */
  readonly masterKey?: Buffer;
  /** Clock, for retention tests. */
  readonly now?: () => Date;
}

/** What reading and verifying need: never the audit log's write handle. */
export interface ArchiveReader {
  readonly dir: string;
  readonly keyring: Keyring;
  readonly store: FileObjectStore;
}

export interface LocalArchive extends ArchiveReader {
  readonly audit: HashChainedAuditLog;
}

export async function openLocalArchive(options: LocalArchiveOptions): Promise<LocalArchive> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const reader = openArchiveReader(options);
  return { ...reader, audit: await HashChainedAuditLog.open(options.dir, reader.keyring) };
}

/** Opens an existing archive to read or verify it, even one whose audit log was damaged. */
export function openArchiveReader(options: LocalArchiveOptions): ArchiveReader {
  if (!existsSync(options.dir)) throw new Error(`no archive at ${options.dir} (JOURNAL_DIR)`);
  const keyring = Keyring.open(options.dir, options.masterKey);
  return { dir: options.dir, keyring, store: new FileObjectStore(options.dir, keyring, options.now) };
}
