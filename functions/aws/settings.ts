// The Lambda's settings: environment variables the Pulumi program sets from stack outputs.
import { ALL_DETECTORS } from "../core/detectors";
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
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;

export function readAwsSettings(env: Readonly<Record<string, string | undefined>>): AwsSettings {
  const problems: string[] = [];
  const text = (name: string, pattern: RegExp, allowed: string): string => {
    const value = env[name] ?? "";
    if (!pattern.test(value)) problems.push(`${name}=${JSON.stringify(env[name] ?? null)}: must be ${allowed}`);
    return value;
  };
  const integer = (name: string, min: number, max: number): number => {
    const value = Number(env[name]);
    if (!/^\d+$/.test(env[name] ?? "") || value < min || value > max) problems.push(`${name}=${JSON.stringify(env[name] ?? null)}: must be a whole number from ${min} to ${max}`);
    return value;
  };
  const archiveBucket = text("ARCHIVE_BUCKET", BUCKET, "an S3 bucket name");
  const kmsKeyArn = text("ARCHIVE_KMS_KEY_ARN", KMS_KEY_ARN, "a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>");
  const inboxBucket = text("INBOX_BUCKET", BUCKET, "an S3 bucket name");
  const retentionDays = integer("RETENTION_DAYS", 1, 36500);
  const maxMessageBytes = integer("MAX_MESSAGE_BYTES", 1024, 40 * 1024 * 1024);
  const detectors = (env.DETECTORS ?? ALL_DETECTORS.join(",")).split(",").filter(Boolean) as DetectorName[];
  for (const name of detectors) if (!ALL_DETECTORS.includes(name)) problems.push(`DETECTORS=${JSON.stringify(env.DETECTORS)}: each must be one of ${ALL_DETECTORS.join(", ")}`);
  const logLevel = (env.LOG_LEVEL ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)}: must be debug, info, warn or error`);
  if (problems.length > 0) throw new Error(`invalid ingestor settings:\n  ${problems.join("\n  ")}`);
  return { archiveBucket, kmsKeyArn, inboxBucket, retentionDays, maxMessageBytes, detectors, logLevel };
}
