// The auditor's port on S3, as the stack's auditor or hold-admin role (functions/auditor/identity.ts
// assumes it with MFA). Records are read as S3 keeps them: HeadObject gives the SHA-256 checksum the
// ingestor uploaded with, the Object Lock retention and mode, the legal hold and the storage class.
// The trail is written as the ingestor writes records: create-only, checksummed, under the stack key.
import {
  GetBucketEncryptionCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectLegalHoldCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { createOnlyPut } from "../aws/s3Store";
import { StoreUnavailableError } from "../core/objectStore";
import { AUDIT_PREFIX, auditObjectKey, decodeAuditEvent, encodeAuditEvent } from "./auditObjects";
import type { AuditorEvent, AuditorStore, Listed, RecordState } from "./store";

/** S3 answers at most this many keys per ListObjectsV2 page. */
const MAX_PAGE_SIZE = 1000;

export interface S3AuditorStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Who the client acts as (identity.ts): the person, and the role they assumed. */
  readonly actor: string;
  /**
   * The stack's key: the archive's bucket policy denies any upload without SSE-KMS under it
   * (infra/aws/storage.ts archivePolicyStatements). Read once from the bucket's default encryption
   * when not given (s3:GetEncryptionConfiguration).
   */
  readonly kmsKeyArn?: string;
  /**
   * `content` (the auditor role) reads state with one HeadObject, which needs s3:GetObject.
   * `holds` (the hold-admin role, which may not read records) reads it from the listing, GetObjectRetention
   * and GetObjectLegalHold instead, without a checksum.
   */
  readonly access?: "content" | "holds";
  /** Keys per list page, 1-1000; smaller only in tests. */
  readonly pageSize?: number;
}

interface AwsError {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const statusOf = (err: unknown) => (err as AwsError | undefined)?.$metadata?.httpStatusCode;
const nameOf = (err: unknown) => (err as AwsError | undefined)?.name ?? "Error";
const missing = (err: unknown) => statusOf(err) === 404 || nameOf(err) === "NoSuchKey" || nameOf(err) === "NotFound";

/** A refusal names what was refused and who asked; anything else is worth retrying. */
function failure(action: string, target: string, actor: string, err: unknown): Error {
  const status = statusOf(err);
  if (status === 403) return new Error(`S3 ${action} ${target} was refused (${nameOf(err)}, HTTP 403) to ${actor}: this role may not do that`, { cause: err });
  return new StoreUnavailableError(`S3 ${action} ${target} failed (${nameOf(err)}, HTTP ${status ?? "?"}); retry`, { cause: err });
}

/** The whole-object SHA-256 S3 keeps, as hex; none for a multipart object's checksum of checksums. */
function sha256Hex(base64: string | undefined, type: string | undefined): string | undefined {
  if (!base64 || type === "COMPOSITE" || base64.includes("-")) return undefined;
  return Buffer.from(base64, "base64").toString("hex");
}

const MODES = { COMPLIANCE: "compliance", GOVERNANCE: "governance" } as const;
const modeOf = (mode: string | undefined) => (mode === "COMPLIANCE" || mode === "GOVERNANCE" ? MODES[mode] : undefined);

export class S3AuditorStore implements AuditorStore {
  readonly location: string;
  private readonly pageSize: number;
  private kmsKeyArn?: Promise<string>;

  constructor(private readonly options: S3AuditorStoreOptions) {
    this.location = `s3://${options.bucket}`;
    this.pageSize = Math.min(Math.max(1, options.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
    if (options.kmsKeyArn) this.kmsKeyArn = Promise.resolve(options.kmsKeyArn);
  }

  async actor(): Promise<string> {
    return this.options.actor;
  }

  async *list(prefix: string): AsyncIterable<Listed> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.options.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, MaxKeys: this.pageSize, ContinuationToken: token }));
      } catch (err) {
        throw failure("ListObjectsV2", `${this.location}/${prefix}`, this.options.actor, err);
      }
      // S3 lists a general purpose bucket's keys in UTF-8 binary order, which is key order.
      for (const item of page.Contents ?? []) if (item.Key) yield { key: item.Key, size: item.Size ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (err) {
      if (missing(err)) return undefined;
      throw failure("GetObject", key, this.options.actor, err);
    }
  }

  async state(key: string): Promise<RecordState | undefined> {
    return this.options.access === "holds" ? this.stateWithoutContent(key) : this.stateByHead(key);
  }

  /**
   * One HeadObject. With ChecksumMode ENABLED S3 returns the checksum the object was uploaded with;
   * for an SSE-KMS object that needs kms:Decrypt (Amazon S3 API Reference, HeadObject, ChecksumMode).
   * The Object Lock headers come only to a caller holding s3:GetObjectRetention and s3:GetObjectLegalHold
   * (same page, x-amz-object-lock-*), which the auditor role holds (infra/aws/access.ts).
   */
  private async stateByHead(key: string): Promise<RecordState | undefined> {
    let head;
    try {
      head = await this.options.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key, ChecksumMode: "ENABLED" }));
    } catch (err) {
      if (missing(err)) return undefined;
      throw failure("HeadObject", key, this.options.actor, err);
    }
    const checksum = sha256Hex(head.ChecksumSHA256, head.ChecksumType);
    const mode = modeOf(head.ObjectLockMode);
    return {
      key,
      size: head.ContentLength ?? 0,
      ...(checksum ? { checksum: { algorithm: "sha256" as const, value: checksum } } : {}),
      ...(head.ObjectLockRetainUntilDate ? { retainUntil: head.ObjectLockRetainUntilDate } : {}),
      ...(mode ? { retentionMode: mode } : {}),
      legalHold: head.ObjectLockLegalHoldStatus === "ON",
      // S3 leaves out x-amz-storage-class for STANDARD objects.
      tier: head.StorageClass ?? "STANDARD",
      ...(head.LastModified ? { lastModified: head.LastModified } : {}),
    };
  }

  /** The listing's size and class, and Object Lock's own answers: nothing that needs s3:GetObject. */
  private async stateWithoutContent(key: string): Promise<RecordState | undefined> {
    let page;
    try {
      page = await this.options.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: key, MaxKeys: 1 }));
    } catch (err) {
      throw failure("ListObjectsV2", key, this.options.actor, err);
    }
    // The key sorts before every longer key it prefixes, so the first item is it, or it is missing.
    const found = page.Contents?.[0];
    if (found?.Key !== key) return undefined;
    const [retention, hold] = await Promise.all([
      this.options.client.send(new GetObjectRetentionCommand({ Bucket: this.options.bucket, Key: key })).catch((err: unknown) => {
        // An object without a retention of its own answers NoSuchObjectLockConfiguration.
        if (nameOf(err) === "NoSuchObjectLockConfiguration") return undefined;
        throw failure("GetObjectRetention", key, this.options.actor, err);
      }),
      this.options.client.send(new GetObjectLegalHoldCommand({ Bucket: this.options.bucket, Key: key })).catch((err: unknown) => {
        if (nameOf(err) === "NoSuchObjectLockConfiguration") return undefined;
        throw failure("GetObjectLegalHold", key, this.options.actor, err);
      }),
    ]);
    const mode = modeOf(retention?.Retention?.Mode);
    return {
      key,
      size: found.Size ?? 0,
      ...(retention?.Retention?.RetainUntilDate ? { retainUntil: retention.Retention.RetainUntilDate } : {}),
      ...(mode ? { retentionMode: mode } : {}),
      legalHold: hold?.LegalHold?.Status === "ON",
      tier: found.StorageClass ?? "STANDARD",
      ...(found.LastModified ? { lastModified: found.LastModified } : {}),
    };
  }

  /**
   * PutObjectLegalHold touches the hold alone: retention (and its mode) is another subresource, which
   * no role of ours may put (the archive policy denies s3:PutObjectRetention to all but break-glass).
   */
  async setLegalHold(key: string, on: boolean): Promise<void> {
    try {
      await this.options.client.send(new PutObjectLegalHoldCommand({ Bucket: this.options.bucket, Key: key, LegalHold: { Status: on ? "ON" : "OFF" } }));
    } catch (err) {
      if (missing(err)) throw new Error(`there is no object ${key} in ${this.location} to ${on ? "hold" : "release"}`, { cause: err });
      throw failure("PutObjectLegalHold", key, this.options.actor, err);
    }
  }

  /**
   * The event as a new object under audit/, written as the ingestor writes records (functions/aws/s3Store.ts):
   * If-None-Match: * (never over another), its SHA-256 for S3 to verify (Object Lock requires an integrity
   * checksum on every upload), SSE-KMS under the stack key (the bucket policy denies any other upload).
   * The bucket's default COMPLIANCE retention applies to it as to every record.
   */
  async audit(event: AuditorEvent): Promise<void> {
    const body = encodeAuditEvent(event);
    const kmsKeyArn = await this.archiveKey();
    // A taken name can only be another process's event in the same millisecond with the same random part: take another.
    for (let attempt = 1; ; attempt++) {
      const key = auditObjectKey(event);
      try {
        await this.options.client.send(createOnlyPut({ bucket: this.options.bucket, kmsKeyArn }, key, body, "application/json", createHash("sha256").update(body).digest("hex")));
        return;
      } catch (err) {
        if (statusOf(err) === 412 && attempt < 3) continue;
        throw failure("PutObject", key, this.options.actor, err);
      }
    }
  }

  async *events(): AsyncIterable<AuditorEvent> {
    for await (const { key } of this.list(AUDIT_PREFIX)) {
      const bytes = await this.get(key);
      if (bytes) yield decodeAuditEvent(key, bytes);
    }
  }

  private archiveKey(): Promise<string> {
    this.kmsKeyArn ??= this.options.client.send(new GetBucketEncryptionCommand({ Bucket: this.options.bucket })).then(
      (out) => {
        const key = out.ServerSideEncryptionConfiguration?.Rules?.find((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm === "aws:kms")?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID;
        if (!key) throw new Error(`${this.location} has no default SSE-KMS key: it is not an email-journal archive (give --stack to read the key from the stack's outputs)`);
        return key;
      },
      (err: unknown) => {
        this.kmsKeyArn = undefined;
        throw failure("GetBucketEncryption", this.location, this.options.actor, err);
      },
    );
    return this.kmsKeyArn;
  }
}
