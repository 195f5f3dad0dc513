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
import type { ObjectStore } from "./objectStore";
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

  // Deliveries of the same bytes run one after another, so the second finds the first complete.
  const inFlight = new Map<string, Promise<unknown>>();

  async function ingest(input: Buffer | Readable, context: IntakeContext): Promise<IngestResult> {
    const raw = Buffer.isBuffer(input) ? input : await readAll(input);
    const sha256 = createHash("sha256").update(raw).digest("hex");
    const previous = inFlight.get(sha256);
    const run = (previous ? previous.catch(() => undefined) : Promise.resolve()).then(() => ingestOnce(raw, sha256, context));
    inFlight.set(sha256, run);
    try {
      return await run;
    } finally {
      if (inFlight.get(sha256) === run) inFlight.delete(sha256);
    }
  }

  async function ingestOnce(raw: Buffer, sha256: string, context: IntakeContext): Promise<IngestResult> {
    const started = performance.now();
    const receivedAt = context.receivedAt ?? now();
    const retainUntil = new Date(receivedAt.getTime() + options.retentionDays * DAY_MS);
    const actor = `intake:${context.source}`;
    const rawOptions = { contentType: RAW_CONTENT_TYPE, retainUntil, sha256 };
    // A store that can stage writes the raw bytes now, overlapping the parse; they become visible only once audited.
    const staging = store.stage?.(raw, rawOptions);
    staging?.catch(() => undefined); // awaited below; this only marks a failure as handled meanwhile
    let audited = false;
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
      // Staged bytes whose record was audited stay staged: the archive's recovery finishes them.
      if (staging && !audited) await staging.then((staged) => staged.discard(), () => undefined);
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
      const written = await writeRecord("ingested", key, sidecarKey, { ...described.metadata, key });
      return { status: written === "duplicate" ? "duplicate" : "archived", sha256, key, metaKey: sidecarKey, size: raw.length };
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
        envelope: { sender: context.envelopeSender, recipients: [...(context.envelopeRecipients ?? [])], verified: context.senderTrusted === true },
      };
      await writeRecord("quarantined", key, recordKey, quarantined, reason);
      return { status: "quarantined", sha256, key, metaKey: recordKey, size: raw.length, reason };
    }

    /**
     * Writes a record: the raw bytes, the audit line, the sidecar (or quarantine record). A key
     * already holding both bytes and sidecar is a duplicate: audited as one, nothing written.
     *
     * With a staging store, both objects are staged first and become visible only after their
     * audit line is durable: a crash leaves staged files, which the store's recovery links when
     * the trail records them and removes otherwise, so no visible object lacks its audit line.
     * Otherwise (cloud stores) the bytes are written, then audited, then the sidecar, which marks
     * the record complete: a retry after any failure finds the bytes without their sidecar,
     * audits the ingestion it had not recorded, and finishes the record.
     */
    async function writeRecord(action: "ingested" | "quarantined", key: string, sidecarKey: string, sidecar: unknown, reason?: string): Promise<"written" | "duplicate"> {
      const body = Buffer.from(JSON.stringify(sidecar, null, 2) + "\n");
      const sidecarOptions = { contentType: "application/json", retainUntil, sha256: createHash("sha256").update(body).digest("hex"), key: sidecarKey };
      const reasonField = reason ? { reason } : {};
      if (staging) {
        if ((await store.head(key)) && (await store.head(sidecarKey))) {
          await record({ action: "duplicate", key, size: raw.length, ...reasonField });
          await (await staging).discard();
          return "duplicate";
        }
        const stagedSidecar = await store.stage!(body, sidecarOptions);
        try {
          // The line is made durable together with both objects' bytes: their syncs overlap.
          await record({ action, key, size: raw.length, ...reasonField }, Promise.all([(await staging).durable, stagedSidecar.durable]).then(() => undefined));
        } catch (err) {
          await stagedSidecar.discard();
          throw err;
        }
        audited = true;
        const stagedRaw = await staging;
        await Promise.all([stagedRaw.commit(key), stagedSidecar.commit(sidecarKey)]);
        return "written";
      }
      const stored = await store.putIfAbsent(key, raw, rawOptions);
      if (stored === "exists" && (await store.head(sidecarKey)) !== undefined) {
        await record({ action: "duplicate", key, size: raw.length, ...reasonField });
        return "duplicate";
      }
      await record({ action, key, size: raw.length, ...reasonField });
      await store.putIfAbsent(sidecarKey, body, sidecarOptions);
      return "written";
    }

    function record(event: Pick<AuditEvent, "action" | "key" | "size" | "reason">, together?: Promise<void>): Promise<void> {
      return audit.append({ ...event, at: now().toISOString(), sha256, actor, source: context.source }, together);
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
