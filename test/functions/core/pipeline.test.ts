import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { jsonLogger } from "../../../functions/core/log";
import { createPipeline, type PipelineOptions } from "../../../functions/core/pipeline";
import type { MessageMetadata, QuarantineRecord } from "../../../functions/core/types";
import { MemoryAuditSink } from "../../helpers/memoryAudit";
import { MemoryObjectStore } from "../../helpers/memoryStore";
import { rfc822 } from "../../helpers/messages";

const RECEIVED = new Date("2026-11-24T10:00:00Z");
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let store: MemoryObjectStore;
let audit: MemoryAuditSink;
let logLines: string[];

function pipeline(overrides: Partial<PipelineOptions> = {}) {
  return createPipeline({
    store,
    audit,
    retentionDays: 2557,
    logger: jsonLogger((line) => logLines.push(line), "debug"),
    now: () => RECEIVED,
    ...overrides,
  });
}

beforeEach(() => {
  store = new MemoryObjectStore();
  audit = new MemoryAuditSink();
  logLines = [];
});

describe("archiving a plain delivery", () => {
  it("stores the exact bytes content-addressed under the message's date, with a sidecar and an audit event", async () => {
    const raw = rfc822();
    const result = await pipeline().ingest(raw, {
      source: "smtp",
      envelopeSender: "Alice@Example.com",
      envelopeRecipients: ["bob@example.org", "hidden-bcc@example.org"],
      receivedAt: RECEIVED,
    });

    expect(result).toMatchObject({ status: "archived", sha256: sha(raw), size: raw.length });
    expect(result.key).toBe(`messages/2026/11/24/${sha(raw)}.eml`);
    expect(result.metaKey).toBe(`meta/2026/11/24/${sha(raw)}.json`);
    expect(store.objects.get(result.key)!.body.equals(raw)).toBe(true);

    const meta = store.json<MessageMetadata>(result.metaKey);
    expect(meta).toMatchObject({
      sha256: sha(raw),
      key: result.key,
      format: "smtp",
      messageId: "<q3-figures@example.com>",
      from: ["alice@example.com"],
      to: ["bob@example.org"],
      subject: "Quarterly figures",
      receivedAt: RECEIVED.toISOString(),
      source: "smtp",
    });
    // The intake envelope is authoritative: it names the Bcc recipient the headers never show.
    expect(meta.envelope.sender).toBe("alice@example.com");
    expect(meta.envelope.recipients.map((r) => r.address)).toEqual(["bob@example.org", "hidden-bcc@example.org"]);
    expect(audit.events).toEqual([
      expect.objectContaining({ action: "ingested", sha256: sha(raw), key: result.key, actor: "intake:smtp", size: raw.length }),
    ]);
  });

  it("sets retain-until from the configured retention on the message and its sidecar", async () => {
    const result = await pipeline({ retentionDays: 10 }).ingest(rfc822(), { source: "http", receivedAt: RECEIVED });
    const expected = new Date("2026-12-04T10:00:00Z");
    expect(store.objects.get(result.key)!.options.retainUntil).toEqual(expected);
    expect(store.objects.get(result.metaKey)!.options.retainUntil).toEqual(expected);
    expect(store.json<MessageMetadata>(result.metaKey).retainUntil).toBe(expected.toISOString());
  });

  it("treats a stream exactly like the same bytes in a buffer", async () => {
    const raw = rfc822({ body: "x".repeat(300_000) });
    const fromStream = await pipeline().ingest(Readable.from([raw.subarray(0, 1000), raw.subarray(1000)]), { source: "http" });
    expect(fromStream.sha256).toBe(sha(raw));
    expect(store.objects.get(fromStream.key)!.body.equals(raw)).toBe(true);
  });

  it("files a message whose Date is implausible under its receipt date", async () => {
    const result = await pipeline().ingest(rfc822({ date: "Mon, 1 Jan 1979 00:00:00 +0000" }), { source: "http", receivedAt: RECEIVED });
    expect(result.key).toMatch(/^messages\/2026\/11\/24\//);
    expect(store.json<MessageMetadata>(result.metaKey).date).toBe("1979-01-01T00:00:00.000Z");
  });

  it("hashes attachments and flags sensitive data without keeping any body text", async () => {
    const attachment = Buffer.from("account statement\n");
    const raw = Buffer.from(
      [
        "From: a@example.com",
        "To: b@example.com",
        "Subject: statement",
        "Message-ID: <stmt@example.com>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b1"',
        "",
        "--b1",
        "Content-Type: text/plain",
        "",
        "Card 4111 1111 1111 1111, SSN 123-45-6789.",
        "--b1",
        'Content-Type: text/plain; name="statement.txt"',
        'Content-Disposition: attachment; filename="statement.txt"',
        "Content-Transfer-Encoding: base64",
        "",
        attachment.toString("base64"),
        "--b1--",
        "",
      ].join("\r\n"),
    );
    const result = await pipeline().ingest(raw, { source: "http" });
    const meta = store.json<MessageMetadata>(result.metaKey);
    expect(meta.attachments).toEqual([{ filename: "statement.txt", contentType: "text/plain", size: attachment.length, sha256: sha(attachment) }]);
    expect(meta.flags).toEqual(["card", "ssn"]);
    expect(JSON.stringify(meta)).not.toContain("4111");
  });

  it("runs only the configured detectors", async () => {
    const result = await pipeline({ detectors: ["iban"] }).ingest(rfc822({ body: "SSN 123-45-6789\r\n" }), { source: "http" });
    expect(store.json<MessageMetadata>(result.metaKey).flags).toEqual([]);
  });

  it("keeps subjects, addresses and body text out of the operational log", async () => {
    await pipeline().ingest(rfc822({ subject: "Merger with Initech", body: "secret plan\r\n" }), {
      source: "smtp",
      envelopeSender: "alice@example.com",
      envelopeRecipients: ["bob@example.org"],
    });
    const log = logLines.join("");
    expect(logLines.length).toBeGreaterThan(0);
    for (const content of ["Merger", "Initech", "secret plan", "alice@", "bob@"]) expect(log).not.toContain(content);
  });
});

describe("duplicates", () => {
  it("a second delivery of the same bytes writes nothing and is audited as a duplicate", async () => {
    const raw = rfc822();
    const first = await pipeline().ingest(raw, { source: "smtp" });
    const objectsAfterFirst = store.keys();
    const second = await pipeline().ingest(raw, { source: "smtp" });
    expect(second).toMatchObject({ status: "duplicate", key: first.key, sha256: first.sha256 });
    expect(store.keys()).toEqual(objectsAfterFirst);
    expect(audit.events.map((e) => e.action)).toEqual(["ingested", "duplicate"]);
  });

  it("a redelivery days later lands on the same key, because the date comes from the bytes", async () => {
    const raw = rfc822();
    const first = await pipeline().ingest(raw, { source: "smtp", receivedAt: new Date("2026-11-24T10:00:00Z") });
    const second = await pipeline().ingest(raw, { source: "smtp", receivedAt: new Date("2026-11-27T08:00:00Z") });
    expect(second.status).toBe("duplicate");
    expect(second.key).toBe(first.key);
  });
});

describe("quarantine: nothing is dropped", () => {
  async function expectQuarantined(raw: Buffer, reason: RegExp, options: Partial<PipelineOptions> = {}) {
    const result = await pipeline(options).ingest(raw, { source: "http", envelopeRecipients: ["journal@example.com"], receivedAt: RECEIVED });
    expect(result.status).toBe("quarantined");
    expect(result.key).toBe(`quarantine/2026/11/24/${sha(raw)}.eml`);
    expect(result.reason).toMatch(reason);
    expect(store.objects.get(result.key)!.body.equals(raw)).toBe(true);
    const record = store.json<QuarantineRecord>(result.metaKey);
    expect(record).toMatchObject({ sha256: sha(raw), key: result.key, size: raw.length, envelope: { recipients: ["journal@example.com"] } });
    expect(record.reason).toMatch(reason);
    expect(store.keys("messages/")).toEqual([]);
    expect(audit.events).toEqual([expect.objectContaining({ action: "quarantined", key: result.key })]);
    return result;
  }

  it("empty input", () => expectQuarantined(Buffer.alloc(0), /empty input: 0 bytes/));

  it("input over the size limit, kept byte for byte", () =>
    expectQuarantined(rfc822({ body: "y".repeat(5000) }), /over the 4096-byte limit/, { maxMessageBytes: 4096 }));

  it("bytes that are not an email", () => expectQuarantined(Buffer.from('{"order": 1, "items": [1, 2]}\n'), /not an email/));

  it("binary junk", () => expectQuarantined(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 255, 254]), /not an email/));

  it("the same unparseable input twice is kept once and audited as a duplicate", async () => {
    const junk = Buffer.from("no headers here at all\n");
    await pipeline().ingest(junk, { source: "http" });
    const again = await pipeline().ingest(junk, { source: "http" });
    expect(again.status).toBe("quarantined");
    expect(store.keys("quarantine/")).toHaveLength(2);
    expect(audit.events.map((e) => e.action)).toEqual(["quarantined", "duplicate"]);
  });
});

describe("failures surface for retry and never half-write", () => {
  it("a failed message write rejects and leaves no sidecar", async () => {
    store.failWrites = /^messages\//;
    await expect(pipeline().ingest(rfc822(), { source: "smtp" })).rejects.toThrow(/injected failure/);
    expect(store.keys()).toEqual([]);
    expect(audit.events).toEqual([]);
  });

  it("a failed sidecar write rejects; the retry completes the record as archived", async () => {
    store.failWrites = /^meta\//;
    await expect(pipeline().ingest(rfc822(), { source: "smtp" })).rejects.toThrow(/injected failure/);
    expect(store.keys("meta/")).toEqual([]);
    store.failWrites = undefined;
    const retry = await pipeline().ingest(rfc822(), { source: "smtp" });
    expect(retry.status).toBe("archived");
    expect(store.keys("meta/")).toHaveLength(1);
    // At least once, never missing: the failed attempt and the retry that completed it.
    expect(audit.events.map((e) => e.action)).toEqual(["ingested", "ingested"]);
  });

  it("an audit outage rejects, so the delivery is retried and its ingested line is written then", async () => {
    audit.failNext = true;
    await expect(pipeline().ingest(rfc822(), { source: "smtp" })).rejects.toThrow(/audit sink outage/);
    expect(store.keys("meta/")).toEqual([]);
    const retry = await pipeline().ingest(rfc822(), { source: "smtp" });
    expect(retry.status).toBe("archived");
    expect(audit.events.map((e) => e.action)).toEqual(["ingested"]);
    expect(store.keys("meta/")).toHaveLength(1);
    expect(logLines.some((line) => JSON.parse(line).level === "error")).toBe(true);
  });

  it("rejects a retention that is not a whole number of days", () => {
    expect(() => pipeline({ retentionDays: 0 })).toThrow(/retentionDays must be a whole number of days >= 1, got 0/);
  });
});
