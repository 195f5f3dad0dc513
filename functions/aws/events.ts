// What an SQS record asks the ingestor to archive. Three shapes arrive:
//  - an SNS notification wrapping an SES "Received" notification (SES receipt rule: S3 action + topic),
//    which carries the SMTP envelope: `mail.source`, `receipt.recipients`, `receipt.timestamp`,
//    and the object's `receipt.action.bucketName` / `objectKey`;
//  - an S3 event notification for an object another tool dropped into the inbox (no envelope),
//    sent to SQS directly or through SNS;
//  - SNS/S3 housekeeping (subscription confirmation, s3:TestEvent), which asks for nothing.
import { bareAddress } from "../core/journal";
import type { IntakeContext } from "../core/types";

export interface InboxObject {
  readonly bucket: string;
  readonly key: string;
  readonly context: IntakeContext;
  /** SES's verdicts, for the operational log only: an archive keeps spam and viruses too. */
  readonly verdicts?: Readonly<Record<string, string>>;
}

export class UnrecognisedRecordError extends Error {
  constructor(why: string) {
    super(`unrecognised SQS record: ${why}`);
    this.name = "UnrecognisedRecordError";
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

function parseJson(text: string, what: string): Json {
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    // fall through to the error below
  }
  throw new UnrecognisedRecordError(`${what} is not a JSON object`);
}

/** Who may deliver to the SES intake with an authoritative envelope (config intake.allowedSenders). */
export interface SesTrust {
  /** Email addresses and domains; empty (the default) trusts no SES delivery. */
  readonly allowedSenders: readonly string[];
}

const TRUST_NO_SES: SesTrust = { allowedSenders: [] };

/** The inbox objects one SQS record body names; empty for housekeeping messages. */
export function inboxObjects(body: string, trust: SesTrust = TRUST_NO_SES): InboxObject[] {
  let message = parseJson(body, "body");
  if (message.Type === "SubscriptionConfirmation" || message.Type === "UnsubscribeConfirmation") return [];
  if (message.Type === "Notification") {
    if (typeof message.Message !== "string") throw new UnrecognisedRecordError("SNS notification without a Message");
    message = parseJson(message.Message, "SNS Message");
  }
  if (message.notificationType === "Received") return [sesObject(message, trust)];
  if (message.Event === "s3:TestEvent") return [];
  if (Array.isArray(message.Records)) return message.Records.map(s3Object);
  throw new UnrecognisedRecordError("neither an SES Received notification nor an S3 event notification");
}

/**
 * Whether an SES-received message comes from a sender the stack trusts, so that its journal
 * envelope is authoritative. SES receives for the stack's addresses from anyone on the internet
 * (a receipt rule matches recipients only), and it does not refuse mail that fails SPF, DKIM or
 * DMARC: it reports verdicts. "Contents of notifications for Amazon SES email receiving"
 * (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html):
 * `mail.source` is "the envelope MAIL FROM address", `mail.commonHeaders.from` the From header,
 * and `receipt.spfVerdict`, `dkimVerdict`, `dmarcVerdict` say whether each check passed. The
 * DKIM verdict does not name the signing domain, so it alone proves nothing about the sender;
 * DMARC passes only when the From domain is the one SPF or DKIM authenticated. Trusted, then,
 * only when intake.allowedSenders names both the MAIL FROM and every From address (an address,
 * or its domain), and SPF, DKIM and DMARC all passed. Without an allow-list nothing from SES is
 * trusted: such reports are archived all the same, marked unverified.
 */
export function sesSenderTrusted(notification: Json, trust: SesTrust): boolean {
  if (trust.allowedSenders.length === 0) return false;
  const mail = isObject(notification.mail) ? notification.mail : {};
  const receipt = isObject(notification.receipt) ? notification.receipt : {};
  const passed = (verdict: string) => isObject(receipt[verdict]) && (receipt[verdict] as Json).status === "PASS";
  if (!passed("spfVerdict") || !passed("dkimVerdict") || !passed("dmarcVerdict")) return false;
  const headers = isObject(mail.commonHeaders) ? mail.commonHeaders : {};
  const from = Array.isArray(headers.from) ? headers.from.filter((f): f is string => typeof f === "string").map(bareAddress) : [];
  const source = typeof mail.source === "string" ? mail.source.toLowerCase() : "";
  const allowed = (address: string) => trust.allowedSenders.some((entry) => senderMatches(entry.toLowerCase(), address));
  return allowed(source) && from.length > 0 && from.every(allowed);
}

/** An allow-list entry with "@" is one address; without, a domain (exactly, not its subdomains). */
function senderMatches(entry: string, address: string): boolean {
  const at = address.lastIndexOf("@");
  if (at <= 0) return false;
  return entry.includes("@") ? entry === address : entry === address.slice(at + 1);
}

function sesObject(notification: Json, trust: SesTrust): InboxObject {
  const mail = isObject(notification.mail) ? notification.mail : {};
  const receipt = isObject(notification.receipt) ? notification.receipt : {};
  const action = isObject(receipt.action) ? receipt.action : {};
  if (action.type !== "S3" || typeof action.bucketName !== "string" || typeof action.objectKey !== "string") {
    throw new UnrecognisedRecordError("SES notification without an S3 action (bucketName, objectKey)");
  }
  const recipients = Array.isArray(receipt.recipients) ? receipt.recipients.filter((r): r is string => typeof r === "string") : [];
  const timestamp = typeof receipt.timestamp === "string" ? new Date(receipt.timestamp) : undefined;
  const verdicts = Object.fromEntries(
    ["spamVerdict", "virusVerdict", "spfVerdict", "dkimVerdict", "dmarcVerdict"]
      .map((name) => [name, isObject(receipt[name]) ? (receipt[name] as Json).status : undefined])
      .filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
  return {
    bucket: action.bucketName,
    key: action.objectKey,
    context: {
      source: "ses",
      envelopeSender: typeof mail.source === "string" ? mail.source : "",
      envelopeRecipients: recipients,
      ...(timestamp && !Number.isNaN(timestamp.getTime()) ? { receivedAt: timestamp } : {}),
      senderTrusted: sesSenderTrusted(notification, trust),
    },
    verdicts,
  };
}

function s3Object(record: unknown): InboxObject {
  const s3 = isObject(record) && isObject(record.s3) ? record.s3 : undefined;
  const bucket = s3 && isObject(s3.bucket) ? s3.bucket.name : undefined;
  const key = s3 && isObject(s3.object) ? s3.object.key : undefined;
  if (typeof bucket !== "string" || typeof key !== "string") throw new UnrecognisedRecordError("S3 event record without s3.bucket.name and s3.object.key");
  const eventTime = isObject(record) && typeof record.eventTime === "string" ? new Date(record.eventTime) : undefined;
  // S3 event keys are URL-encoded, with "+" for spaces.
  const decoded = decodeURIComponent(key.replace(/\+/g, " "));
  return {
    bucket,
    key: decoded,
    context: {
      source: "s3-drop",
      ...(eventTime && !Number.isNaN(eventTime.getTime()) ? { receivedAt: eventTime } : {}),
      // Only a principal given s3:PutObject on the inbox can create an object there: the inbox has
      // every public access block on ("Blocking public access to your Amazon S3 storage", Amazon S3
      // User Guide) and its policy grants nobody but SES, under ses/ only (infra/aws/ingest.ts).
      // Trusted under drop/, the prefix the bucket notification covers; anything else is no drop.
      senderTrusted: decoded.startsWith("drop/"),
    },
  };
}
