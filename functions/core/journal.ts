// Exchange / Exchange Online envelope journal reports, and Google Workspace copies.
//
// An Exchange journal report (header `X-MS-Journal-Report`) is a multipart message:
// a text part holding the envelope, one field per line, then the original message
// attached unaltered as message/rfc822. Microsoft's journal report format (Exchange
// 2007 onward, "Journal report format", ABNF):
//   "Sender:" SP smtp-address CRLF
//   "Subject:" SP subject CRLF
//   "Message-ID:" SP message-id CRLF
//   1*( ("To" | "Cc" | "Bcc" | "Recipient") ":" SP address [", " ("Expanded" | "Forwarded") ":" SP source-address] CRLF )
// plus the extended field "On-Behalf-Of:". `Expanded:` names the distribution group
// that was expanded to reach the recipient; `Forwarded:` names the mailbox whose
// alternative recipient it is. `Recipient:` is used when Exchange could not verify
// how the recipient was addressed (anonymous or legacy submission).
import { createHash } from "node:crypto";
import type { JournalEnvelope, JournalRecipient } from "./types";

export class JournalFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalFormatError";
  }
}

/** True when the message carries an `X-MS-Journal-Report` header (its value may be empty). */
export function isJournalReport(headerValue: string | undefined): boolean {
  return headerValue !== undefined;
}

const RECIPIENT_FIELDS: Readonly<Record<string, JournalRecipient["field"]>> = { to: "to", cc: "cc", bcc: "bcc", recipient: "recipient" };

/** Parses the decoded text of a journal report's envelope part. */
export function parseJournalEnvelope(text: string): JournalEnvelope {
  const lines = envelopeLines(text);
  let sender: string | undefined;
  let onBehalfOf: string | undefined;
  let subject: string | undefined;
  let messageId: string | undefined;
  const recipients: JournalRecipient[] = [];

  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "sender") sender = bareAddress(value);
    else if (name === "on-behalf-of") onBehalfOf = bareAddress(value);
    else if (name === "subject") subject = value;
    else if (name === "message-id") messageId = value;
    else if (name in RECIPIENT_FIELDS) recipients.push(recipientOf(RECIPIENT_FIELDS[name], value));
    // Unknown fields (newer Exchange versions add some) are kept in the report itself.
  }

  if (!sender) throw new JournalFormatError("envelope has no Sender: line");
  if (recipients.length === 0) throw new JournalFormatError("envelope names no recipient (To:, Cc:, Bcc: or Recipient: line)");
  return { sender, recipients, ...(onBehalfOf ? { onBehalfOf } : {}), ...(subject !== undefined ? { subject } : {}), ...(messageId ? { messageId } : {}) };
}

/** One field per line; an HTML envelope (Exchange Online sends some) is reduced to its text lines. */
function envelopeLines(text: string): string[] {
  const plain = /<(br|p|div|html)\b/i.test(text)
    ? text
        .replace(/<br\s*\/?>|<\/(p|div)>/gi, "\n")
        .replace(/<[^>]+>/g, "")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&")
    : text;
  // Folded continuation lines (leading white space) belong to the line before.
  return plain.replace(/\r\n?/g, "\n").replace(/\n[ \t]+/g, " ").split("\n");
}

function recipientOf(field: JournalRecipient["field"], value: string): JournalRecipient {
  const annotation = /,\s*(Expanded|Forwarded):\s*(.+)$/i.exec(value);
  const address = bareAddress(annotation ? value.slice(0, annotation.index) : value);
  if (!annotation) return { address, field };
  const source = bareAddress(annotation[2]);
  return annotation[1].toLowerCase() === "expanded" ? { address, field, expandedFrom: source } : { address, field, forwardedFrom: source };
}

/** `Display Name <addr>`, `<addr>` or `addr` → `addr`, lower-cased. */
function bareAddress(value: string): string {
  const angle = /<([^>]*)>/.exec(value);
  return (angle ? angle[1] : value).trim().toLowerCase();
}

interface HeaderSource {
  get(name: string): string[];
}

/** A Google Workspace compliance copy names its original recipient in `X-Gm-Original-To`. */
export function isWorkspaceCopy(headers: HeaderSource): boolean {
  return headers.get("x-gm-original-to").length > 0;
}

/** The recipients of a Workspace copy: `X-Gm-Original-To` and `Delivered-To`, deduplicated. */
export function workspaceRecipients(headers: HeaderSource): string[] {
  const values = [...headers.get("x-gm-original-to"), ...headers.get("delivered-to")];
  const out = new Set<string>();
  for (const value of values) {
    for (const part of value.split(",")) {
      const address = bareAddress(part);
      if (address.includes("@")) out.add(address);
    }
  }
  return [...out];
}

/**
 * The same id for every journal report of one original (Exchange bifurcation) and for
 * the original itself: a hash of its Message-ID, or of date|from|subject without one.
 */
export function correlationId(input: { messageId?: string; date?: string; from?: string; subject?: string }): string {
  const id = input.messageId?.trim().replace(/^<|>$/g, "").toLowerCase();
  const basis = id ? `message-id:${id}` : `headers:${input.date ?? ""}|${(input.from ?? "").toLowerCase()}|${input.subject ?? ""}`;
  return createHash("sha256").update(basis).digest("hex");
}
