// The Lambda handler on real messages, with the S3 client mocked at the SDK boundary.
// The mock behaves as S3 does for what the ingestor uses: conditional PutObject (412 when
// the key exists), GetObject (404 when it does not), ListObjectsV2 by prefix.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type PutObjectCommandInput } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import type { SQSEvent } from "aws-lambda";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handler, resetForTests } from "../../../functions/aws/handler";
import { inboxObjects } from "../../../functions/aws/events";
import { readAwsSettings } from "../../../functions/aws/settings";
import { corpusFiles } from "../../helpers/corpus";

const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ENV = { ARCHIVE_BUCKET: "journal-archive-aws-us-east-1", ARCHIVE_KMS_KEY_ARN: KEY_ARN, INBOX_BUCKET: "journal-inbox-aws-us-east-1", RETENTION_DAYS: "2557", MAX_MESSAGE_BYTES: "41943040" };
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const fixture = (path: string) => readFileSync(join(__dirname, "..", "..", "fixtures", path));
const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

const s3 = mockClient(S3Client);
let inbox: Map<string, Buffer>;
let archive: Map<string, PutObjectCommandInput>;
let stdout: string[];

beforeEach(() => {
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
  resetForTests();
  s3.reset();
  inbox = new Map();
  archive = new Map();
  stdout = [];
  vi.spyOn(process.stdout, "write").mockImplementation((line) => (stdout.push(String(line)), true));
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  s3.on(GetObjectCommand).callsFake(async (input) => {
    const bytes = input.Bucket === ENV.INBOX_BUCKET ? inbox.get(input.Key) : undefined;
    if (!bytes) throw s3Error("NoSuchKey", 404);
    return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } };
  });
  s3.on(ListObjectsV2Command).callsFake(async (input) => {
    const keys = [...archive.keys()].filter((key) => key.startsWith(input.Prefix ?? "")).sort().slice(0, input.MaxKeys ?? 1000);
    return { Contents: keys.map((Key) => ({ Key, Size: (archive.get(Key)!.Body as Buffer).length })), IsTruncated: false };
  });
  s3.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
    if (input.IfNoneMatch === "*" && archive.has(input.Key!)) throw s3Error("PreconditionFailed", 412);
    archive.set(input.Key!, input);
    return {};
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function sesRecord(messageId: string, objectKey: string, recipients = ["journal@archive.example.com"]) {
  const notification = {
    notificationType: "Received",
    mail: { source: "journal-sender@contoso.com", destination: recipients, messageId: "ses-1", timestamp: "2026-11-24T08:15:03.000Z" },
    receipt: {
      recipients,
      timestamp: "2026-11-24T08:15:03.000Z",
      spamVerdict: { status: "PASS" },
      virusVerdict: { status: "PASS" },
      action: { type: "S3", bucketName: ENV.INBOX_BUCKET, objectKey, topicArn: "arn:aws:sns:us-east-1:111122223333:journal-intake" },
    },
  };
  return { messageId, body: JSON.stringify({ Type: "Notification", Message: JSON.stringify(notification) }) };
}

const event = (...records: { messageId: string; body: string }[]) => ({ Records: records }) as unknown as SQSEvent;
const auditLines = () => stdout.filter((line) => line.includes('"type":"audit"')).map((line) => JSON.parse(line));

describe("the SQS handler", () => {
  it("archives an SES-delivered journal report with a create-only, checksummed, KMS-encrypted PutObject", async () => {
    const raw = fixture("journal/exchange-online.eml");
    inbox.set("ses/abc123", raw);
    expect(await handler(event(sesRecord("m1", "ses/abc123")))).toEqual({ batchItemFailures: [] });

    const key = [...archive.keys()].find((k) => k.startsWith("messages/"))!;
    expect(key).toBe(`messages/2026/11/24/${sha(raw)}.eml`);
    const put = archive.get(key)!;
    expect(put).toMatchObject({
      Bucket: ENV.ARCHIVE_BUCKET,
      IfNoneMatch: "*",
      ChecksumAlgorithm: "SHA256",
      ChecksumSHA256: Buffer.from(sha(raw), "hex").toString("base64"),
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: KEY_ARN,
      BucketKeyEnabled: true,
    });
    expect((put.Body as Buffer).equals(raw)).toBe(true);
    const meta = JSON.parse((archive.get(`meta/2026/11/24/${sha(raw)}.json`)!.Body as Buffer).toString("utf8"));
    expect(meta).toMatchObject({ source: "ses", format: "exchange-journal", receivedAt: "2026-11-24T08:15:03.000Z" });
    expect(meta.envelope.recipients).toContainEqual({ address: "compliance-officer@contoso.com", field: "bcc" });
    // Anyone can send to SES: without an allow-listed, authenticated sender the envelope is not verified.
    expect(meta.envelope.verified).toBe(false);
    expect(auditLines()).toEqual([expect.objectContaining({ action: "ingested", sha256: sha(raw), actor: "intake:ses" })]);
  });

  it("treats S3's 412 on a redelivery as a duplicate, not a failure", async () => {
    inbox.set("ses/dup", fixture("plain/simple-crlf.eml"));
    await handler(event(sesRecord("m1", "ses/dup")));
    const putsBefore = archive.size;
    expect(await handler(event(sesRecord("m2", "ses/dup")))).toEqual({ batchItemFailures: [] });
    expect(archive.size).toBe(putsBefore);
    expect(auditLines().map((line) => line.action)).toEqual(["ingested", "duplicate"]);
  });

  it("quarantines bytes that are not mail, dropped by another tool (S3 event, URL-encoded key)", async () => {
    const junk = fixture("malformed/json.txt");
    inbox.set("drop/export 1.txt", junk);
    const s3Event = { Records: [{ eventTime: "2026-11-24T09:00:00.000Z", s3: { bucket: { name: ENV.INBOX_BUCKET }, object: { key: "drop/export+1.txt" } } }] };
    expect(await handler(event({ messageId: "m1", body: JSON.stringify(s3Event) }))).toEqual({ batchItemFailures: [] });
    expect([...archive.keys()]).toEqual([`quarantine/2026/11/24/${sha(junk)}.eml`, `quarantine/2026/11/24/${sha(junk)}.json`]);
  });

  it("reports only the failing record of a batch, and archives the others", async () => {
    inbox.set("ses/one", fixture("plain/simple-crlf.eml"));
    inbox.set("ses/three", fixture("plain/ssn.eml"));
    s3.on(GetObjectCommand, { Bucket: ENV.INBOX_BUCKET, Key: "ses/two" }).rejects(s3Error("SlowDown", 503));
    const result = await handler(event(sesRecord("m1", "ses/one"), sesRecord("m2", "ses/two"), sesRecord("m3", "ses/three")));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m2" }] });
    expect([...archive.keys()].filter((k) => k.startsWith("messages/"))).toHaveLength(2);
  });

  it("surfaces an S3 PutObject 503 for retry, leaving no sidecar", async () => {
    inbox.set("ses/x", fixture("plain/simple-crlf.eml"));
    s3.on(PutObjectCommand).rejects(s3Error("ServiceUnavailable", 503));
    expect(await handler(event(sesRecord("m1", "ses/x")))).toEqual({ batchItemFailures: [{ itemIdentifier: "m1" }] });
    expect(archive.size).toBe(0);
    expect(auditLines()).toEqual([]);
  });

  it("fails a record it does not recognise, or one naming another bucket, so it reaches the dead-letter queue", async () => {
    const foreign = JSON.stringify({ Records: [{ s3: { bucket: { name: "someone-elses-bucket" }, object: { key: "x" } } }] });
    const result = await handler(event({ messageId: "m1", body: "not json" }, { messageId: "m2", body: JSON.stringify({ hello: 1 }) }, { messageId: "m3", body: foreign }));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["m1", "m2", "m3"]);
  });

  it("archives real corpus messages byte for byte", async () => {
    const files = corpusFiles().slice(0, 25);
    if (files.length === 0) console.warn("corpus absent: the corpus part of the AWS handler test has nothing to run");
    files.forEach((file, i) => inbox.set(`ses/corpus-${i}`, readFileSync(file)));
    const result = await handler(event(...files.map((_, i) => sesRecord(`c${i}`, `ses/corpus-${i}`))));
    expect(result.batchItemFailures).toEqual([]);
    for (const file of files) {
      const raw = readFileSync(file);
      const stored = [...archive.entries()].find(([key]) => key.endsWith(`/${sha(raw)}.eml`));
      expect(stored && (stored[1].Body as Buffer).equals(raw), file).toBe(true);
    }
  });
});

describe("event shapes", () => {
  it("ignores SNS subscription confirmations and S3 test events", () => {
    expect(inboxObjects(JSON.stringify({ Type: "SubscriptionConfirmation", SubscribeURL: "https://sns.example" }))).toEqual([]);
    expect(inboxObjects(JSON.stringify({ Type: "Notification", Message: JSON.stringify({ Event: "s3:TestEvent" }) }))).toEqual([]);
  });

  it("takes the SMTP envelope and verdicts from an SES notification", () => {
    const [object] = inboxObjects(sesRecord("m", "ses/k", ["a@x.com", "b@x.com"]).body);
    expect(object).toMatchObject({
      bucket: ENV.INBOX_BUCKET,
      key: "ses/k",
      context: { source: "ses", envelopeSender: "journal-sender@contoso.com", envelopeRecipients: ["a@x.com", "b@x.com"] },
      verdicts: { spamVerdict: "PASS", virusVerdict: "PASS" },
    });
  });
});

describe("readAwsSettings", () => {
  it("reads the environment the Pulumi program sets", () => {
    expect(readAwsSettings(ENV)).toMatchObject({ archiveBucket: ENV.ARCHIVE_BUCKET, retentionDays: 2557, detectors: ["card", "ssn", "iban"], logLevel: "info" });
  });

  it("names every bad variable and what it must be", () => {
    expect(() => readAwsSettings({ ...ENV, ARCHIVE_BUCKET: "Bad_Bucket", RETENTION_DAYS: "forever", DETECTORS: "card,dna" })).toThrow(
      /ARCHIVE_BUCKET="Bad_Bucket": must be an S3 bucket name\n {2}RETENTION_DAYS="forever": must be a whole number from 1 to 36500\n {2}DETECTORS="card,dna": each must be one of card, ssn, iban/,
    );
    expect(() => readAwsSettings({ ...ENV, ARCHIVE_KMS_KEY_ARN: undefined })).toThrow(/ARCHIVE_KMS_KEY_ARN=null: must be a KMS key ARN/);
  });
});
