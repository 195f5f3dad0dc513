// The local archive as an AuditorStore: reads through the archive's reader (no lock), holds through
// the store's own hold files, and audit lines through the one writer: the running server when there
// is one (asked over its authenticated socket), else this process, holding the write lock until
// `close`. Events are read back from the trail.
import { userInfo } from "node:os";
import type { AuditSink } from "../../core/audit";
import { openArchiveReader, openLocalArchive, type ArchiveReader } from "../../local/archive";
import { auditLines, readHead } from "../../local/auditLog";
import { writerClient } from "../../local/writerLock";
import type { AuditorEvent, AuditorStore, Listed, RecordState } from "../store";

const AUDITOR_ACTIONS = new Set(["read", "exported", "hold-set", "hold-cleared", "searched", "verified"]);

export interface LocalStoreOptions {
  readonly dir: string;
  readonly masterKey?: Buffer;
}

export class LocalAuditorStore implements AuditorStore {
  readonly location: string;
  readonly archive: ArchiveReader;
  private sink?: Promise<{ audit: AuditSink; close: () => Promise<void> }>;

  constructor(private readonly options: LocalStoreOptions) {
    this.location = options.dir;
    this.archive = openArchiveReader({ dir: options.dir, ...(options.masterKey ? { masterKey: options.masterKey } : {}) });
  }

  /** Refuses keys that are not this archive's before anything is read or written. */
  async checkKeys(): Promise<void> {
    await readHead(this.archive.dir, this.archive.keyring);
  }

  async actor(): Promise<string> {
    return `cli:${process.env.USER || userInfo().username || "unknown"}`;
  }

  async *list(prefix: string): AsyncIterable<Listed> {
    for (const key of await this.archive.store.keys(prefix)) {
      const header = await this.archive.store.header(key).catch(() => undefined);
      yield { key, size: header?.size ?? 0 };
    }
  }

  get(key: string): Promise<Buffer | undefined> {
    return this.archive.store.get(key);
  }

  async state(key: string): Promise<RecordState | undefined> {
    const info = await this.archive.store.head(key);
    const header = info ? await this.archive.store.header(key) : undefined;
    if (!info || !header) return undefined;
    return {
      key,
      size: header.size,
      // The authenticated header's hash of the plain bytes, hex.
      checksum: { algorithm: "sha256", value: header.sha256 },
      retainUntil: new Date(header.retainUntil),
      legalHold: info.legalHold === true,
      lastModified: new Date(header.createdAt),
    };
  }

  setLegalHold(key: string, on: boolean): Promise<void> {
    return this.archive.store.setLegalHold(key, on);
  }

  async audit(event: AuditorEvent): Promise<void> {
    this.sink ??= this.openSink();
    const sink = await this.sink;
    await sink.audit.append(event);
  }

  async *events(): AsyncIterable<AuditorEvent> {
    for await (const line of auditLines(this.archive.dir)) {
      if (!AUDITOR_ACTIONS.has(line.action)) continue;
      // The event as it was audited, without the trail's own chain fields.
      const { seq: _seq, keyId: _keyId, prev: _prev, mac: _mac, ...event } = line;
      yield event as AuditorEvent;
    }
  }

  /** Gives up the connection to the writer, or the write lock this process took. */
  async close(): Promise<void> {
    const sink = this.sink;
    this.sink = undefined;
    if (sink) await (await sink.catch(() => undefined))?.close();
  }

  private async openSink(): Promise<{ audit: AuditSink; close: () => Promise<void> }> {
    await this.checkKeys();
    const client = await writerClient(this.archive.dir, this.archive.keyring);
    if (client) return { audit: client, close: async () => client.close() };
    const own = await openLocalArchive({ dir: this.options.dir, ...(this.options.masterKey ? { masterKey: this.options.masterKey } : {}) });
    return { audit: own.audit, close: () => own.close() };
  }
}
