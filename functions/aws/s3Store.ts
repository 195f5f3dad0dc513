// The object-store port on S3: create-only writes with `If-None-Match: *`, the SHA-256
// checksum S3 verifies (Object Lock requires an integrity checksum on every upload), and
// SSE-KMS with the stack's key, which the bucket policy demands.
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { StoreUnavailableError, type ObjectInfo, type ObjectStore, type PutOptions, type PutOutcome } from "../core/objectStore";

export interface S3StoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** The stack's customer key; uploads under any other key are denied by the bucket policy. */
  readonly kmsKeyArn: string;
}

function statusOf(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata?.httpStatusCode : (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function unavailable(action: string, key: string, err: unknown): StoreUnavailableError {
  const name = err instanceof Error ? err.name : "Error";
  return new StoreUnavailableError(`S3 ${action} ${key} failed (${name}, HTTP ${statusOf(err) ?? "?"}); retry`, { cause: err });
}

/**
 * A create-only upload as the archive's bucket policy demands it of everyone who writes: never over
 * another object, its SHA-256 for S3 to verify, SSE-KMS under the stack's key with a bucket key.
 * No ObjectLockRetainUntilDate: the bucket's default COMPLIANCE retention applies to every new object,
 * and setting retention per object would need s3:PutObjectRetention, which writers must not have.
 */
export function createOnlyPut(target: { readonly bucket: string; readonly kmsKeyArn: string }, key: string, body: Buffer, contentType: string, sha256Hex: string): PutObjectCommand {
  return new PutObjectCommand({
    Bucket: target.bucket,
    Key: key,
    Body: body,
    ContentType: contentType,
    IfNoneMatch: "*",
    ChecksumAlgorithm: "SHA256",
    ChecksumSHA256: Buffer.from(sha256Hex, "hex").toString("base64"),
    ServerSideEncryption: "aws:kms",
    SSEKMSKeyId: target.kmsKeyArn,
    BucketKeyEnabled: true,
  });
}

export class S3ObjectStore implements ObjectStore {
  constructor(private readonly options: S3StoreOptions) {}

  async putIfAbsent(key: string, body: Buffer, options: PutOptions): Promise<PutOutcome> {
    try {
      await this.options.client.send(createOnlyPut(this.options, key, body, options.contentType, options.sha256));
      return "created";
    } catch (err) {
      const status = statusOf(err);
      if (status === 412) return "exists";
      // 409: a concurrent conditional write to the same key. Whoever won wrote the same bytes (the key is their hash).
      if (status === 409 && (await this.head(key))) return "exists";
      throw unavailable("PutObject", key, err);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw unavailable("GetObject", key, err);
    }
  }

  /**
   * Whether the key exists, and its size. Asked through ListObjectsV2 rather than HeadObject:
   * listing needs only s3:ListBucket (confined by IAM to `meta/`), where HeadObject would need
   * s3:GetObject, a read the ingestor must not have.
   */
  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const page = await this.options.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: key, MaxKeys: 1 }));
      const found = page.Contents?.[0];
      return found?.Key === key ? { key, size: found.Size ?? 0 } : undefined;
    } catch (err) {
      throw unavailable("ListObjectsV2", key, err);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.options.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: token }));
      } catch (err) {
        throw unavailable("ListObjectsV2", prefix, err);
      }
      for (const item of page.Contents ?? []) if (item.Key) yield { key: item.Key, size: item.Size ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
