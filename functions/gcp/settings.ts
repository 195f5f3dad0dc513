// The Cloud Function's settings: environment variables the Pulumi program sets. Every problem is
// reported at once (core/env), on the first invocation, where Cloud Logging shows it.
import { envReader, type Env } from "../core/env";
import type { LogLevel } from "../core/log";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../core/pipeline";
import type { DetectorName } from "../core/types";

export interface GcpSettings {
  /** The archive bucket, whose locked retention policy keeps every object. */
  readonly archiveBucket: string;
  /** The inbox bucket, where relays drop messages. */
  readonly inboxBucket: string;
  readonly retentionDays: number;
  readonly maxMessageBytes: number;
  readonly detectors: readonly DetectorName[];
  readonly logLevel: LogLevel;
  /** Tests only: a loopback stand-in for the Cloud Storage JSON API. Absent in production. */
  readonly storageApiEndpoint?: string;
}

// GCS bucket names: 3-63 characters, lower-case letters, digits, '-', '_' and '.', starting and
// ending with a letter or digit (dotted names may be longer on GCS; this program never makes one).
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const BUCKET_ALLOWED = "a bucket name: 3-63 lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
// The client sends no credentials to a custom endpoint, so only loopback is accepted.
const LOOPBACK_ENDPOINT = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}\/?$/;
const ENDPOINT_ALLOWED = "unset in production, or http://127.0.0.1:<port> (or http://localhost:<port>) for a test server";

export function readGcpSettings(env: Env): GcpSettings {
  const read = envReader(env);
  const settings = {
    archiveBucket: read.text("ARCHIVE_BUCKET", BUCKET, BUCKET_ALLOWED),
    inboxBucket: read.text("INBOX_BUCKET", BUCKET, BUCKET_ALLOWED),
    retentionDays: read.integer("RETENTION_DAYS", 1, 36500),
    maxMessageBytes: read.integer("MAX_MESSAGE_BYTES", 1024, DEFAULT_MAX_MESSAGE_BYTES),
    detectors: read.detectors(),
    logLevel: read.logLevel(),
    ...(env.STORAGE_API_ENDPOINT !== undefined
      ? { storageApiEndpoint: read.text("STORAGE_API_ENDPOINT", LOOPBACK_ENDPOINT, ENDPOINT_ALLOWED).replace(/\/$/, "") }
      : {}),
  };
  // @google-cloud/storage reads STORAGE_EMULATOR_HOST by itself and then sends every request there
  // unauthenticated: refuse to start with it rather than write the archive somewhere unchecked.
  if (env.STORAGE_EMULATOR_HOST !== undefined) read.text("STORAGE_EMULATOR_HOST", /(?!)/, "unset (the client would send unauthenticated requests there; tests use STORAGE_API_ENDPOINT)");
  read.check();
  return settings;
}
