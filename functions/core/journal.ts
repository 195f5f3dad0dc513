// Exchange / Exchange Online envelope journal reports, and Google Workspace copies.
//
// An Exchange journal report is a message from the Microsoft Exchange recipient: a text part
// holding the envelope, one field per line, then the original message attached unaltered as
// message/rfc822 ("Journaling in Exchange Server", "Journal reports"; "Journaling in Exchange
// Online", "Journal reports"). The envelope's format (Exchange 2007 onward) is given twice:
//   - "White Paper: Exchange 2007 Transport Journaling", section "Journal Report Format"
//     (https://technet.microsoft.com/library/bb738122.aspx), ABNF:
//       "Sender:" SP smtp-address CRLF, "Subject:" SP subject CRLF, "Message-ID:" SP message-id CRLF,
//       1*( ("To" | "Cc" | "Bcc" | "Recipient") ":" SP address [", " ("Expanded" | "Forwarded") ":" SP source-address] CRLF )
//     plus the extended field "On-Behalf-Of:". `Expanded:` names the distribution group that was
//     expanded to reach the recipient; `Forwarded:` the mailbox whose alternative recipient it is;
//     `Recipient:` is used when Exchange could not verify how the recipient was addressed.
//   - [MS-XJRNL] "Journal Record Message File Format", 2.1 "Envelope-Part Structure"
//     (https://learn.microsoft.com/en-us/openspecs/exchange_server_protocols/ms-xjrnl/1972c2c4-edcc-467c-a3ee-199ff0a2342d):
//     the same lines, Subject and Message-ID in either order, "On-Behalf-Of:" right after Sender,
//     and optional "Label:", "Mailbox:", "SentUtc:", "ReceivedUtc:" lines, all before any MIME
//     encoding (so the part may be quoted-printable or base64, in any charset).
//
// The forms a report arrives in, and how each is recognised here:
//   1. Sent out of the organisation (an external journaling mailbox, as every Exchange Online
//      report is: "You can't designate an Exchange Online mailbox as a journaling mailbox"):
//      header `X-MS-Journal-Report`.
//   2. Still inside the organisation's transport, or relayed over a connector that keeps
//      organisation headers: `X-MS-Exchange-Organization-Journal-Report`. "Header firewall"
//      (Exchange 2013, "Organization and forest X-headers in Exchange",
//      https://technet.microsoft.com/library/bb232136(v=exchg.150)): it "identifies journal
//      reports in transport. As soon as the message leaves the Transport service, the header
//      changes to X-MS-Journal-Report"; the header firewall strips X-MS-Exchange-Organization-*
//      from messages sent through connectors without Ms-Exch-Send-Headers-Organization.
//   3. Exchange 2000/2003 envelope journaling: the report carries
//      `Content-Identifier: ExJournalReport` (PR_CONTENT_IDENTIFIER; Exchange writes the header
//      misspelt `Content-Identifer`: Ade Famoti, Microsoft, "Exchange Journaling: Literacy issues",
//      MSDN blog, 2006). "Envelope Message" (Exchange Server 2003 Technical Reference,
//      https://learn.microsoft.com/en-us/previous-versions/tn-archive/bb124288(v=exchg.65)) says
//      only that the body holds "the sender, the original message ID, and a list of recipients"
//      with the original attached; the docs give no field syntax or MIME layout. Third-party
//      archivers (Benno, MailArchiva) describe the envelope as text/plain and text/html
//      alternatives and one undivided recipient list: so a `Recipients:` line with several
//      addresses is read too, and the envelope may be any text part (see envelopeFromParts).
//   4. An HTML envelope, or an envelope in an attached text part: every text part of the report
//      is a candidate, plain text first, the first that parses wins. The docs are silent on
//      when Exchange sends an HTML envelope part.
//   5. TNEF (application/ms-tnef, "winmail.dat"): an organisation can make Exchange send TNEF to
//      a journaling contact or domain ("TNEF conversion options": Set-RemoteDomain -TNEFEnabled,
//      Set-MailContact -UseMapiRichTextFormat Always), and a journaling mailbox read over POP or
//      IMAP with "Exchange Rich Text Format" on returns TNEF. The report's text and its attached
//      original are then inside the TNEF stream: tnef.ts reads them ([MS-OXTNEF]). The journaling
//      docs are silent on this form.
//   6. Undeliverable reports sent to the alternate journaling mailbox arrive "as attachments in
//      the non-delivery reports" ("Journaling in Exchange Online", "Alternate journaling
//      mailbox"): metadata.ts unwraps a report attached to a multipart/report.
// With journal report decryption on, Exchange attaches a clear-text copy of an IRM-protected
// original beside it ("Journal reports and IRM-protected messages"); the first attached message
// is taken as the original. The docs do not say in which order the two are attached.
import { createHash } from "node:crypto";
import type { JournalEnvelope, JournalRecipient } from "./types";

export class JournalFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalFormatError";
  }
}

/** The header by which a message says it is a journal report, as it is named in a sidecar and an error. */
export type JournalMarker = "X-MS-Journal-Report" | "X-MS-Exchange-Organization-Journal-Report" | "Content-Identifier: ExJournalReport";

/** Which journal report header the message carries (any value, even empty), or undefined. */
export function journalHeaderOf(headers: HeaderSource): JournalMarker | undefined {
  if (headers.get("x-ms-journal-report").length > 0) return "X-MS-Journal-Report";
  if (headers.get("x-ms-exchange-organization-journal-report").length > 0) return "X-MS-Exchange-Organization-Journal-Report";
  const identifiers = [...headers.get("content-identifier"), ...headers.get("content-identifer")];
  if (identifiers.some((value) => value.trim().toLowerCase() === "exjournalreport")) return "Content-Identifier: ExJournalReport";
  return undefined;
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
    else if (name === "recipients") for (const recipient of recipientList(value)) recipients.push(recipient);
    // Other fields (Label, Mailbox, SentUtc, ReceivedUtc, and whatever newer versions add) stay in the report itself.
  }

  if (!sender) throw new JournalFormatError("envelope has no Sender: line");
  if (recipients.length === 0) throw new JournalFormatError("envelope names no recipient (To:, Cc:, Bcc:, Recipient: or Recipients: line)");
  return { sender, recipients, ...(onBehalfOf ? { onBehalfOf } : {}), ...(subject !== undefined ? { subject } : {}), ...(messageId ? { messageId } : {}) };
}

/** A candidate envelope part: the decoded text of one text part of a report. */
export interface EnvelopeCandidate {
  readonly contentType: "text/plain" | "text/html";
  readonly text: string;
}

/**
 * The envelope among a report's text parts: the first that parses, plain text before HTML.
 * Throws the first part's JournalFormatError when none parses, or says there was no text part.
 */
export function envelopeFromParts(parts: readonly EnvelopeCandidate[]): JournalEnvelope {
  const ordered = [...parts.filter((p) => p.contentType === "text/plain"), ...parts.filter((p) => p.contentType === "text/html")];
  if (ordered.length === 0) throw new JournalFormatError("report has no text part holding the envelope");
  let first: unknown;
  for (const part of ordered) {
    try {
      return parseJournalEnvelope(part.text);
    } catch (err) {
      first ??= err;
    }
  }
  throw first;
}

/** One field per line; an HTML envelope is reduced to its text lines. */
function envelopeLines(text: string): string[] {
  const plain = /<(br|p|div|html|tr)\b/i.test(text) ? htmlToText(text) : text;
  // Folded continuation lines (leading white space) belong to the line before.
  return plain.replace(/\r\n?/g, "\n").replace(/\n[ \t]+/g, " ").split("\n");
}

/** Line breaks where the markup breaks lines, tags dropped, the common entities decoded. Linear in the input. */
function htmlToText(html: string): string {
  const broken = html.replace(/<br\s*\/?>|<\/(p|div|tr)>/gi, "\n");
  let out = "";
  let at = 0;
  while (at < broken.length) {
    const open = broken.indexOf("<", at);
    const close = open < 0 ? -1 : broken.indexOf(">", open + 1);
    if (close < 0) {
      out += broken.slice(at);
      break;
    }
    out += broken.slice(at, open);
    at = close + 1;
  }
  return out
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

function recipientOf(field: JournalRecipient["field"], value: string): JournalRecipient {
  const annotation = /,\s*(Expanded|Forwarded):\s*(.+)$/i.exec(value);
  const address = bareAddress(annotation ? value.slice(0, annotation.index) : value);
  if (!annotation) return { address, field };
  const source = bareAddress(annotation[2]);
  return annotation[1].toLowerCase() === "expanded" ? { address, field, expandedFrom: source } : { address, field, forwardedFrom: source };
}

/** A `Recipients:` value: addresses separated by commas or semicolons. */
function recipientList(value: string): JournalRecipient[] {
  return value
    .split(/[,;]/)
    .map((part) => bareAddress(part))
    .filter((address) => address.includes("@"))
    .map((address) => ({ address, field: "recipient" as const }));
}

/** `Display Name <addr>`, `<addr>` or `addr` → `addr`, lower-cased. Linear: no regular expression. */
export function bareAddress(value: string): string {
  const open = value.indexOf("<");
  const close = open < 0 ? -1 : value.indexOf(">", open + 1);
  return (close >= 0 ? value.slice(open + 1, close) : value).trim().toLowerCase();
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
