// The Lambda's settings: environment variables the Pulumi program sets from stack outputs.
import { envReader, type Env } from "../core/env";
import type { LogLevel } from "../core/log";
import type { DetectorName } from "../core/types";

export interface AwsSettings {
  readonly archiveBucket: string;
  readonly kmsKeyArn: string;
  readonly inboxBucket: string;
  readonly retentionDays: number;
  readonly maxMessageBytes: number;
  readonly detectors: readonly DetectorName[];
  readonly logLevel: LogLevel;
  /** ALLOWED_SENDERS: the stack's intake.allowedSenders, comma-separated; whose SES deliveries are trusted (events.ts). */
  readonly allowedSenders: readonly string[];
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SENDER = String.raw`[^\s@<>,]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}`;
const SENDER_LIST = new RegExp(`^(?:(?:${SENDER})(?:,(?:${SENDER}))*)?$`);
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;

export function readAwsSettings(env: Env): AwsSettings {
  const read = envReader(env);
  const settings = {
    archiveBucket: read.text("ARCHIVE_BUCKET", BUCKET, "an S3 bucket name"),
    kmsKeyArn: read.text("ARCHIVE_KMS_KEY_ARN", KMS_KEY_ARN, "a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>"),
    inboxBucket: read.text("INBOX_BUCKET", BUCKET, "an S3 bucket name"),
    retentionDays: read.integer("RETENTION_DAYS", 1, 36500),
    maxMessageBytes: read.integer("MAX_MESSAGE_BYTES", 1024, 40 * 1024 * 1024),
    detectors: read.detectors(),
    logLevel: read.logLevel(),
    allowedSenders: (env.ALLOWED_SENDERS ? read.text("ALLOWED_SENDERS", SENDER_LIST, "comma-separated email addresses or domains") : "").split(",").filter(Boolean),
  };
  read.check();
  return settings;
}
