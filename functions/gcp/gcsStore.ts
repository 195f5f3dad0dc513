// The object-store port on Cloud Storage: create-only uploads with `ifGenerationMatch=0`.
// Retention comes from the archive bucket's locked retention policy, which GCS applies to every
// object as it is written, so the ingestor never sets per-object retention: that would need
// storage.objects.setRetention, which no role of ours holds, and a lock already covers it.
import { createHash } from "node:crypto";
import { ApiError, type Bucket, type FileMetadata } from "@google-cloud/storage";
import { StoreUnavailableError, type ObjectInfo, type ObjectStore, type PutOptions, type PutOutcome } from "../core/objectStore";

/** GCS answers at most this many objects per list page. */
const MAX_PAGE_SIZE = 1000;

export interface GcsStoreOptions {
  /** Objects per list request, 1-1000; smaller only in tests. */
  readonly pageSize?: number;
}

/** An error's GCS reason and HTTP status (or the client's own code), without the service's multi-line message. */
export function describeGcsError(err: unknown): string {
  if (err instanceof ApiError) {
    const reason = err.errors?.find((e) => typeof e.reason === "string")?.reason;
    return `${reason ? `${reason}, ` : ""}HTTP ${err.code ?? "?"}`;
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  const name = err instanceof Error ? err.name : "Error";
  return typeof code === "string" || typeof code === "number" ? `${name} ${code}` : name;
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof ApiError && typeof err.code === "number" ? err.code : undefined;
}

function unavailable(action: string, key: string, err: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`GCS ${action} ${key} failed (${describeGcsError(err)}); retry`, { cause: err });
}

const later = (...dates: (string | undefined)[]) =>
  dates
    .filter((d): d is string => typeof d === "string")
    .map((d) => new Date(d))
    .filter((d) => !Number.isNaN(d.getTime()))
    .sort((a, b) => b.getTime() - a.getTime())[0];

/** The port's view of an object resource: the bucket lock's retain-until and any hold. */
function objectInfo(key: string, metadata: FileMetadata): ObjectInfo {
  // The bucket policy sets retentionExpirationTime; an operator may extend one object with object retention.
  const retainUntil = later(metadata.retentionExpirationTime, metadata.retention?.retainUntilTime);
  const holds = [metadata.eventBasedHold, metadata.temporaryHold].filter((h): h is boolean => typeof h === "boolean");
  return {
    key,
    size: Number(metadata.size ?? 0),
    ...(retainUntil ? { retainUntil } : {}),
    ...(holds.length > 0 ? { legalHold: holds.includes(true) } : {}),
  };
}

export class GcsObjectStore implements ObjectStore {
  private readonly pageSize: number;

  /** `bucket` comes from a Storage client authorised as the function's service account (or a test server). */
  constructor(
    private readonly bucket: Bucket,
    options: GcsStoreOptions = {},
  ) {
    this.pageSize = Math.min(Math.max(1, options.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
  }

  async putIfAbsent(key: string, body: Buffer, options: PutOptions): Promise<PutOutcome> {
    try {
      // One multipart objects.insert: the precondition and the write are a single atomic request.
      // The precondition is also what lets the client retry it (5xx, 429, resets): without one,
      // @google-cloud/storage makes no retry of an upload at all.
      await this.bucket.file(key).save(body, {
        resumable: false,
        preconditionOpts: { ifGenerationMatch: 0 },
        contentType: options.contentType,
        metadata: {
          // GCS checks the bytes it received against this before it creates the object, which is
          // what keeps corrupt bytes out. The client also compares the hash GCS reports
          // (validation); on a mismatch it would try to delete, which our role and the lock refuse.
          md5Hash: createHash("md5").update(body).digest("base64"),
          // The hash travels with the object, so an auditor can compare it without our sidecar.
          metadata: { sha256: options.sha256 },
        },
        validation: "md5",
      });
      return "created";
    } catch (err) {
      // 412 conditionNotMet: the content-addressed key is already written (perhaps by our own
      // earlier attempt whose answer was lost, which is why a retry can end here too).
      if (statusOf(err) === 412) return "exists";
      // Replacing an object needs storage.objects.delete, which the ingestor lacks; should GCS weigh
      // that before the precondition, a taken key answers 403. It is then still a duplicate.
      if (statusOf(err) === 403 && (await this.head(key))) return "exists";
      throw unavailable("objects.insert", key, err);
    }
  }

  /** objects.get: for auditors and tests; the ingestor never reads the archive (its role cannot). */
  async get(key: string): Promise<Buffer | undefined> {
    try {
      const [bytes] = await this.bucket.file(key).download();
      return bytes;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw unavailable("objects.get (media)", key, err);
    }
  }

  /**
   * By listing, not objects.get: the ingestor's archive role holds only storage.objects.create and
   * storage.objects.list (infra/gcp/access.ts), and a list item is the same object resource.
   * The key sorts before every longer name it prefixes, so one item answers; listing is strongly
   * consistent on GCS, so a sidecar just written is found.
   */
  async head(key: string): Promise<ObjectInfo | undefined> {
    let files;
    try {
      [files] = await this.bucket.getFiles({ prefix: key, maxResults: 1, autoPaginate: false });
    } catch (err) {
      throw unavailable("objects.list", key, err);
    }
    const file = files.find((f) => f.name === key);
    return file ? objectInfo(key, file.metadata) : undefined;
  }

  /** GCS lists in lexicographic (key) order; one page per request, so memory stays flat. */
  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let pageToken: string | undefined;
    do {
      let files, next;
      try {
        [files, next] = await this.bucket.getFiles({ prefix, maxResults: this.pageSize, autoPaginate: false, ...(pageToken ? { pageToken } : {}) });
      } catch (err) {
        throw unavailable("objects.list", prefix, err);
      }
      for (const file of files) yield objectInfo(file.name, file.metadata);
      pageToken = (next as { pageToken?: string } | null | undefined)?.pageToken;
    } while (pageToken);
  }
}
