// What an auditor acts on, the same on the local archive and on each cloud's: read records, read
// what the store says about each (its checksum, its WORM state, its hold, its tier), set and clear
// legal holds, and record each act in the archive's own trail. One adapter per store:
// local/ (the local archive), s3.ts, blob.ts, gcs.ts.
import type { AuditEvent } from "../core/types";

/** A stored object as a listing shows it. */
export interface Listed {
  readonly key: string;
  readonly size: number;
}

/** What the store itself says about one object. */
export interface RecordState {
  readonly key: string;
  readonly size: number;
  /**
   * The checksum the store computed or kept for the object's bytes: S3's ChecksumSHA256, Azure's
   * Content-MD5 (or the sha256 metadata the ingestor set), GCS's md5Hash/crc32c, the local header.
   */
  readonly checksum?: { readonly algorithm: "sha256" | "md5" | "crc32c"; readonly value: string };
  /** Until when the object cannot be deleted or overwritten, as the store enforces it. */
  readonly retainUntil?: Date;
  /** How the retention is enforced: `compliance`/`locked` nobody can shorten, `governance`/`unlocked` a privileged role can. */
  readonly retentionMode?: "compliance" | "governance" | "locked" | "unlocked";
  /** The store's legal hold flag on the object. */
  readonly legalHold: boolean;
  /** Storage class or access tier (STANDARD, GLACIER_IR, Cool, ARCHIVE…). */
  readonly tier?: string;
  readonly lastModified?: Date;
}

/**
 * An act recorded in the archive's own trail, beside what the cloud's audit logs record: who did it
 * (the person behind the role or account), the case of a hold or export, the query of a search.
 */
export type AuditorEvent = AuditEvent & { readonly action: "read" | "exported" | "hold-set" | "hold-cleared" | "searched" | "verified" };

export interface AuditorStore {
  /** Where the archive is, as the user would write it: `./.journal`, `s3://bucket`, `gs://bucket`, an Azure container URL. */
  readonly location: string;
  /** Who this store acts as (the assumed role's session, the Entra user, the impersonating account, `cli:$USER`). */
  actor(): Promise<string>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<Listed>;
  /** The object's bytes exactly as stored, or undefined when there is no such key. */
  get(key: string): Promise<Buffer | undefined>;
  /** What the store says about the object, or undefined when there is no such key. */
  state(key: string): Promise<RecordState | undefined>;
  /** Sets or clears the store's legal hold on one object. Never shortens retention. */
  setLegalHold(key: string, on: boolean): Promise<void>;
  /** Appends an event to the archive's trail; resolves once it is durable there. */
  audit(event: AuditorEvent): Promise<void>;
  /** Every auditor event the trail holds, oldest first (holds are read back from these). */
  events(): AsyncIterable<AuditorEvent>;
  /** Releases what the store holds open (the local archive's write lock or writer connection); optional. */
  close?(): Promise<void>;
}
