// The Azure Functions ingestor: HTTP intake and inbox blob-created events → the pipeline →
// the archive container. Each invocation logs through its own context, so operational lines
// and audit lines reach FunctionAppLogs (and from there Log Analytics) tagged with it.
import type { EventGridEvent, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { ContainerClient } from "@azure/storage-blob";
import type { AuditSink } from "../core/audit";
import { envelopeFromMetadata } from "../core/dropEnvelope";
import { ingestAnswer, RETRY_LATER } from "../core/httpAnswer";
import { describeError, logs, type Logger, type LogLevel } from "../core/log";
import { StoreUnavailableError } from "../core/objectStore";
import { createPipeline, type Pipeline } from "../core/pipeline";
import type { IntakeContext } from "../core/types";
import { BlobObjectStore, describeBlobError } from "./blobStore";
import { inboxBlob } from "./events";
import type { AzureSettings } from "./settings";

/** The function names infra/azure/ingest.ts wires (app settings, the Event Grid endpoint). */
export const FUNCTION_NAMES = { http: "ingestHttp", blob: "ingestBlob" } as const;

export interface AzureIngestor {
  readonly settings: AzureSettings;
  /** The archive container, as the function's identity. */
  readonly archive: ContainerClient;
  /** The inbox container, read-only for the function's identity. */
  readonly inbox: ContainerClient;
}

function contextLogger(context: InvocationContext, minLevel: LogLevel): Logger {
  return {
    log(level, msg, fields) {
      if (!logs(level, minLevel)) return;
      const line = JSON.stringify({ msg, ...fields });
      if (level === "error") context.error(line);
      else if (level === "warn") context.warn(line);
      else if (level === "debug") context.debug(line);
      else context.info(line);
    },
  };
}

const contextAudit = (context: InvocationContext): AuditSink => ({
  async append(event) {
    context.info(JSON.stringify({ type: "audit", ...event }));
  },
});

function pipelineFor(ingestor: AzureIngestor, context: InvocationContext, logger: Logger): Pipeline {
  const { settings } = ingestor;
  return createPipeline({
    store: new BlobObjectStore(ingestor.archive),
    audit: contextAudit(context),
    logger,
    retentionDays: settings.retentionDays,
    maxMessageBytes: settings.maxMessageBytes,
    detectors: settings.detectors,
  });
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream ?? []) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const json = (status: number, body: object): HttpResponseInit => ({ status, jsonBody: body, headers: { "content-type": "application/json" } });

/** Handlers bound to an ingestor that is built on first use (settings errors then surface per invocation, logged). */
export function createHandlers(ingestor: () => AzureIngestor) {
  async function ingestHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
    const current = ingestor();
    const logger = contextLogger(context, current.settings.logLevel);
    const limit = current.settings.maxMessageBytes;
    const tooLarge = json(413, { error: `message body is over the ${limit}-byte limit (MAX_MESSAGE_BYTES)` });
    if (Number(request.headers.get("content-length")) > limit) return tooLarge;
    const body = Buffer.from(await request.arrayBuffer());
    if (body.length > limit) return tooLarge;
    try {
      // The host ran this function only for a caller holding a function key (index.ts: authLevel
      // "function"; "Azure HTTP authorization level, determines what keys, if any, need to be
      // present on the request in order to invoke the function", Azure Functions AuthLevel): the
      // relay the key was issued to. Its journal envelopes are authoritative.
      const result = await pipelineFor(current, context, logger).ingest(body, { source: "http", receivedAt: new Date(), senderTrusted: true });
      return json(200, ingestAnswer(result));
    } catch (err) {
      logger.log("error", "http message not archived; told the client to retry", { source: "http", error: describeError(err) });
      return json(503, { error: RETRY_LATER });
    }
  }

  /** Throws when the blob was not archived: Event Grid retries, then dead-letters the event. */
  async function ingestBlob(event: EventGridEvent, context: InvocationContext): Promise<void> {
    const current = ingestor();
    const { settings } = current;
    const logger = contextLogger(context, settings.logLevel);
    const blob = inboxBlob(event, { endpoint: settings.inboxBlobEndpoint, container: settings.inboxContainer });
    let bytes: Buffer;
    let metadata: Record<string, string>;
    try {
      // One request for bytes and metadata, so both describe the same blob version.
      const download = await current.inbox.getBlobClient(blob.name).download();
      metadata = download.metadata ?? {};
      bytes = await readAll(download.readableStreamBody);
    } catch (err) {
      throw new StoreUnavailableError(`reading inbox blob failed (${describeBlobError(err)}); retry`, { cause: err });
    }
    // The inbox account takes no Shared Key: "If false, then all requests, including shared access
    // signatures, must be authorized with Azure AD" (StorageAccount.AllowSharedKeyAccess; "Prevent
    // Shared Key authorization for an Azure Storage account"). A blob there was written by an Entra
    // identity given a write data action on the inbox container: a trusted drop.
    const intake: IntakeContext = { source: "blob-drop", ...(blob.createdAt ? { receivedAt: blob.createdAt } : {}), ...envelopeFromMetadata(metadata), senderTrusted: true };
    await pipelineFor(current, context, logger).ingest(bytes, intake);
  }

  return { ingestHttp, ingestBlob };
}
