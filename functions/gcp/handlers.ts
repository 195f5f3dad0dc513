// The Cloud Functions ingestor: HTTP intake and inbox object-finalized events → the pipeline →
// the archive bucket. Cloud Logging collects JSON lines from stdout and stderr: operational lines
// go to stderr (with a `severity` it understands), audit lines to stdout.
import type { CloudEvent, Request, Response } from "@google-cloud/functions-framework";
import type { Bucket } from "@google-cloud/storage";
import type { Readable } from "node:stream";
import { StdoutAuditSink } from "../core/audit";
import { envelopeFromMetadata } from "../core/dropEnvelope";
import { ingestAnswer, RETRY_LATER } from "../core/httpAnswer";
import { describeError, jsonLogger, type Logger, type LogLevel } from "../core/log";
import { StoreUnavailableError } from "../core/objectStore";
import { createPipeline, type Pipeline } from "../core/pipeline";
import type { IntakeContext } from "../core/types";
import { inboxObject } from "./events";
import { describeGcsError, GcsObjectStore } from "./gcsStore";
import type { GcpSettings } from "./settings";

/** The entry points the deployment names (infra/gcp/ingest.ts ENTRY_POINTS); inbox events go to `event`. */
export const FUNCTION_NAMES = { http: "ingestHttp", event: "ingestObject" } as const;

export interface GcpIngestor {
  readonly settings: GcpSettings;
  /** The archive bucket, as the function's service account. */
  readonly archive: Bucket;
  /** The inbox bucket, read-only for the function's service account. */
  readonly inbox: Bucket;
}

/** Where lines go: stderr and stdout in production; tests capture them. */
export interface HandlerOutput {
  readonly log: (line: string) => void;
  readonly audit: (line: string) => void;
}

const STANDARD_OUTPUT: HandlerOutput = {
  log: (line) => process.stderr.write(line),
  audit: (line) => process.stdout.write(line),
};

/** Cloud Logging's names for our levels (its LogSeverity enum). */
const SEVERITY: Readonly<Record<LogLevel, string>> = { debug: "DEBUG", info: "INFO", warn: "WARNING", error: "ERROR" };

/** Cloud Logging reads `severity`, not `level`; without it a stderr line is not ranked as what it is. */
function withSeverity(write: (line: string) => void): (line: string) => void {
  return (line) => {
    const entry = JSON.parse(line) as { level: LogLevel };
    write(JSON.stringify({ severity: SEVERITY[entry.level], ...entry }) + "\n");
  };
}

const loggerFor = (output: HandlerOutput, level: LogLevel): Logger => jsonLogger(withSeverity(output.log), level);

function pipelineFor(ingestor: GcpIngestor, output: HandlerOutput, logger: Logger): Pipeline {
  const { settings } = ingestor;
  return createPipeline({
    store: new GcsObjectStore(ingestor.archive),
    audit: new StdoutAuditSink(output.audit),
    logger,
    retentionDays: settings.retentionDays,
    maxMessageBytes: settings.maxMessageBytes,
    detectors: settings.detectors,
  });
}

/** The request body, or `undefined` once it is over `limit` bytes (then the rest is not kept). */
async function readBody(request: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += bytes.length;
    if (size > limit) return undefined;
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** Handlers bound to an ingestor that is built on first use (settings errors then surface per invocation). */
export function createHandlers(ingestor: () => GcpIngestor, output: HandlerOutput = STANDARD_OUTPUT) {
  async function ingestHttp(request: Request, response: Response): Promise<void> {
    const current = ingestor();
    const logger = loggerFor(output, current.settings.logLevel);
    if (request.method !== "POST") {
      response.status(405).set("Allow", "POST").json({ error: `method ${request.method} is not allowed; use POST` });
      return;
    }
    const limit = current.settings.maxMessageBytes;
    const tooLarge = () => response.status(413).json({ error: `message body is over the ${limit}-byte limit (MAX_MESSAGE_BYTES)` });
    if (Number(request.headers["content-length"]) > limit) {
      tooLarge();
      return;
    }
    // The framework has usually read the body already and kept the raw bytes; otherwise read the stream.
    const body = Buffer.isBuffer(request.rawBody) ? request.rawBody : await readBody(request, limit);
    if (body === undefined || body.length > limit) {
      tooLarge();
      return;
    }
    try {
      // Cloud Run admits only authenticated callers with run.invoker on this function (infra/gcp/ingest.ts:
      // roles/run.invoker for the configured relays, no allUsers; "Authenticate for invocation", Cloud
      // Run functions): the caller is a relay the stack named. Its journal envelopes are authoritative.
      const result = await pipelineFor(current, output, logger).ingest(body, { source: "http", receivedAt: new Date(), senderTrusted: true });
      response.status(200).json(ingestAnswer(result));
    } catch (err) {
      logger.log("error", "http message not archived; told the client to retry", { source: "http", error: describeError(err) });
      response.status(503).json({ error: RETRY_LATER });
    }
  }

  /**
   * Throws when the object was not archived: the framework answers 500, and the delivery (a Pub/Sub
   * push, or Eventarc) is retried with backoff, then dead-lettered.
   */
  async function ingestObject(event: CloudEvent<unknown>): Promise<void> {
    const current = ingestor();
    const { settings } = current;
    const logger = loggerFor(output, settings.logLevel);
    try {
      const object = inboxObject(event, settings.inboxBucket);
      let bytes: Buffer;
      try {
        // The generation the event names: the bytes are those its metadata (the envelope) describes,
        // and a later overwrite of the name is a different event, not a silent substitution.
        [bytes] = await current.inbox.file(object.name, object.generation ? { generation: object.generation } : {}).download();
      } catch (err) {
        throw new StoreUnavailableError(`reading inbox object failed (${describeGcsError(err)}); retry`, { cause: err });
      }
      const intake: IntakeContext = {
        source: "gcs-drop",
        ...(object.createdAt ? { receivedAt: object.createdAt } : {}),
        ...envelopeFromMetadata(object.metadata),
        // The inbox bucket has uniform bucket-level access and public access prevention enforced
        // (infra/gcp/storage.ts; "Uniform bucket-level access", "Public access prevention", Cloud
        // Storage): only a principal granted storage.objects.create on it by IAM can finalize an object.
        senderTrusted: true,
      };
      await pipelineFor(current, output, logger).ingest(bytes, intake);
    } catch (err) {
      logger.log("error", "inbox object not archived; the event will be retried", { source: "gcs-drop", record: event.id, error: describeError(err) });
      throw err;
    }
  }

  return { ingestHttp, ingestObject };
}
