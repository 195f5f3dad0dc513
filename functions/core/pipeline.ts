// The one ingestion pipeline: every cloud's function and the local runtime call it.
// bytes → classify → (archive | quarantine) → object store → audit.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { AuditSink } from "./audit";
import { ALL_DETECTORS } from "./detectors";
import { describeError, silentLogger, type Logger } from "./log";
import { describeMessage, NotArchivableError, type Described } from "./metadata";
import { messageKey, metaKey, quarantineKey, quarantineRecordKey } from "./layout";
import { scanMessage } from "./mime";
import type { ObjectStore, PutOutcome } from "./objectStore";
import type { AuditEvent, DetectorName, IngestResult, IntakeContext, QuarantineRecord } from "./types";

export const DEFAULT_MAX_MESSAGE_BYTES = 150 * 1024 * 1024;
/** Raw bytes are stored as delivered, in messages/ and quarantine/ alike. */
const RAW_CONTENT_TYPE = "message/rfc822";
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PipelineOptions {
  /** Where raw messages, sidecars and quarantined input are written. */
  readonly store: ObjectStore;
  /** Where one event per action is recorded. */
  readonly audit: AuditSink;
  /** Operational log; silent when omitted. */
  readonly logger?: Logger;
  /** Minimum retention in days; sets each object's retain-until. */
  readonly retentionDays: number;
  /** Larger input is quarantined unparsed. Default 150 MiB. */
  readonly maxMessageBytes?: number;
  /** Sensitive-data detectors to run. Default: all. */
  readonly detectors?: readonly DetectorName[];
  /** Clock, for tests. */
  readonly now?: () => Date;
}

export interface Pipeline {
  /**
   * Archives one delivery. Resolves with where it went; rejects only when the store
   * or audit sink failed, in which case nothing was acknowledged and the caller retries.
   */
  ingest(input: Buffer | Readable, context: IntakeContext): Promise<IngestResult>;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  if (!Number.isInteger(options.retentionDays) || options.retentionDays < 1) {
    throw new Error(`retentionDays must be a whole number of days >= 1, got ${options.retentionDays}`);
  }
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const detectors = options.detectors ?? ALL_DETECTORS;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const { store, audit } = options;

  async function ingest(input: Buffer | Readable, context: IntakeContext): Promise<IngestResult> {
    const started = performance.now();
    const raw = Buffer.isBuffer(input) ? input : await readAll(input);
    const sha256 = createHash("sha256").update(raw).digest("hex");
    const receivedAt = context.receivedAt ?? now();
    const retainUntil = new Date(receivedAt.getTime() + options.retentionDays * DAY_MS);
    const actor = `intake:${context.source}`;
    const rawOptions = { contentType: RAW_CONTENT_TYPE, retainUntil, sha256 };
    // The durable write of the raw bytes starts now and overlaps parsing; the key is given when known.
    const staging = store.stage?.(raw, rawOptions);
    staging?.catch(() => undefined); // awaited below; this only marks a failure as handled meanwhile
    let committed = false;
    const putRaw = async (key: string): Promise<PutOutcome> => {
      committed = true;
      return staging ? (await staging).commit(key) : store.putIfAbsent(key, raw, rawOptions);
    };
    let result: IngestResult;
    try {
      const tooBig = raw.length > maxBytes ? `message is ${raw.length} bytes, over the ${maxBytes}-byte limit` : undefined;
      const refusal = raw.length === 0 ? "empty input: 0 bytes" : tooBig;
      const verdict = refusal
        ? new NotArchivableError(refusal)
        : await scanMessage(raw, detectors)
            .then((scan) => describeMessage(scan, { sha256, size: raw.length, context, receivedAt, retainUntil }))
            .catch(notArchivable);
      result = verdict instanceof NotArchivableError ? await quarantine(verdict.message) : await archive(verdict);
    } catch (err) {
      // Only the store or the audit sink fails here: nothing is acknowledged, the caller retries.
      if (staging && !committed) await staging.then((staged) => staged.discard(), () => undefined);
      logger.log("error", "ingest failed; the delivery must be retried", { sha256, source: context.source, size: raw.length, error: describeError(err) });
      throw err;
    }
    logger.log("info", "ingest", {
      sha256,
      key: result.key,
      status: result.status,
      source: context.source,
      size: raw.length,
      durationMs: Math.round(performance.now() - started),
      ...(result.reason ? { reason: result.reason } : {}),
    });
    return result;

    async function archive(described: Described): Promise<IngestResult> {
      const at = described.partitionDate;
      const key = messageKey(at, sha256);
      const sidecarKey = metaKey(at, sha256);
      const metadata = { ...described.metadata, key };
      const stored = await putRaw(key);
      if (await alreadyComplete(stored, sidecarKey)) {
        await record({ action: "duplicate", key, size: raw.length });
        return { status: "duplicate", sha256, key, metaKey: sidecarKey, size: raw.length };
      }
      await record({ action: "ingested", key, size: raw.length });
      await putJson(sidecarKey, metadata);
      return { status: "archived", sha256, key, metaKey: sidecarKey, size: raw.length };
    }

    async function quarantine(reason: string): Promise<IngestResult> {
      const key = quarantineKey(receivedAt, sha256);
      const recordKey = quarantineRecordKey(receivedAt, sha256);
      const quarantined: QuarantineRecord = {
        schema: 1,
        sha256,
        key,
        size: raw.length,
        source: context.source,
        receivedAt: receivedAt.toISOString(),
        retainUntil: retainUntil.toISOString(),
        reason,
        envelope: { sender: context.envelopeSender, recipients: [...(context.envelopeRecipients ?? [])] },
      };
      const stored = await putRaw(key);
      if (await alreadyComplete(stored, recordKey)) {
        await record({ action: "duplicate", key, size: raw.length, reason });
      } else {
        await record({ action: "quarantined", key, size: raw.length, reason });
        await putJson(recordKey, quarantined);
      }
      return { status: "quarantined", sha256, key, metaKey: recordKey, size: raw.length, reason };
    }

    /**
     * The sidecar is written last, after the audit event: it marks a record complete.
     * A retry after any failure finds the bytes without their sidecar, audits the
     * ingestion it had not recorded, and finishes the record. Bytes are never lost,
     * an audit line is never missing, and a sidecar never exists without its bytes.
     */
    async function alreadyComplete(stored: PutOutcome, sidecarKey: string): Promise<boolean> {
      return stored === "exists" && (await store.head(sidecarKey)) !== undefined;
    }

    async function putJson(key: string, value: unknown): Promise<void> {
      const body = Buffer.from(JSON.stringify(value, null, 2) + "\n");
      const digest = createHash("sha256").update(body).digest("hex");
      await store.putIfAbsent(key, body, { contentType: "application/json", retainUntil, sha256: digest });
    }

    function record(event: Pick<AuditEvent, "action" | "key" | "size" | "reason">): Promise<void> {
      return audit.append({ ...event, at: now().toISOString(), sha256, actor, source: context.source });
    }
  }

  return { ingest };
}

/** Whatever stops a message from being parsed sends it to quarantine, with the reason. */
function notArchivable(err: unknown): NotArchivableError {
  return err instanceof NotArchivableError ? err : new NotArchivableError(`message could not be parsed: ${describeError(err)}`);
}

/** Collects a stream. The size limit is the intake's to enforce: here, oversize input must still be kept. */
async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}
