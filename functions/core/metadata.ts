// From a scanned message to its searchable sidecar: which format it is, who it was
// really delivered to, whether that envelope can be believed, and where in the archive it belongs.
import { correlationId, envelopeFromParts, isWorkspaceCopy, JournalFormatError, journalHeaderOf, workspaceRecipients, type JournalMarker } from "./journal";
import { addresses, type ScannedMessage } from "./mime";
import type { IntakeContext, JournalEnvelope, JournalRecipient, MessageMetadata, TruncatedField } from "./types";

/** Input that must be quarantined rather than archived; the message says why. */
export class NotArchivableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotArchivableError";
  }
}

/**
 * Header fields of which an email, or a bare MIME entity, has at least one. Input with
 * none of them (a PNG, a JSON document, a URL list, headerless text) is not an email
 * and goes to quarantine.
 */
const EMAIL_FIELDS = [
  "from", "sender", "date", "message-id", "to", "cc", "subject", "received", "return-path", "delivered-to",
  "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
  "x-ms-journal-report", "x-ms-exchange-organization-journal-report",
];

/**
 * The most a sidecar holds of each field. A longer value is cut to this and the field is
 * named in the sidecar's `truncated` list; the raw message always holds the whole of it.
 * They keep a sidecar of a pathological message to a few MB, so that the clouds' query
 * engines and the local search read it like any other.
 */
export const SIDECAR_CAPS = {
  /** Addresses per list (from, to, cc, bcc, envelope.recipients): far above what any mail system delivers to (Exchange Online allows 1,000 recipients a message). */
  addresses: 10_000,
  /** Characters per address: RFC 5321 4.5.3.1.1 and 4.5.3.1.2, a 64-octet local part, "@", a 255-octet domain. */
  addressChars: 320,
  /** Characters of the subject. */
  subjectChars: 4096,
  /** Characters of a Message-ID: RFC 5322 2.1.1, a line is at most 998 characters. */
  messageIdChars: 998,
  /** Attachments listed. */
  attachments: 10_000,
  /** Characters of an attachment's file name. */
  filenameChars: 1024,
  /** Characters of a content type: RFC 6838 4.2, type and subtype names are at most 127 characters each. */
  contentTypeChars: 255,
} as const;

/** Header fields whose cut (headerBudget.ts) makes a sidecar field incomplete. */
const FIELD_OF_HEADER: Readonly<Record<string, TruncatedField>> = {
  from: "from", sender: "sender", to: "to", cc: "cc", bcc: "bcc", subject: "subject", date: "date", "message-id": "messageId",
  "x-gm-original-to": "envelope.recipients", "delivered-to": "envelope.recipients",
  "content-type": "attachments", "content-transfer-encoding": "attachments", "content-disposition": "attachments",
};

/** A Date header within this window of receipt places the message by its own date. */
const PLAUSIBLE_PAST_MS = 30 * 24 * 60 * 60 * 1000;
const PLAUSIBLE_FUTURE_MS = 24 * 60 * 60 * 1000;
/** No date written in RFC 5322 form, comments and all, comes near this; longer is not parsed. */
const MAX_DATE_CHARS = 256;

export interface DescribeInput {
  readonly sha256: string;
  readonly size: number;
  readonly context: IntakeContext;
  readonly receivedAt: Date;
  readonly retainUntil: Date;
}

export interface Described {
  /** Everything but `key`, which depends on `partitionDate`. */
  readonly metadata: Omit<MessageMetadata, "key">;
  /** The `YYYY/MM/DD` the message is filed under. */
  readonly partitionDate: Date;
}

export function describeMessage(scan: ScannedMessage, input: DescribeInput): Described {
  const present = EMAIL_FIELDS.filter((name) => scan.headers.get(name).length > 0);
  if (scan.headerCount === 0 || present.length === 0) {
    throw new NotArchivableError(`not an email: no header block with any of ${EMAIL_FIELDS.join(", ")}`);
  }

  const cut = new Cuts();
  // An envelope is authoritative only from a sender the intake trusts (IntakeContext.senderTrusted):
  // anyone can write a journal report, a Workspace header or an SMTP envelope.
  const verified = input.context.senderTrusted === true;
  let format: MessageMetadata["format"] = "smtp";
  let facts = scan;
  let envelope: MessageMetadata["envelope"];
  let original: MessageMetadata["original"];

  const report = journalReportIn(scan);
  // A journal report that cannot be unwrapped is still an email: it is archived, indexed by its own
  // headers and the intake's envelope, and its sidecar says why it could not be read as a report.
  let unwrapped: ReturnType<typeof unwrapJournal> | undefined;
  let journalProblem: string | undefined;
  if (report) {
    format = "exchange-journal";
    try {
      unwrapped = unwrapJournal(report.message, report.marker);
    } catch (err) {
      if (!(err instanceof NotArchivableError)) throw err;
      journalProblem = err.message;
    }
  }
  if (report && unwrapped) {
    facts = unwrapped.original.message;
    const journal = unwrapped.envelope;
    envelope = {
      ...(journal.sender ? { sender: cut.address("envelope.sender", journal.sender) } : {}),
      ...(journal.onBehalfOf ? { onBehalfOf: cut.address("envelope.onBehalfOf", journal.onBehalfOf) } : {}),
      recipients: cut.recipients(journal.recipients),
      verified,
    };
    const originalId = messageIdOf(facts, cut, "original.messageId");
    original = { sha256: unwrapped.original.sha256, size: unwrapped.original.size, ...(originalId ? { messageId: originalId } : {}) };
    if (report.message.texts.some((t) => t.truncated)) cut.add("envelope.recipients");
  } else {
    const fromIntake = (input.context.envelopeRecipients ?? []).map((address) => address.toLowerCase());
    const fromHeaders = !report && isWorkspaceCopy(scan.headers) ? workspaceRecipients(scan.headers) : [];
    if (fromHeaders.length > 0) format = "workspace-copy";
    const recipients = [...new Set([...fromHeaders, ...fromIntake])].map((address): JournalRecipient => ({ address, field: "recipient" }));
    const sender = input.context.envelopeSender?.toLowerCase() || undefined;
    envelope = { ...(sender ? { sender: cut.address("envelope.sender", sender) } : {}), recipients: cut.recipients(recipients), verified };
  }

  for (const header of facts.headersCut) if (FIELD_OF_HEADER[header]) cut.add(FIELD_OF_HEADER[header]);
  for (const header of scan.headersCut) if (FIELD_OF_HEADER[header] === "attachments") cut.add("attachments");
  if (facts.incomplete || scan.incomplete) {
    // Read from the header block alone: what the body held is not all listed or flagged.
    cut.add("attachments");
    cut.add("flags");
  } else if (incompleteWithin(scan)) {
    // An attached message was read from its header block alone: its text was not all scanned.
    cut.add("flags");
  }

  const messageId = messageIdOf(facts, cut, "messageId");
  const date = parseDate(facts.headers.first("date"));
  const from = cut.addresses("from", addresses(facts.headers.get("from")));
  const sender = addresses(facts.headers.get("sender"))[0];
  const subject = cut.text("subject", facts.headers.first("subject"), SIDECAR_CAPS.subjectChars);
  const metadata: Omit<MessageMetadata, "key"> = {
    schema: 1,
    sha256: input.sha256,
    size: input.size,
    source: input.context.source,
    receivedAt: input.receivedAt.toISOString(),
    retainUntil: input.retainUntil.toISOString(),
    format,
    ...(messageId ? { messageId } : {}),
    ...(date ? { date: date.toISOString() } : {}),
    from,
    ...(sender ? { sender: cut.address("sender", sender) } : {}),
    to: cut.addresses("to", addresses(facts.headers.get("to"))),
    cc: cut.addresses("cc", addresses(facts.headers.get("cc"))),
    bcc: cut.addresses("bcc", addresses(facts.headers.get("bcc"))),
    ...(subject !== undefined ? { subject } : {}),
    envelope,
    correlationId: correlationId({ messageId, date: date?.toISOString(), from: from[0], subject }),
    ...(original ? { original } : {}),
    attachments: cut.attachments(facts.attachments),
    flags: [...scan.flags],
    ...(journalProblem ? { journalProblem } : {}),
    ...(cut.size > 0 ? { truncated: cut.list() } : {}),
  };
  return { metadata, partitionDate: partitionDate(scan, input.receivedAt) };
}

/**
 * The journal report a message is, or (for the alternate journaling mailbox) the one a
 * non-delivery report carries: the first attached message with a journal report header.
 */
function journalReportIn(scan: ScannedMessage): { message: ScannedMessage; marker: JournalMarker } | undefined {
  const marker = journalHeaderOf(scan.headers);
  if (marker) return { message: scan, marker };
  if (!/^multipart\/report\b/i.test(scan.headers.get("content-type")[0] ?? "")) return undefined;
  for (const attached of scan.embedded) {
    const inner = journalHeaderOf(attached.message.headers);
    if (inner) return { message: attached.message, marker: inner };
  }
  return undefined;
}

function unwrapJournal(report: ScannedMessage, marker: JournalMarker): { envelope: JournalEnvelope; original: ScannedMessage["embedded"][number] } {
  const original = report.embedded[0];
  if (!original) {
    const why = report.incomplete ? `; its body could not be read to the end (${report.incomplete})` : "";
    throw new NotArchivableError(`Exchange journal report (${marker}) has no attached original message (message/rfc822 part${report.tnef ? " or message in its TNEF part" : ""})${why}`);
  }
  try {
    return { envelope: envelopeFromParts(report.texts), original };
  } catch (err) {
    if (err instanceof JournalFormatError) throw new NotArchivableError(`Exchange journal envelope unusable (${marker}): ${err.message}`);
    throw err;
  }
}

function incompleteWithin(scan: ScannedMessage): boolean {
  return scan.embedded.some((e) => e.message.incomplete !== undefined || incompleteWithin(e.message));
}

function messageIdOf(scan: ScannedMessage, cut: Cuts, field: TruncatedField): string | undefined {
  const value = scan.headers.first("message-id")?.trim();
  return value ? cut.text(field, value, SIDECAR_CAPS.messageIdChars) : undefined;
}

/** Linear: no regular expression over the raw value, and nothing longer than a real date is parsed. */
function parseDate(value: string | undefined): Date | undefined {
  if (!value || value.length > MAX_DATE_CHARS) return undefined;
  const parsed = new Date(withoutTrailingComment(value));
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** `Tue, 24 Nov 2026 09:30:00 +0000 (UTC)` → without the final `(UTC)`, which Date.parse refuses. */
function withoutTrailingComment(value: string): string {
  const trimmed = value.trimEnd();
  if (!trimmed.endsWith(")")) return value;
  const open = trimmed.lastIndexOf("(");
  return open >= 0 && trimmed.indexOf(")", open) === trimmed.length - 1 ? trimmed.slice(0, open).trimEnd() : value;
}

/**
 * Files a message under its own Date header when that is plausible, else under its
 * receipt. The date then comes from the bytes, so a redelivery of the same bytes on a
 * later day lands on the same key and is recognised as a duplicate.
 */
function partitionDate(scan: ScannedMessage, receivedAt: Date): Date {
  const date = parseDate(scan.headers.first("date"));
  if (!date) return receivedAt;
  const offset = receivedAt.getTime() - date.getTime();
  return offset <= PLAUSIBLE_PAST_MS && offset >= -PLAUSIBLE_FUTURE_MS ? date : receivedAt;
}

/** Applies SIDECAR_CAPS and remembers which fields it cut. */
class Cuts {
  private readonly fields = new Set<TruncatedField>();

  get size(): number {
    return this.fields.size;
  }

  add(field: TruncatedField): void {
    this.fields.add(field);
  }

  list(): TruncatedField[] {
    return [...this.fields].sort();
  }

  text(field: TruncatedField, value: string | undefined, max: number): string | undefined {
    if (value === undefined || value.length <= max) return value;
    this.fields.add(field);
    return value.slice(0, max);
  }

  address(field: TruncatedField, value: string): string {
    return this.text(field, value, SIDECAR_CAPS.addressChars)!;
  }

  addresses(field: TruncatedField, values: readonly string[]): string[] {
    if (values.length > SIDECAR_CAPS.addresses) this.fields.add(field);
    return values.slice(0, SIDECAR_CAPS.addresses).map((value) => this.address(field, value));
  }

  recipients(values: readonly JournalRecipient[]): JournalRecipient[] {
    const field = "envelope.recipients";
    if (values.length > SIDECAR_CAPS.addresses) this.fields.add(field);
    return values.slice(0, SIDECAR_CAPS.addresses).map((r) => ({
      ...r,
      address: this.address(field, r.address),
      ...(r.expandedFrom !== undefined ? { expandedFrom: this.address(field, r.expandedFrom) } : {}),
      ...(r.forwardedFrom !== undefined ? { forwardedFrom: this.address(field, r.forwardedFrom) } : {}),
    }));
  }

  attachments(values: ScannedMessage["attachments"]): MessageMetadata["attachments"] {
    if (values.length > SIDECAR_CAPS.attachments) this.fields.add("attachments");
    return values.slice(0, SIDECAR_CAPS.attachments).map((a) => ({
      ...a,
      contentType: this.text("attachments", a.contentType, SIDECAR_CAPS.contentTypeChars)!,
      ...(a.filename !== undefined ? { filename: this.text("attachments", a.filename, SIDECAR_CAPS.filenameChars) } : {}),
    }));
  }
}
