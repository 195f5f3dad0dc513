// An S3 archive bucket held in memory, behind a real S3Client whose `send` aws-sdk-client-mock
// intercepts: what the auditor's adapter sends arrives as the SDK's command inputs, and is answered
// the way S3 answers them for an Object Lock bucket under the stack's bucket policy:
//   - PutObject: 403 without SSE-KMS under the stack key (the policy's denies), 400 without an
//     integrity checksum (Object Lock requires one) or with a wrong one (BadDigest), 412 on
//     If-None-Match: * over an existing key; the default COMPLIANCE retention on every new object;
//   - GetObject / HeadObject: 404 for a missing key; the checksum only with ChecksumMode ENABLED;
//     no x-amz-storage-class for STANDARD;
//   - ListObjectsV2: by prefix, in key order, MaxKeys (at most 1000) with opaque continuation tokens;
//   - Put/GetObjectLegalHold, GetObjectRetention, GetBucketEncryption.
// Any other command fails, so a call the adapter should not make is seen. What it cannot show: IAM
// and KMS themselves (test/contracts/ checks the planned policies), versions, multipart uploads,
// and S3's timing and consistency.
import {
  GetBucketEncryptionCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { createHash } from "node:crypto";

export interface FakeObject {
  readonly body: Buffer;
  /** SHA-256 of the body, base64, as the upload declared it (absent when it declared none). */
  readonly checksumSha256?: string;
  readonly contentType?: string;
  readonly kmsKeyId?: string;
  retainUntil: Date;
  readonly mode: "COMPLIANCE" | "GOVERNANCE";
  legalHold?: "ON" | "OFF";
  storageClass: string;
  readonly lastModified: Date;
}

export interface FakeS3Options {
  readonly bucket: string;
  readonly kmsKeyArn: string;
  /** The bucket's default Object Lock retention. */
  readonly lockDays?: number;
  readonly mode?: "COMPLIANCE" | "GOVERNANCE";
}

const s3Error = (name: string, status: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const sha256Base64 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("base64");
const byKey = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export interface FakeS3 {
  readonly client: S3Client;
  readonly objects: Map<string, FakeObject>;
  /** Every command sent, in order: its name and input. */
  readonly calls: { readonly command: string; readonly input: Record<string, any> }[];
  /** Writes an object as the ingestor would (checksummed, under the key), with this retain-until. */
  seed(key: string, body: Buffer, retainUntil?: Date): void;
  restore(): void;
}

export function fakeS3(options: FakeS3Options): FakeS3 {
  const client = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "AKIAFAKE", secretAccessKey: "fake" } });
  const mock = mockClient(client);
  const objects = new Map<string, FakeObject>();
  const calls: FakeS3["calls"] = [];
  const mode = options.mode ?? "COMPLIANCE";
  const lockDays = options.lockDays ?? 2557;

  const bucketOf = (input: { Bucket?: string }) => {
    if (input.Bucket !== options.bucket) throw s3Error("NoSuchBucket", 404, `The specified bucket does not exist: ${input.Bucket}`);
  };
  const objectOf = (input: { Bucket?: string; Key?: string }, notFound: string) => {
    bucketOf(input);
    const found = objects.get(input.Key ?? "");
    if (!found) throw s3Error(notFound, 404);
    return found;
  };
  const record = (command: string) => (input: Record<string, any>) => void calls.push({ command, input });

  mock.onAnyCommand().callsFake((input) => {
    throw new Error(`the fake S3 does not implement this command (input ${JSON.stringify(input)})`);
  });

  mock.on(PutObjectCommand).callsFake(async (input) => {
    record("PutObject")(input);
    bucketOf(input);
    // The archive policy: DenyUploadsWithoutKms and DenyUploadsUnderAnotherKey.
    if (input.ServerSideEncryption !== "aws:kms" || input.SSEKMSKeyId !== options.kmsKeyArn) throw s3Error("AccessDenied", 403, "Access Denied (bucket policy: SSE-KMS under the stack key)");
    const body = Buffer.from(input.Body as Buffer);
    // Object Lock: "Content-MD5 OR x-amz-checksum-* HTTP header is required for Put Object requests with Object Lock parameters" applies to every upload to a lock bucket.
    if (!input.ChecksumSHA256 && !input.ContentMD5) throw s3Error("InvalidRequest", 400, "Content-MD5 or an x-amz-checksum header is required on an Object Lock bucket");
    if (input.ChecksumSHA256 && input.ChecksumSHA256 !== sha256Base64(body)) throw s3Error("BadDigest", 400, "The SHA256 you specified did not match the calculated checksum.");
    if (input.IfNoneMatch === "*" && objects.has(input.Key!)) throw s3Error("PreconditionFailed", 412);
    const now = new Date();
    objects.set(input.Key!, {
      body,
      ...(input.ChecksumSHA256 ? { checksumSha256: input.ChecksumSHA256 } : {}),
      ...(input.ContentType ? { contentType: input.ContentType } : {}),
      kmsKeyId: input.SSEKMSKeyId,
      retainUntil: new Date(now.getTime() + lockDays * 86_400_000),
      mode,
      storageClass: "STANDARD",
      lastModified: now,
    });
    return { ETag: `"${createHash("md5").update(body).digest("hex")}"`, ...(input.ChecksumSHA256 ? { ChecksumSHA256: input.ChecksumSHA256 } : {}) };
  });

  mock.on(GetObjectCommand).callsFake(async (input) => {
    record("GetObject")(input);
    const found = objectOf(input, "NoSuchKey");
    return { Body: { transformToByteArray: async () => new Uint8Array(found.body) }, ContentLength: found.body.length };
  });

  mock.on(HeadObjectCommand).callsFake(async (input) => {
    record("HeadObject")(input);
    // HEAD has no body: S3 answers a missing key with a bare 404, which the SDK names NotFound.
    const found = objectOf(input, "NotFound");
    return {
      ContentLength: found.body.length,
      LastModified: found.lastModified,
      ...(input.ChecksumMode === "ENABLED" && found.checksumSha256 ? { ChecksumSHA256: found.checksumSha256, ChecksumType: "FULL_OBJECT" } : {}),
      ObjectLockMode: found.mode,
      ObjectLockRetainUntilDate: found.retainUntil,
      ...(found.legalHold ? { ObjectLockLegalHoldStatus: found.legalHold } : {}),
      ...(found.storageClass !== "STANDARD" ? { StorageClass: found.storageClass } : {}),
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: found.kmsKeyId,
    };
  });

  mock.on(ListObjectsV2Command).callsFake(async (input) => {
    record("ListObjectsV2")(input);
    bucketOf(input);
    const prefix = input.Prefix ?? "";
    const max = Math.min(input.MaxKeys ?? 1000, 1000);
    const after = input.ContinuationToken ? Buffer.from(input.ContinuationToken, "base64url").toString("utf8") : input.StartAfter;
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || byKey(k, after) > 0)).sort(byKey);
    const page = keys.slice(0, max);
    const truncated = keys.length > max;
    return {
      Contents: page.map((Key) => ({ Key, Size: objects.get(Key)!.body.length, StorageClass: objects.get(Key)!.storageClass, LastModified: objects.get(Key)!.lastModified })),
      KeyCount: page.length,
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: Buffer.from(page[page.length - 1]).toString("base64url") } : {}),
    };
  });

  mock.on(PutObjectLegalHoldCommand).callsFake(async (input) => {
    record("PutObjectLegalHold")(input);
    const found = objectOf(input, "NoSuchKey");
    const status = input.LegalHold?.Status;
    if (status !== "ON" && status !== "OFF") throw s3Error("MalformedXML", 400);
    found.legalHold = status;
    return {};
  });

  mock.on(GetObjectLegalHoldCommand).callsFake(async (input) => {
    record("GetObjectLegalHold")(input);
    const found = objectOf(input, "NoSuchKey");
    if (!found.legalHold) throw s3Error("NoSuchObjectLockConfiguration", 404);
    return { LegalHold: { Status: found.legalHold } };
  });

  mock.on(GetObjectRetentionCommand).callsFake(async (input) => {
    record("GetObjectRetention")(input);
    const found = objectOf(input, "NoSuchKey");
    return { Retention: { Mode: found.mode, RetainUntilDate: found.retainUntil } };
  });

  mock.on(GetBucketEncryptionCommand).callsFake(async (input) => {
    record("GetBucketEncryption")(input);
    bucketOf(input);
    return { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: options.kmsKeyArn }, BucketKeyEnabled: true }] } };
  });

  return {
    client,
    objects,
    calls,
    seed(key, body, retainUntil) {
      objects.set(key, {
        body,
        checksumSha256: sha256Base64(body),
        kmsKeyId: options.kmsKeyArn,
        retainUntil: retainUntil ?? new Date(Date.now() + lockDays * 86_400_000),
        mode,
        storageClass: "STANDARD",
        lastModified: new Date(),
      });
    },
    restore: () => mock.restore(),
  };
}
