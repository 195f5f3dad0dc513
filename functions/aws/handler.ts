// The Lambda ingestor: SQS batch → inbox objects → the pipeline → the archive bucket.
// Each record succeeds or fails alone (ReportBatchItemFailures): one bad message never
// re-drives its batch, and a record that keeps failing goes to the dead-letter queue.
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { StdoutAuditSink } from "../core/audit";
import { describeError, jsonLogger, type Logger } from "../core/log";
import { StoreUnavailableError } from "../core/objectStore";
import { createPipeline, type Pipeline } from "../core/pipeline";
import { inboxObjects, type InboxObject } from "./events";
import { S3ObjectStore } from "./s3Store";
import { readAwsSettings, type AwsSettings } from "./settings";

interface Ingestor {
  readonly settings: AwsSettings;
  readonly s3: S3Client;
  readonly pipeline: Pipeline;
  readonly logger: Logger;
}

let ingestor: Ingestor | undefined;

/** Built once per container, on first use, so that warm invocations reuse the client. */
function ready(): Ingestor {
  if (!ingestor) {
    const settings = readAwsSettings(process.env);
    // Lambda sends stdout/stderr to CloudWatch Logs: audit lines to stdout, operations to stderr.
    const logger = jsonLogger(undefined, settings.logLevel);
    const s3 = new S3Client({});
    const pipeline = createPipeline({
      store: new S3ObjectStore({ client: s3, bucket: settings.archiveBucket, kmsKeyArn: settings.kmsKeyArn }),
      audit: new StdoutAuditSink(),
      logger,
      retentionDays: settings.retentionDays,
      maxMessageBytes: settings.maxMessageBytes,
      detectors: settings.detectors,
    });
    ingestor = { settings, s3, pipeline, logger };
  }
  return ingestor;
}

/** For tests: forget the container state so that new settings or client mocks apply. */
export function resetForTests(): void {
  ingestor = undefined;
}

async function readInbox(s3: S3Client, object: InboxObject): Promise<Buffer> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  } catch (err) {
    throw new StoreUnavailableError(`reading inbox object failed: ${describeError(err)}`, { cause: err });
  }
}

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const { settings, s3, pipeline, logger } = ready();
  const failures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    try {
      for (const object of inboxObjects(record.body, { allowedSenders: settings.allowedSenders })) {
        if (object.bucket !== settings.inboxBucket) throw new Error(`object is in bucket ${object.bucket}, not the inbox ${settings.inboxBucket}`);
        if (object.verdicts?.virusVerdict === "FAIL") logger.log("warn", "SES virus verdict FAIL: archived all the same", { source: object.context.source, key: object.key });
        await pipeline.ingest(await readInbox(s3, object), object.context);
      }
    } catch (err) {
      // The record goes back to the queue and, after its redrives, to the dead-letter queue.
      logger.log("error", "record failed; left for redrive", { record: record.messageId, error: describeError(err) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
