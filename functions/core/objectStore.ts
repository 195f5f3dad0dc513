// The object-store port: S3, Azure Blob, GCS and the local archive each implement it.

export interface PutOptions {
  readonly contentType: string;
  /** The object may not be deleted or overwritten before this instant. */
  readonly retainUntil: Date;
  /** SHA-256 (hex) of the body, for stores that verify integrity on upload. */
  readonly sha256: string;
  /** The key the body will have, when known as it is written: a store may bind the two together. */
  readonly key?: string;
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly retainUntil?: Date;
  readonly legalHold?: boolean;
}

/** `created` when this call stored the object; `exists` when the key was already taken. */
export type PutOutcome = "created" | "exists";

/** Bytes written under no name yet; `commit` gives them their key and makes them visible. */
export interface StagedObject {
  /** Resolves once the staged bytes, and the name they are staged under, are on disk. */
  readonly durable: Promise<void>;
  /** Same semantics as putIfAbsent for this key. Call once. */
  commit(key: string): Promise<PutOutcome>;
  /** Drops the staged bytes when they will not be committed. */
  discard(): Promise<void>;
}

export interface ObjectStore {
  /**
   * Stores `body` at `key` only if nothing is there yet (S3 `If-None-Match: *`,
   * Azure `ifNoneMatch: "*"`, GCS `ifGenerationMatch: 0`). An existing key is
   * `exists`, never an error. Any other failure throws so that the caller retries.
   */
  putIfAbsent(key: string, body: Buffer, options: PutOptions): Promise<PutOutcome>;
  /** The stored bytes, or `undefined` when there is no such key. */
  get(key: string): Promise<Buffer | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /**
   * Optional, for stores that can hold bytes durably under no name (a local filesystem). The
   * pipeline then writes a record's bytes and sidecar first, audits the record, and only then
   * makes them visible, so that nothing visible ever lacks the audit line that created it;
   * the raw write also overlaps parsing. Cloud stores, whose writes name their key, omit it.
   */
  stage?(body: Buffer, options: PutOptions): Promise<StagedObject>;
}

/** A store failure the caller should retry (throttling, network, 5xx). */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
