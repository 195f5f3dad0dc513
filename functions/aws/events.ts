// What an SQS record asks the ingestor to archive. Three shapes arrive:
//  - an SNS notification wrapping an SES "Received" notification (SES receipt rule: S3 action + topic),
//    which carries the SMTP envelope: `mail.source`, `receipt.recipients`, `receipt.timestamp`,
//    and the object's `receipt.action.bucketName` / `objectKey`;
//  - an S3 event notification for an object another tool dropped into the inbox (no envelope),
//    sent to SQS directly or through SNS;
//  - SNS/S3 housekeeping (subscription confirmation, s3:TestEvent), which asks for nothing.
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

/** The inbox objects one SQS record body names; empty for housekeeping messages. */
export function inboxObjects(body: string): InboxObject[] {
  let message = parseJson(body, "body");
  if (message.Type === "SubscriptionConfirmation" || message.Type === "UnsubscribeConfirmation") return [];
  if (message.Type === "Notification") {
    if (typeof message.Message !== "string") throw new UnrecognisedRecordError("SNS notification without a Message");
    message = parseJson(message.Message, "SNS Message");
  }
  if (message.notificationType === "Received") return [sesObject(message)];
  if (message.Event === "s3:TestEvent") return [];
  if (Array.isArray(message.Records)) return message.Records.map(s3Object);
  throw new UnrecognisedRecordError("neither an SES Received notification nor an S3 event notification");
}

function sesObject(notification: Json): InboxObject {
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
  return {
    bucket,
    // S3 event keys are URL-encoded, with "+" for spaces.
    key: decodeURIComponent(key.replace(/\+/g, " ")),
    context: { source: "s3-drop", ...(eventTime && !Number.isNaN(eventTime.getTime()) ? { receivedAt: eventTime } : {}) },
  };
}
