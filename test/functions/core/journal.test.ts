import { describe, expect, it } from "vitest";
import { correlationId, journalHeaderOf, JournalFormatError, parseJournalEnvelope, workspaceRecipients } from "../../../functions/core/journal";

const headers = (map: Record<string, string[]>) => ({ get: (name: string) => map[name.toLowerCase()] ?? [] });

describe("parseJournalEnvelope (Exchange journal report format)", () => {
  it("reads sender, subject, message id and each recipient field with its annotation", () => {
    const envelope = parseJournalEnvelope(
      [
        "Sender: Chris@Contoso.com",
        "Subject: Bond allocation",
        "Message-Id: <alloc@contoso.com>",
        "To: michelle@contoso.com",
        "To: anna@contoso.com, Expanded: sales@contoso.com",
        "Cc: assistant@contoso.com, Forwarded: bob@contoso.com",
        "Bcc: <compliance@contoso.com>",
        "Recipient: Hidden Person <hidden@contoso.com>",
        "On-Behalf-Of: desk-head@contoso.com",
        "",
      ].join("\r\n"),
    );
    expect(envelope).toEqual({
      sender: "chris@contoso.com",
      subject: "Bond allocation",
      messageId: "<alloc@contoso.com>",
      onBehalfOf: "desk-head@contoso.com",
      recipients: [
        { address: "michelle@contoso.com", field: "to" },
        { address: "anna@contoso.com", field: "to", expandedFrom: "sales@contoso.com" },
        { address: "assistant@contoso.com", field: "cc", forwardedFrom: "bob@contoso.com" },
        { address: "compliance@contoso.com", field: "bcc" },
        { address: "hidden@contoso.com", field: "recipient" },
      ],
    });
  });

  it("accepts LF endings, folded lines, unknown fields and an HTML-formatted envelope", () => {
    expect(parseJournalEnvelope("Sender: a@x.com\nX-Future-Field: 1\nTo: b@x.com,\n  Expanded: dl@x.com\n").recipients).toEqual([
      { address: "b@x.com", field: "to", expandedFrom: "dl@x.com" },
    ]);
    const html = "<html><body><p>Sender: a@x.com<br>Subject: Hi<br>To: b@x.com, Expanded: dl@x.com<br>Bcc: &lt;c@x.com&gt;</p></body></html>";
    expect(parseJournalEnvelope(html)).toMatchObject({ sender: "a@x.com", recipients: [{ address: "b@x.com", expandedFrom: "dl@x.com" }, { address: "c@x.com", field: "bcc" }] });
  });

  it("rejects an envelope without a Sender line, naming it", () => {
    expect(() => parseJournalEnvelope("To: b@x.com\r\n")).toThrow(JournalFormatError);
    expect(() => parseJournalEnvelope("To: b@x.com\r\n")).toThrow(/no Sender: line/);
  });

  it("rejects an envelope that names no recipient, naming the fields it looked for", () => {
    expect(() => parseJournalEnvelope("Sender: a@x.com\r\nSubject: x\r\n")).toThrow(/no recipient \(To:, Cc:, Bcc:, Recipient: or Recipients: line\)/);
  });

  it("recognises the report header even when its value is empty", () => {
    expect(journalHeaderOf(headers({ "x-ms-journal-report": [""] }))).toBe("X-MS-Journal-Report");
    expect(journalHeaderOf(headers({ subject: ["X-MS-Journal-Report"] }))).toBeUndefined();
  });
});

describe("Google Workspace copies", () => {
  it("takes recipients from X-Gm-Original-To and Delivered-To, deduplicated and lower-cased", () => {
    expect(workspaceRecipients(headers({ "x-gm-original-to": ["Priya@Example.com"], "delivered-to": ["vault@example.com", "priya@example.com"] }))).toEqual([
      "priya@example.com",
      "vault@example.com",
    ]);
  });
});

describe("correlationId", () => {
  it("is the same for one Message-ID however it is written, and differs between messages", () => {
    expect(correlationId({ messageId: "<A@x.com>" })).toBe(correlationId({ messageId: " a@x.com " }));
    expect(correlationId({ messageId: "<a@x.com>" })).not.toBe(correlationId({ messageId: "<b@x.com>" }));
  });

  it("falls back to date, sender and subject without a Message-ID", () => {
    const a = correlationId({ date: "2026-11-24T08:00:00.000Z", from: "A@x.com", subject: "Hi" });
    expect(a).toBe(correlationId({ date: "2026-11-24T08:00:00.000Z", from: "a@x.com", subject: "Hi" }));
    expect(a).not.toBe(correlationId({ date: "2026-11-24T08:00:00.000Z", from: "a@x.com", subject: "Hi again" }));
  });
});
