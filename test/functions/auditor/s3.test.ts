// The auditor's S3 adapter through the real SDK client, answered by an in-memory Object Lock bucket
// under the stack's bucket policy (test/helpers/fakeS3.ts says what that stand-in cannot show).
import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../../functions/core/objectStore";
import { S3AuditorStore } from "../../../functions/auditor/s3";
import type { AuditorEvent } from "../../../functions/auditor/store";
import { auditorStoreContract, contractRecords } from "../../helpers/auditorStoreContract";
import { fakeS3 } from "../../helpers/fakeS3";

const BUCKET = "ej-archive-111122223333-us-east-1-aws-us-east-1";
const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const ACTOR = "arn:aws:iam::111122223333:user/alice as email-journal-auditor";

function archive(options: { access?: "content" | "holds"; kmsKeyArn?: string } = {}) {
  const s3 = fakeS3({ bucket: BUCKET, kmsKeyArn: KEY_ARN });
  const open = () => new S3AuditorStore({ client: s3.client, bucket: BUCKET, actor: ACTOR, pageSize: 4, ...("kmsKeyArn" in options ? (options.kmsKeyArn ? { kmsKeyArn: options.kmsKeyArn } : {}) : { kmsKeyArn: KEY_ARN }), ...(options.access ? { access: options.access } : {}) });
  return { s3, store: open(), open };
}

// Four keys a page: the suite's listings cross several ListObjectsV2 pages and continuation tokens.
auditorStoreContract({
  name: "S3 (auditor role)",
  async open(records) {
    const { s3, store, open } = archive();
    for (const r of records) s3.seed(r.key, r.body, r.retainUntil);
    return { store, location: `s3://${BUCKET}`, actor: ACTOR, reopen: async () => open(), close: async () => s3.restore() };
  },
});

const event = (over: Partial<AuditorEvent> = {}): AuditorEvent => ({ action: "hold-set", at: "2026-03-04T05:06:07.089Z", actor: ACTOR, sha256: "a".repeat(64), key: `messages/2026/03/04/${"a".repeat(64)}.eml`, case: "CASE-7", ...over });

describe("the trail on S3", () => {
  it("writes each event create-only, checksummed, under the stack key, in its day's folder", async () => {
    const { s3, store } = archive();
    await store.audit(event());
    const put = s3.calls.find((c) => c.command === "PutObject")!.input;
    expect(put.Key).toMatch(/^audit\/2026\/03\/04\/2026-03-04T05:06:07\.089Z-\d{6}-[0-9a-f]{12}\.json$/);
    expect(put).toMatchObject({ IfNoneMatch: "*", ChecksumAlgorithm: "SHA256", ServerSideEncryption: "aws:kms", SSEKMSKeyId: KEY_ARN, ContentType: "application/json" });
    // The bucket's default COMPLIANCE retention covers the event as it covers every record.
    expect(s3.objects.get(put.Key)!.retainUntil.getTime()).toBeGreaterThan(Date.now() + 2000 * 86_400_000);
  });

  it("reads the stack key from the bucket's default encryption once when it is not given", async () => {
    const { s3, store } = archive({ kmsKeyArn: undefined });
    await store.audit(event());
    await store.audit(event({ action: "hold-cleared" }));
    expect(s3.calls.filter((c) => c.command === "GetBucketEncryption")).toHaveLength(1);
    expect(s3.calls.filter((c) => c.command === "PutObject").map((c) => c.input.SSEKMSKeyId)).toEqual([KEY_ARN, KEY_ARN]);
  });

  it("is refused by the bucket policy under any other key, and says who was refused", async () => {
    const { store } = archive({ kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/another" });
    await expect(store.audit(event())).rejects.toThrow(/S3 PutObject audit\/.* was refused \(AccessDenied, HTTP 403\) to .*alice/);
  });

  it("never lets an event land on another's name: when the name is taken, it is written under a new one", async () => {
    const { s3, store } = archive();
    const send = s3.client.send.bind(s3.client);
    let first = true;
    // The first upload finds its name taken (412), as it would after another process's same-millisecond event.
    s3.client.send = (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      if (first && command.constructor.name === "PutObjectCommand") {
        first = false;
        s3.calls.push({ command: "PutObject", input: command.input });
        throw Object.assign(new Error("At least one of the pre-conditions you specified did not hold"), { name: "PreconditionFailed", $metadata: { httpStatusCode: 412 } });
      }
      return send(command as never);
    }) as never;
    await store.audit(event());
    const puts = s3.calls.filter((c) => c.command === "PutObject").map((c) => c.input.Key);
    expect(puts).toHaveLength(2);
    expect(puts[1]).not.toBe(puts[0]);
    expect([...s3.objects.keys()]).toEqual([puts[1]]);
  });

  it("refuses to read back an object under audit/ that is not an auditor event, naming it", async () => {
    const { s3, store } = archive();
    s3.seed("audit/2026/03/04/2026-03-04T00:00:00.000Z-000001-abcdefabcdef.json", Buffer.from('{"action":"ingested","at":"x","actor":"y"}'));
    const read = async () => {
      for await (const _ of store.events());
    };
    await expect(read()).rejects.toThrow(/audit object audit\/2026\/03\/04\/2026-03-04T00:00:00.000Z-000001-abcdefabcdef.json is not an auditor event/);
  });
});

describe("records on S3", () => {
  const [record] = contractRecords();

  it("sets a hold with PutObjectLegalHold alone: retention is never put", async () => {
    const { s3, store } = archive();
    s3.seed(record.key, record.body, record.retainUntil);
    await store.setLegalHold(record.key, true);
    expect(s3.calls.map((c) => c.command)).toEqual(["PutObjectLegalHold"]);
    expect(s3.calls[0].input).toMatchObject({ Bucket: BUCKET, Key: record.key, LegalHold: { Status: "ON" } });
    expect(s3.objects.get(record.key)!.retainUntil).toEqual(record.retainUntil);
  });

  it("reports the storage class a lifecycle rule moved the object to, and STANDARD when S3 names none", async () => {
    const { s3, store } = archive();
    s3.seed(record.key, record.body, record.retainUntil);
    expect((await store.state(record.key))!.tier).toBe("STANDARD");
    s3.objects.get(record.key)!.storageClass = "GLACIER_IR";
    expect((await store.state(record.key))!).toMatchObject({ tier: "GLACIER_IR", retentionMode: "compliance", legalHold: false });
  });

  it("asks HeadObject for the checksum, and reports none for a multipart object's checksum of checksums", async () => {
    const { s3, store } = archive();
    s3.seed(record.key, record.body, record.retainUntil);
    await store.state(record.key);
    expect(s3.calls.find((c) => c.command === "HeadObject")!.input.ChecksumMode).toBe("ENABLED");
    s3.objects.set(record.key, { ...s3.objects.get(record.key)!, checksumSha256: "bm90LWEtZnVsbC1vYmplY3Q=-3" });
    expect((await store.state(record.key))!.checksum).toBeUndefined();
  });

  it("as a hold admin, states records without reading them: listing, retention and hold, no HeadObject or GetObject", async () => {
    const { s3, store } = archive({ access: "holds" });
    s3.seed(record.key, record.body, record.retainUntil);
    await store.setLegalHold(record.key, true);
    const state = await store.state(record.key);
    expect(state).toMatchObject({ key: record.key, size: record.body.length, retainUntil: record.retainUntil, retentionMode: "compliance", legalHold: true, tier: "STANDARD" });
    expect(state!.checksum).toBeUndefined();
    expect(await store.state(record.key.slice(0, -4))).toBeUndefined();
    expect(s3.calls.map((c) => c.command)).not.toContain("HeadObject");
    expect(s3.calls.map((c) => c.command)).not.toContain("GetObject");
  });

  it("tells a refusal from an outage: 403 names the actor, 503 is worth a retry", async () => {
    const { s3, store } = archive();
    s3.seed(record.key, record.body, record.retainUntil);
    const refused = Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    const outage = Object.assign(new Error("Slow Down"), { name: "SlowDown", $metadata: { httpStatusCode: 503 } });
    const send = s3.client.send.bind(s3.client);
    s3.client.send = (async () => {
      throw refused;
    }) as never;
    const denied = await store.get(record.key).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(Error);
    expect(denied).not.toBeInstanceOf(StoreUnavailableError);
    expect(String(denied)).toMatch(/refused \(AccessDenied, HTTP 403\) to arn:aws:iam::111122223333:user\/alice/);
    s3.client.send = (async () => {
      throw outage;
    }) as never;
    await expect(store.state(record.key)).rejects.toBeInstanceOf(StoreUnavailableError);
    s3.client.send = send;
  });
});
