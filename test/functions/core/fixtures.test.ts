// The pipeline on the project's own fixtures (test/fixtures/README.md says what each covers).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createPipeline } from "../../../functions/core/pipeline";
import type { IngestResult, MessageMetadata } from "../../../functions/core/types";
import { MemoryAuditSink } from "../../helpers/memoryAudit";
import { MemoryObjectStore } from "../../helpers/memoryStore";

const fixture = (path: string) => readFileSync(join(__dirname, "..", "..", "fixtures", path));
const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

let store: MemoryObjectStore;
let audit: MemoryAuditSink;

beforeEach(() => {
  store = new MemoryObjectStore();
  audit = new MemoryAuditSink();
});

async function ingest(path: string, envelopeRecipients: string[] = ["journal@archive.example.com"]): Promise<{ raw: Buffer; result: IngestResult }> {
  const raw = fixture(path);
  const pipeline = createPipeline({ store, audit, retentionDays: 2557, now: () => new Date("2026-11-24T09:00:00Z") });
  const result = await pipeline.ingest(raw, { source: "smtp", envelopeSender: "journal-sender@contoso.com", envelopeRecipients });
  return { raw, result };
}

const meta = (result: IngestResult) => store.json<MessageMetadata>(result.metaKey);

describe("Exchange journal reports", () => {
  it("keeps the report verbatim, takes headers from the original and recipients from the envelope", async () => {
    const { raw, result } = await ingest("journal/exchange-online.eml");
    expect(result.status).toBe("archived");
    expect(store.objects.get(result.key)!.body.equals(raw)).toBe(true);
    const m = meta(result);
    expect(m).toMatchObject({
      format: "exchange-journal",
      messageId: "<alloc-2026-11-24@contoso.com>",
      subject: "Bond allocation for Friday",
      from: ["chris@contoso.com"],
      to: ["michelle@contoso.com", "sales@contoso.com"],
      cc: ["bob@fabrikam.com"],
    });
    expect(m.envelope.sender).toBe("chris@contoso.com");
    expect(m.envelope.onBehalfOf).toBe("desk-head@contoso.com");
    expect(m.envelope.recipients).toEqual([
      { address: "michelle@contoso.com", field: "to" },
      { address: "anna@contoso.com", field: "to", expandedFrom: "sales@contoso.com" },
      { address: "raj@contoso.com", field: "to", expandedFrom: "sales@contoso.com" },
      { address: "bob@fabrikam.com", field: "cc" },
      // Bcc: in no header of the original, known only from the journal envelope.
      { address: "compliance-officer@contoso.com", field: "bcc" },
      { address: "assistant@contoso.com", field: "cc", forwardedFrom: "bob@contoso.com" },
    ]);
    expect(m.original).toMatchObject({ messageId: "<alloc-2026-11-24@contoso.com>" });
    expect(m.flags).toEqual(["iban"]);
  });

  it("reads Exchange 2010 Recipient: lines", async () => {
    const { result } = await ingest("journal/exchange-2010-recipient.eml");
    expect(meta(result).envelope.recipients.map((r) => `${r.field}:${r.address}`)).toEqual([
      "recipient:michelle@contoso.com",
      "recipient:bob@fabrikam.com",
      "recipient:hidden@contoso.com",
    ]);
  });

  it("unwraps an original in base64, in binary with raw 8-bit bytes, and beside a quoted-printable envelope, to the same facts", async () => {
    const plain = meta((await ingest("journal/exchange-online.eml")).result);
    for (const path of ["journal/original-base64.eml", "journal/original-binary.eml", "journal/envelope-quoted-printable.eml"]) {
      const m = meta((await ingest(path)).result);
      expect(m.format, path).toBe("exchange-journal");
      expect(m.messageId, path).toBe(plain.messageId);
      expect(m.from, path).toEqual(plain.from);
      expect(m.correlationId, path).toBe(plain.correlationId);
    }
    const base64 = meta((await ingest("journal/original-base64.eml")).result);
    expect(base64.original!.sha256).toBe(plain.original!.sha256);
    const qp = meta((await ingest("journal/envelope-quoted-printable.eml")).result);
    expect(qp.envelope.recipients).toContainEqual({ address: "compliance-officer@contoso.com", field: "bcc" });
  });

  it("recognises two bifurcated reports as one message: same correlation id and original hash, each with its recipients", async () => {
    const first = meta((await ingest("journal/bifurcated-1.eml")).result);
    const second = meta((await ingest("journal/bifurcated-2.eml")).result);
    expect(first.sha256).not.toBe(second.sha256);
    expect(first.correlationId).toBe(second.correlationId);
    expect(first.original!.sha256).toBe(second.original!.sha256);
    expect(first.envelope.recipients.map((r) => r.address)).toEqual(["michelle@contoso.com"]);
    expect(second.envelope.recipients.map((r) => r.address)).toEqual(["bob@fabrikam.com"]);
    // The original itself, delivered on its own, correlates with its reports, and its bytes are the recorded original.
    const report = fixture("journal/bifurcated-1.eml").toString("latin1");
    const original = Buffer.from(report.slice(report.indexOf("From: Chris Trader"), report.lastIndexOf("\r\n--journal-boundary--")), "latin1");
    const alone = await createPipeline({ store, audit, retentionDays: 1 }).ingest(original, { source: "http" });
    expect(meta(alone).correlationId).toBe(first.correlationId);
    expect(sha(original)).toBe(first.original!.sha256);
  });

  it("hashes the attachments of the original and flags its sensitive data", async () => {
    const m = meta((await ingest("journal/original-with-attachment.eml")).result);
    const csv = Buffer.from("isin,nominal\nXS0000000001,1000000\n");
    expect(m.attachments).toEqual([{ filename: "settlement.csv", contentType: "text/csv", size: csv.length, sha256: sha(csv) }]);
    expect(m.flags).toEqual(["card", "iban"]);
  });

  it("archives a report whose original is missing: indexed by its own headers, byte for byte, saying why", async () => {
    const { raw, result } = await ingest("journal/broken-no-original.eml");
    expect(result.status).toBe("archived");
    expect(store.objects.get(result.key)!.body.equals(raw)).toBe(true);
    const m = meta(result);
    expect(m.format).toBe("exchange-journal");
    expect(m.journalProblem).toMatch(/journal report \(X-MS-Journal-Report\) has no attached original message/);
    expect(m.original).toBeUndefined();
  });
});

describe("Google Workspace copies and plain deliveries", () => {
  it("takes a Workspace copy's recipients from X-Gm-Original-To and Delivered-To", async () => {
    const m = meta((await ingest("workspace/compliance-copy.eml", [])).result);
    expect(m.format).toBe("workspace-copy");
    expect(m.envelope.recipients.map((r) => r.address)).toEqual(["priya@example.com", "vault-journal@example.com"]);
  });

  it("decodes encoded-word subjects and display names", async () => {
    const m = meta((await ingest("plain/encoded-words.eml")).result);
    expect(m.subject).toBe("Überweisung erhalten");
    expect(m.from).toEqual(["juergen@example.de"]);
    expect(m.date).toBe("2026-11-24T11:10:00.000Z");
  });

  it("lists a PDF attachment beside a multipart/alternative body", async () => {
    const m = meta((await ingest("plain/alternative-with-attachment.eml")).result);
    expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([["report.pdf", "application/pdf"]]);
  });

  it("flags an SSN in the body and uses the SMTP envelope for recipients", async () => {
    const m = meta((await ingest("plain/ssn.eml", ["payroll@example.com", "auditor@example.com"])).result);
    expect(m.format).toBe("smtp");
    expect(m.flags).toEqual(["ssn"]);
    expect(m.envelope.recipients.map((r) => r.address)).toEqual(["payroll@example.com", "auditor@example.com"]);
  });
});

describe("malformed input", () => {
  it.each([
    ["malformed/empty.eml", /empty input/],
    ["malformed/not-an-email.bin", /not an email/],
    ["malformed/json.txt", /not an email/],
  ])("quarantines %s", async (path, reason) => {
    const { raw, result } = await ingest(path);
    expect(result.status).toBe("quarantined");
    expect(result.reason).toMatch(reason);
    expect(store.objects.get(result.key)!.body.equals(raw)).toBe(true);
  });

  it.each(["malformed/unclosed-boundary.eml", "malformed/headers-only.eml", "plain/simple-crlf.eml"])("archives %s, which is damaged or minimal but still mail", async (path) => {
    const { raw, result } = await ingest(path);
    expect(result.status).toBe("archived");
    expect(store.objects.get(result.key)!.body.equals(raw)).toBe(true);
    expect(meta(result).messageId).toMatch(/^<.+@example\.com>$/);
  });
});
