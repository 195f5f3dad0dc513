// One local archive folder: its keys, its encrypted write-once objects, its audit chain.
import { mkdirSync } from "node:fs";
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

export interface LocalArchive {
  readonly dir: string;
  readonly keyring: Keyring;
  readonly store: FileObjectStore;
  readonly audit: HashChainedAuditLog;
}

export async function openLocalArchive(options: LocalArchiveOptions): Promise<LocalArchive> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const keyring = Keyring.open(options.dir, options.masterKey);
  return {
    dir: options.dir,
    keyring,
    store: new FileObjectStore(options.dir, keyring, options.now),
    audit: await HashChainedAuditLog.open(options.dir, keyring),
  };
}
