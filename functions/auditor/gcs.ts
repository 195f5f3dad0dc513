// The auditor's port on Cloud Storage, as the stack's auditor or hold-admin service account
// (identity.ts impersonates it for the person signed in). Records are read as GCS keeps them: the
// object resource gives md5Hash/crc32c, retentionExpirationTime under the bucket's retention policy,
// the holds and the storage class. The trail is written as the ingestor writes records: create-only.
import { createHash } from "node:crypto";
import type { Bucket, FileMetadata } from "@google-cloud/storage";
import { StoreUnavailableError } from "../core/objectStore";
import { describeGcsError, statusOf } from "../gcp/gcsStore";
import { AUDIT_PREFIX, auditObjectKey, decodeAuditEvent, encodeAuditEvent } from "./auditObjects";
import type { AuditorEvent, AuditorStore, Listed, RecordState } from "./store";

/** GCS answers at most this many objects per list page. */
const MAX_PAGE_SIZE = 1000;

export interface GcsAuditorStoreOptions {
  /** From a Storage client authorised as the impersonated service account (or a test server). */
  readonly bucket: Bucket;
  /** Who the client acts as (identity.ts): the person, and the service account they impersonate. */
  readonly actor: string;
  /** Objects per list request, 1-1000; smaller only in tests. */
  readonly pageSize?: number;
}

function failure(action: string, target: string, actor: string, err: unknown): Error {
  if (statusOf(err) === 403) return new Error(`GCS ${action} ${target} was refused (${describeGcsError(err)}) to ${actor}: this account may not do that`, { cause: err });
  return new StoreUnavailableError(`GCS ${action} ${target} failed (${describeGcsError(err)}); retry`, { cause: err });
}

const hex = (base64: string | undefined) => (base64 ? Buffer.from(base64, "base64").toString("hex") : undefined);

function laterOf(...dates: (string | undefined)[]): Date | undefined {
  const valid = dates.filter((d): d is string => typeof d === "string").map((d) => new Date(d)).filter((d) => !Number.isNaN(d.getTime()));
  return valid.sort((a, b) => b.getTime() - a.getTime())[0];
}

export class GcsAuditorStore implements AuditorStore {
  readonly location: string;
  private readonly pageSize: number;
  /** Whether the bucket's retention policy is locked, read once; undefined when this account may not read the bucket. */
  private bucketLock?: Promise<"locked" | "unlocked" | undefined>;

  constructor(private readonly options: GcsAuditorStoreOptions) {
    this.location = `gs://${options.bucket.name}`;
    this.pageSize = Math.min(Math.max(1, options.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
  }

  async actor(): Promise<string> {
    return this.options.actor;
  }

  /** GCS lists in lexicographic (key) order, one page per request. */
  async *list(prefix: string): AsyncIterable<Listed> {
    let pageToken: string | undefined;
    do {
      let files, next;
      try {
        [files, next] = await this.options.bucket.getFiles({ prefix, maxResults: this.pageSize, autoPaginate: false, ...(pageToken ? { pageToken } : {}) });
      } catch (err) {
        throw failure("objects.list", `${this.location}/${prefix}`, this.options.actor, err);
      }
      for (const file of files) yield { key: file.name, size: Number(file.metadata.size ?? 0) };
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    } while (pageToken);
  }

  /** objects.get (media); the client checks the bytes against the crc32c/md5 GCS reports as it downloads. */
  async get(key: string): Promise<Buffer | undefined> {
    try {
      const [bytes] = await this.options.bucket.file(key).download();
      return bytes;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw failure("objects.get (media)", key, this.options.actor, err);
    }
  }

  async state(key: string): Promise<RecordState | undefined> {
    let metadata: FileMetadata;
    try {
      [metadata] = await this.options.bucket.file(key).getMetadata();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw failure("objects.get", key, this.options.actor, err);
    }
    return this.stateOf(key, metadata);
  }

  private async stateOf(key: string, metadata: FileMetadata): Promise<RecordState> {
    // The bucket policy sets retentionExpirationTime; object retention, where an operator set one, can only be later.
    const retainUntil = laterOf(metadata.retentionExpirationTime, metadata.retention?.retainUntilTime);
    const objectMode = metadata.retention?.mode;
    const mode = objectMode === "Locked" ? "locked" : objectMode === "Unlocked" ? "unlocked" : retainUntil ? await this.lockOfBucket() : undefined;
    // md5Hash is absent on composite objects; crc32c is always there (Cloud Storage, "Hashes and ETags").
    const md5 = hex(metadata.md5Hash);
    const crc32c = hex(metadata.crc32c);
    const checksum = md5 ? { algorithm: "md5" as const, value: md5 } : crc32c ? { algorithm: "crc32c" as const, value: crc32c } : undefined;
    return {
      key,
      size: Number(metadata.size ?? 0),
      ...(checksum ? { checksum } : {}),
      ...(retainUntil ? { retainUntil } : {}),
      ...(mode ? { retentionMode: mode } : {}),
      // A temporary hold is ours (setLegalHold); an event-based hold holds the object just as much.
      legalHold: metadata.temporaryHold === true || metadata.eventBasedHold === true,
      ...(metadata.storageClass ? { tier: metadata.storageClass } : {}),
      ...(metadata.updated ? { lastModified: new Date(metadata.updated) } : {}),
    };
  }

  private lockOfBucket(): Promise<"locked" | "unlocked" | undefined> {
    this.bucketLock ??= this.options.bucket.getMetadata().then(
      ([bucket]) => (bucket.retentionPolicy ? (bucket.retentionPolicy.isLocked ? "locked" : "unlocked") : undefined),
      // The hold admin's role has no storage.buckets.get: the mode is then unknown, not wrong.
      (err: unknown) => {
        if (statusOf(err) === 403) return undefined;
        this.bucketLock = undefined;
        throw failure("buckets.get", this.location, this.options.actor, err);
      },
    );
    return this.bucketLock;
  }

  /**
   * An objects.patch of temporaryHold alone (storage.objects.update). Retention is not touched:
   * the bucket's retention policy sets it, and a hold only adds to it ("Object holds": an object on
   * hold cannot be deleted or replaced; releasing it leaves the retention policy in force).
   */
  async setLegalHold(key: string, on: boolean): Promise<void> {
    try {
      await this.options.bucket.file(key).setMetadata({ temporaryHold: on });
    } catch (err) {
      if (statusOf(err) === 404) throw new Error(`there is no object ${key} in ${this.location} to ${on ? "hold" : "release"}`, { cause: err });
      throw failure("objects.patch", key, this.options.actor, err);
    }
  }

  /**
   * The event as a new object under audit/, written as the ingestor writes records (functions/gcp/gcsStore.ts):
   * ifGenerationMatch=0 (never over another), the MD5 GCS checks before it creates the object. The
   * bucket's default CMEK key and its retention policy apply to it as to every record.
   */
  async audit(event: AuditorEvent): Promise<void> {
    const body = encodeAuditEvent(event);
    for (let attempt = 1; ; attempt++) {
      const key = auditObjectKey(event);
      try {
        await this.options.bucket.file(key).save(body, {
          resumable: false,
          preconditionOpts: { ifGenerationMatch: 0 },
          contentType: "application/json",
          metadata: { md5Hash: createHash("md5").update(body).digest("base64") },
          validation: "md5",
        });
        return;
      } catch (err) {
        // A taken name can only be another process's event in the same millisecond with the same random part.
        if (statusOf(err) === 412 && attempt < 3) continue;
        throw failure("objects.insert", key, this.options.actor, err);
      }
    }
  }

  async *events(): AsyncIterable<AuditorEvent> {
    for await (const { key } of this.list(AUDIT_PREFIX)) {
      const bytes = await this.get(key);
      if (bytes) yield decodeAuditEvent(key, bytes);
    }
  }
}
