// From a scanned message to its searchable sidecar: which format it is, who it was
// really delivered to, and where in the archive it belongs.
import { correlationId, isJournalReport, isWorkspaceCopy, JournalFormatError, parseJournalEnvelope, workspaceRecipients } from "./journal";
import { addresses, type ScannedMessage } from "./mime";
import type { IntakeContext, JournalEnvelope, JournalRecipient, MessageMetadata } from "./types";

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
  "mime-version", "content-type", "content-transfer-encoding", "content-disposition", "x-ms-journal-report",
];

/** A Date header within this window of receipt places the message by its own date. */
const PLAUSIBLE_PAST_MS = 30 * 24 * 60 * 60 * 1000;
const PLAUSIBLE_FUTURE_MS = 24 * 60 * 60 * 1000;

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

  let format: MessageMetadata["format"] = "smtp";
  let facts = scan;
  let envelope: { sender?: string; onBehalfOf?: string; recipients: readonly JournalRecipient[] };
  let original: MessageMetadata["original"];

  if (isJournalReport(scan.headers.get("x-ms-journal-report")[0])) {
    format = "exchange-journal";
    const attached = scan.embedded[0];
    if (!attached) {
      throw new NotArchivableError("Exchange journal report (X-MS-Journal-Report) has no attached original message (message/rfc822 part)");
    }
    if (scan.firstText === undefined) {
      throw new NotArchivableError("Exchange journal report (X-MS-Journal-Report) has no text/plain envelope part before the original");
    }
    let journal: JournalEnvelope;
    try {
      journal = parseJournalEnvelope(scan.firstText);
    } catch (err) {
      if (err instanceof JournalFormatError) throw new NotArchivableError(`Exchange journal envelope unusable: ${err.message}`);
      throw err;
    }
    facts = attached.message;
    envelope = { sender: journal.sender, onBehalfOf: journal.onBehalfOf, recipients: journal.recipients };
    original = { sha256: attached.sha256, size: attached.size, ...(messageIdOf(facts) ? { messageId: messageIdOf(facts) } : {}) };
  } else {
    const fromIntake = (input.context.envelopeRecipients ?? []).map((address) => address.toLowerCase());
    const fromHeaders = isWorkspaceCopy(scan.headers) ? workspaceRecipients(scan.headers) : [];
    if (fromHeaders.length > 0) format = "workspace-copy";
    const recipients = [...new Set([...fromHeaders, ...fromIntake])].map((address): JournalRecipient => ({ address, field: "recipient" }));
    envelope = { sender: input.context.envelopeSender?.toLowerCase() || undefined, recipients };
  }

  const messageId = messageIdOf(facts);
  const date = parseDate(facts.headers.first("date"));
  const from = addresses(facts.headers.get("from"));
  const subject = facts.headers.first("subject");
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
    ...(addresses(facts.headers.get("sender"))[0] ? { sender: addresses(facts.headers.get("sender"))[0] } : {}),
    to: addresses(facts.headers.get("to")),
    cc: addresses(facts.headers.get("cc")),
    bcc: addresses(facts.headers.get("bcc")),
    ...(subject !== undefined ? { subject } : {}),
    envelope,
    correlationId: correlationId({ messageId, date: date?.toISOString(), from: from[0], subject }),
    ...(original ? { original } : {}),
    attachments: facts.attachments,
    flags: [...scan.flags],
  };
  return { metadata, partitionDate: partitionDate(scan, input.receivedAt) };
}

function messageIdOf(scan: ScannedMessage): string | undefined {
  const value = scan.headers.first("message-id");
  return value ? value.trim() : undefined;
}

function parseDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const parsed = new Date(value.replace(/\s*\([^)]*\)\s*$/, ""));
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
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
