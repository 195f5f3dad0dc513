// Valid mail with huge headers is archived and indexed as far as the sidecar caps go, with the
// cut fields named; only what is not email goes to quarantine. Pathological values that made a
// regular expression backtrack quadratically are here too: each would run for minutes and time
// the test out, so the suite guards the linear behaviour without asserting any timing.
import { beforeEach, describe, expect, it } from "vitest";
import { SIDECAR_CAPS } from "../../../functions/core/metadata";
import { createPipeline } from "../../../functions/core/pipeline";
import type { IngestResult, MessageMetadata } from "../../../functions/core/types";
import { MemoryAuditSink } from "../../helpers/memoryAudit";
import { MemoryObjectStore } from "../../helpers/memoryStore";
import { rfc822 } from "../../helpers/messages";

let store: MemoryObjectStore;

beforeEach(() => {
  store = new MemoryObjectStore();
});

async function ingest(raw: Buffer): Promise<IngestResult> {
  const pipeline = createPipeline({ store, audit: new MemoryAuditSink(), retentionDays: 2557, now: () => new Date("2026-11-24T10:00:00Z") });
  const result = await pipeline.ingest(raw, { source: "http" });
  expect(store.objects.get(result.key)!.body.equals(raw)).toBe(true);
  return result;
}

const meta = (result: IngestResult) => store.json<MessageMetadata>(result.metaKey);
const recipients = (n: number) => Array.from({ length: n }, (_, i) => `user${i}@example.org`);

describe("messages with huge headers are archived and indexed", () => {
  it("50,000 addresses in To:, folded one per line: the first 10,000 indexed, `to` named as cut", async () => {
    const result = await ingest(rfc822({ to: recipients(50_000).join(",\r\n ") }));
    expect(result.status).toBe("archived");
    const m = meta(result);
    expect(m.to).toHaveLength(SIDECAR_CAPS.addresses);
    expect(m.to.slice(0, 2)).toEqual(["user0@example.org", "user1@example.org"]);
    expect(m).toMatchObject({ subject: "Quarterly figures", messageId: "<q3-figures@example.com>", truncated: ["to"] });
  });

  it("50,000 addresses on one To: line, the same", async () => {
    const m = meta(await ingest(rfc822({ to: recipients(50_000).join(", ") })));
    expect(m.to).toHaveLength(SIDECAR_CAPS.addresses);
    expect(m.truncated).toEqual(["to"]);
  });

  it("a 1 MB header line: archived with every indexed field, nothing cut", async () => {
    const m = meta(await ingest(rfc822({ extraHeaders: [`X-Long: ${"a".repeat(1024 * 1024)}`] })));
    expect(m).toMatchObject({ from: ["alice@example.com"], to: ["bob@example.org"], subject: "Quarterly figures" });
    expect(m.truncated).toBeUndefined();
  });

  it("100,000 header fields before the ones the archive reads: those are still read", async () => {
    const noise = Array.from({ length: 100_000 }, (_, i) => `X-Trace-${i}: hop ${i}`).join("\r\n");
    const raw = Buffer.concat([Buffer.from(noise + "\r\n"), rfc822()]);
    const m = meta(await ingest(raw));
    expect(m).toMatchObject({ from: ["alice@example.com"], to: ["bob@example.org"], subject: "Quarterly figures", messageId: "<q3-figures@example.com>" });
    expect(m.date).toBe("2026-11-24T09:30:00.000Z");
  });

  it("a 1 MB Subject is cut to the cap and named", async () => {
    const m = meta(await ingest(rfc822({ subject: "s".repeat(1024 * 1024) })));
    expect(m.subject).toHaveLength(SIDECAR_CAPS.subjectChars);
    expect(m.truncated).toEqual(["subject"]);
  });

  it("a To: line longer than any header line may pass is cut where it must be, and still indexed up to there", async () => {
    const m = meta(await ingest(rfc822({ to: recipients(200_000).join(", ") })));
    expect(m.to).toHaveLength(SIDECAR_CAPS.addresses);
    expect(m.truncated).toEqual(["to"]);
  });

  it("a MIME part whose own header is over the splitter's limit: the message is read from its header block, attachments and flags named as incomplete", async () => {
    const raw = Buffer.from(
      [
        "From: a@example.com",
        "To: b@example.com",
        "Subject: part with a giant header",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        ...Array.from({ length: 300_000 }, (_, i) => `X-Part-${i}: v`),
        "Content-Type: text/plain",
        "",
        "SSN 123-45-6789",
        "--b--",
        "",
      ].join("\r\n"),
    );
    const result = await ingest(raw);
    expect(result.status).toBe("archived");
    expect(meta(result)).toMatchObject({ subject: "part with a giant header", attachments: [], truncated: ["attachments", "flags"] });
  });

  it("more MIME parts than the splitter takes: archived from the header block, incomplete named", async () => {
    const parts = Array.from({ length: 12_000 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}`).join("\r\n");
    const raw = Buffer.from(`From: a@example.com\r\nSubject: many parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${parts}\r\n--b--\r\n`);
    expect(meta(await ingest(raw))).toMatchObject({ subject: "many parts", truncated: ["attachments", "flags"] });
  });

  it("MIME parts nested deeper than the limit (counted across embedded messages): read from the header block, incomplete named", async () => {
    const nested = (levels: number, b = "b") =>
      Array.from({ length: levels }, (_, i) => `--${b}${i - 1}\r\nContent-Type: multipart/mixed; boundary="${b}${i}"\r\n\r\n`)
        .join("")
        .replace(new RegExp(`^--${b}-1\\r\\n`), "") + `--${b}${levels - 1}\r\nContent-Type: text/plain\r\n\r\nSSN 123-45-6789\r\n`;
    const shallow = meta(await ingest(Buffer.from(`From: a@example.com\r\nSubject: shallow\r\n${nested(30)}`)));
    expect(shallow).toMatchObject({ subject: "shallow", flags: ["ssn"] });
    expect(shallow.truncated).toBeUndefined();
    const deep = meta(await ingest(Buffer.from(`From: a@example.com\r\nSubject: deep\r\n${nested(40)}`)));
    expect(deep).toMatchObject({ subject: "deep", truncated: ["attachments", "flags"] });
    // 20 levels, then an attached message with 20 more: too deep as well.
    const inner = `From: b@example.com\r\nSubject: inner\r\n${nested(20, "inner")}`;
    const outer = nested(20).replace(/Content-Type: text\/plain\r\n\r\nSSN 123-45-6789\r\n$/, `Content-Type: message/rfc822\r\n\r\n${inner}`);
    const across = meta(await ingest(Buffer.from(`From: a@example.com\r\nSubject: across\r\n${outer}`)));
    // The outer message is whole; the attached one was read from its header block, so its text was not all scanned.
    expect(across).toMatchObject({ subject: "across", attachments: [{ contentType: "message/rfc822" }], truncated: ["flags"] });
  });

  it("still quarantines what is not email, however long its first line", async () => {
    const result = await ingest(Buffer.from(`X-Not-Mail: ${"b".repeat(20 * 1024 * 1024)}`));
    expect(result.status).toBe("quarantined");
    expect(result.reason).toMatch(/^not an email/);
  });
});

describe("values that used to backtrack quadratically are read in linear time", () => {
  const M = 1_000_000;
  it.each([
    ["a Date of unclosed comments", { date: "(".repeat(M) }],
    ["a Date of spaces", { date: `Tue${" ".repeat(M)}x` }],
    ["a Date of mixed punctuation", { date: 'a<b(c"d,'.repeat(M / 8) }],
  ])("%s", async (_what, parts) => {
    const m = meta(await ingest(rfc822(parts)));
    expect(m.date).toBeUndefined();
    expect(m.subject).toBe("Quarterly figures");
  });

  it.each([
    ["unclosed angle brackets", "<".repeat(M)],
    ["unclosed address brackets", "<a@".repeat(M / 3)],
  ])("an X-Gm-Original-To of %s", async (_what, value) => {
    const m = meta(await ingest(rfc822({ extraHeaders: [`X-Gm-Original-To: ${value}`] })));
    expect(m.subject).toBe("Quarterly figures");
    for (const recipient of m.envelope.recipients) expect(recipient.address.length).toBeLessThanOrEqual(SIDECAR_CAPS.addressChars);
  });

  it.each([
    ["Sender: of unclosed angle brackets", `Sender: ${"<".repeat(M)}\r\nTo: a@example.com`],
    ["an HTML body of unclosed tags", `<html>${"<".repeat(M)}`],
    ["a Recipients: list of 250,000 addresses", `Sender: a@example.com\r\nRecipients: ${"a@b.example;".repeat(M / 12)}`],
  ])("a journal envelope with %s", async (_what, envelope) => {
    const raw = Buffer.from(
      ["From: x@example.com", "X-MS-Journal-Report:", "Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: text/html", "", envelope, "--b", "Content-Type: message/rfc822", "", "From: a@example.com", "Subject: s", "", "hi", "--b--", ""].join("\r\n"),
    );
    const result = await ingest(raw);
    // Read to an answer either way: archived, or quarantined for an envelope that names no one.
    expect(["archived", "quarantined"]).toContain(result.status);
    if (result.status === "archived") expect(meta(result).envelope.recipients.length).toBeLessThanOrEqual(SIDECAR_CAPS.addresses);
  });
});
