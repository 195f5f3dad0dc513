// Every form of Exchange journal report the docs describe, each built from its documented format
// (test/fixtures/build.ts, README.md there), read to the same facts as the standard report; and
// the envelope of any format is authoritative only from a sender the intake trusts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createPipeline } from "../../../functions/core/pipeline";
import type { IngestResult, IntakeContext, MessageMetadata } from "../../../functions/core/types";
import { MemoryAuditSink } from "../../helpers/memoryAudit";
import { MemoryObjectStore } from "../../helpers/memoryStore";

const fixture = (path: string) => readFileSync(join(__dirname, "..", "..", "fixtures", path));

let store: MemoryObjectStore;

beforeEach(() => {
  store = new MemoryObjectStore();
});

async function ingest(raw: Buffer, context: Partial<IntakeContext> = {}): Promise<IngestResult> {
  const pipeline = createPipeline({ store, audit: new MemoryAuditSink(), retentionDays: 2557, now: () => new Date("2026-11-24T09:00:00Z") });
  return pipeline.ingest(raw, { source: "smtp", envelopeSender: "journal-sender@contoso.com", envelopeRecipients: ["journal@archive.example.com"], senderTrusted: true, ...context });
}

const meta = (result: IngestResult) => store.json<MessageMetadata>(result.metaKey);

/** What every report of the fixtures' original says about it, whatever its form. */
const THE_ORIGINAL = {
  format: "exchange-journal",
  messageId: "<alloc-2026-11-24@contoso.com>",
  subject: "Bond allocation for Friday",
  from: ["chris@contoso.com"],
  to: ["michelle@contoso.com", "sales@contoso.com"],
  cc: ["bob@fabrikam.com"],
  flags: ["iban"],
};

const STANDARD_RECIPIENTS = [
  { address: "michelle@contoso.com", field: "to" },
  { address: "anna@contoso.com", field: "to", expandedFrom: "sales@contoso.com" },
  { address: "raj@contoso.com", field: "to", expandedFrom: "sales@contoso.com" },
  { address: "bob@fabrikam.com", field: "cc" },
  { address: "compliance-officer@contoso.com", field: "bcc" },
  { address: "assistant@contoso.com", field: "cc", forwardedFrom: "bob@contoso.com" },
];

describe("Exchange journal reports in each form", () => {
  it("reads a report inside the organisation by X-MS-Exchange-Organization-Journal-Report", async () => {
    const m = meta(await ingest(fixture("journal/organization-header.eml")));
    expect(m).toMatchObject(THE_ORIGINAL);
    expect(m.envelope.recipients).toEqual(STANDARD_RECIPIENTS);
  });

  it("reads the [MS-XJRNL] fields: Message-ID before Subject, On-Behalf-Of, Label, Mailbox and the UTC times", async () => {
    const m = meta(await ingest(fixture("journal/xjrnl-fields.eml")));
    expect(m).toMatchObject(THE_ORIGINAL);
    expect(m.envelope).toMatchObject({ sender: "chris@contoso.com", onBehalfOf: "desk-head@contoso.com" });
    // Mailbox: names a mailbox, not a recipient: only the To and Bcc lines are.
    expect(m.envelope.recipients).toEqual([
      { address: "michelle@contoso.com", field: "to" },
      { address: "compliance-officer@contoso.com", field: "bcc" },
    ]);
  });

  it("reads an envelope sent as the report's HTML part", async () => {
    const m = meta(await ingest(fixture("journal/html-envelope.eml")));
    expect(m).toMatchObject(THE_ORIGINAL);
    expect(m.envelope.recipients).toEqual([
      { address: "michelle@contoso.com", field: "to" },
      { address: "anna@contoso.com", field: "to", expandedFrom: "sales@contoso.com" },
      { address: "compliance-officer@contoso.com", field: "bcc" },
    ]);
  });

  it("reads an envelope attached as a text file", async () => {
    const m = meta(await ingest(fixture("journal/envelope-attachment.eml")));
    expect(m).toMatchObject(THE_ORIGINAL);
    expect(m.envelope.recipients).toEqual(STANDARD_RECIPIENTS);
  });

  it("reads an Exchange 2003 report: Content-Identifer: ExJournalReport, alternative envelope parts, one Recipients: list", async () => {
    const m = meta(await ingest(fixture("journal/exchange-2003.eml")));
    expect(m).toMatchObject(THE_ORIGINAL);
    expect(m.envelope.sender).toBe("chris@contoso.com");
    expect(m.envelope.recipients.map((r) => `${r.field}:${r.address}`)).toEqual([
      "recipient:michelle@contoso.com",
      "recipient:anna@contoso.com",
      "recipient:raj@contoso.com",
      "recipient:bob@fabrikam.com",
      "recipient:compliance-officer@contoso.com",
    ]);
  });

  it("unwraps a report that reached the alternate journaling mailbox inside a non-delivery report", async () => {
    const raw = fixture("journal/ndr-alternate-mailbox.eml");
    const result = await ingest(raw);
    expect(result.status).toBe("archived");
    const m = meta(result);
    expect(m).toMatchObject({ ...THE_ORIGINAL, sha256: result.sha256 });
    expect(m.envelope.recipients).toEqual(STANDARD_RECIPIENTS);
    // The original is the one the plain report carries.
    expect(m.original!.sha256).toBe(meta(await ingest(fixture("journal/exchange-online.eml"))).original!.sha256);
  });

  it("reads a report wrapped in TNEF (winmail.dat): the envelope from its body, the original from its RFC 822 attachment", async () => {
    const m = meta(await ingest(fixture("journal/tnef-winmail.eml")));
    expect(m).toMatchObject(THE_ORIGINAL);
    expect(m.envelope.recipients).toEqual(STANDARD_RECIPIENTS);
    expect(m.original!.sha256).toBe(meta(await ingest(fixture("journal/exchange-online.eml"))).original!.sha256);
  });

  it("reads a report sent whole as TNEF: the envelope from PR_BODY, the original from an embedded MAPI message's transport headers", async () => {
    const m = meta(await ingest(fixture("journal/tnef-summary.eml")));
    expect(m).toMatchObject(THE_ORIGINAL);
    expect(m.envelope).toMatchObject({ sender: "chris@contoso.com", onBehalfOf: "desk-head@contoso.com", recipients: STANDARD_RECIPIENTS });
    expect(m.original).toMatchObject({ messageId: "<alloc-2026-11-24@contoso.com>", size: expect.any(Number) });
  });

  it("archives a TNEF-wrapped report whose TNEF holds no original, saying so in its sidecar", async () => {
    const tnefOnly = fixture("journal/tnef-winmail.eml").toString("latin1").replace(/X-MS-TNEF-Correlator[^\r]*\r\n/, "");
    const damaged = Buffer.from(tnefOnly.replace(/(Content-Transfer-Encoding: base64\r\n\r\n)[A-Za-z0-9+/=\r\n]+/, "$1eJ8+IgEA\r\n"), "latin1");
    const m = meta(await ingest(damaged));
    expect(m.format).toBe("exchange-journal");
    expect(m.journalProblem).toMatch(/has no attached original message \(message\/rfc822 part or message in its TNEF part\)/);
  });
});

describe("the envelope is authoritative only from a trusted sender", () => {
  it("marks a journal report verified from a trusted intake, and the same bytes unverified from anyone else", async () => {
    const raw = fixture("journal/exchange-online.eml");
    expect(meta(await ingest(raw, { senderTrusted: true })).envelope.verified).toBe(true);
    store = new MemoryObjectStore();
    const forged = meta(await ingest(raw, { senderTrusted: false }));
    // Archived and searchable all the same: a forged report is evidence too.
    expect(forged).toMatchObject({ format: "exchange-journal", envelope: { verified: false } });
    expect(forged.envelope.recipients).toEqual(STANDARD_RECIPIENTS);
  });

  it("is unverified when the intake does not say (senderTrusted unset)", async () => {
    const m = meta(await ingest(fixture("journal/exchange-online.eml"), { senderTrusted: undefined }));
    expect(m.envelope.verified).toBe(false);
  });

  it.each([
    ["a Workspace copy", "workspace/compliance-copy.eml", "workspace-copy"],
    ["a plain SMTP delivery", "plain/simple-crlf.eml", "smtp"],
  ])("applies to %s as well", async (_what, path, format) => {
    expect(meta(await ingest(fixture(path), { senderTrusted: true }))).toMatchObject({ format, envelope: { verified: true } });
    store = new MemoryObjectStore();
    expect(meta(await ingest(fixture(path), { senderTrusted: false }))).toMatchObject({ format, envelope: { verified: false } });
  });
});
