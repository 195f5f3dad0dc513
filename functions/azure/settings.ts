// The Function App's settings: app settings the Pulumi program sets (infra/azure/ingest.ts).
import { envReader, type Env } from "../core/env";
import type { LogLevel } from "../core/log";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../core/pipeline";
import type { DetectorName } from "../core/types";

export interface AzureSettings {
  /** The archive account's blob endpoint, `https://<account>.blob.core.windows.net/`. */
  readonly archiveBlobEndpoint: string;
  readonly archiveContainer: string;
  /** The inbox account's blob endpoint, where relays drop messages. */
  readonly inboxBlobEndpoint: string;
  readonly inboxContainer: string;
  readonly retentionDays: number;
  readonly maxMessageBytes: number;
  readonly detectors: readonly DetectorName[];
  readonly logLevel: LogLevel;
}

// HTTPS only; plain HTTP is accepted for a loopback emulator (Azurite) and nothing else.
const BLOB_ENDPOINT = /^(https:\/\/[a-z0-9]{3,24}\.blob\.core\.(windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)\/?|http:\/\/(127\.0\.0\.1|localhost):\d+\/[a-z0-9]+\/?)$/;
const CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const ENDPOINT_ALLOWED = "an HTTPS blob endpoint, https://<account>.blob.core.windows.net/ (http://127.0.0.1:<port>/<account> for Azurite)";
const CONTAINER_ALLOWED = "a container name: 3-63 lower-case letters, digits and single hyphens";

const withSlash = (endpoint: string) => (endpoint.endsWith("/") ? endpoint : `${endpoint}/`);

export function readAzureSettings(env: Env): AzureSettings {
  const read = envReader(env);
  const settings = {
    archiveBlobEndpoint: withSlash(read.text("ARCHIVE_BLOB_ENDPOINT", BLOB_ENDPOINT, ENDPOINT_ALLOWED)),
    archiveContainer: read.text("ARCHIVE_CONTAINER", CONTAINER, CONTAINER_ALLOWED),
    inboxBlobEndpoint: withSlash(read.text("INBOX_BLOB_ENDPOINT", BLOB_ENDPOINT, ENDPOINT_ALLOWED)),
    inboxContainer: read.text("INBOX_CONTAINER", CONTAINER, CONTAINER_ALLOWED),
    retentionDays: read.integer("RETENTION_DAYS", 1, 36500),
    maxMessageBytes: read.integer("MAX_MESSAGE_BYTES", 1024, DEFAULT_MAX_MESSAGE_BYTES),
    detectors: read.detectors(),
    logLevel: read.logLevel(),
  };
  read.check();
  return settings;
}
