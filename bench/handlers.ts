// Each cloud function's per-message work, measured beside the local figures: the pipeline with
// that cloud's object-store adapter and audit sink, behind an SDK stand-in instead of the cloud.
//   AWS:   the S3 client with aws-sdk-client-mock answering as an Object Lock bucket (test/helpers/fakeS3.ts)
//   Azure: the Blob client with an in-memory HTTP client under it (create-only Put Blob, Get Blob Properties)
//   GCP:   the Cloud Storage client against an HTTP stand-in on loopback (test/helpers/fakeGcs.ts)
// Against simpleParser over the same bytes, in the same process. No network leaves the machine.
import { AnonymousCredential, ContainerClient } from "@azure/storage-blob";
import type { CompatResponse, RequestPolicy, WebResourceLike } from "@azure/core-http-compat";
import { Storage } from "@google-cloud/storage";
import { simpleParser } from "mailparser";
import { StdoutAuditSink } from "../functions/core/audit";
import type { ObjectStore } from "../functions/core/objectStore";
import { createPipeline } from "../functions/core/pipeline";
import { S3ObjectStore } from "../functions/aws/s3Store";
import { BlobObjectStore } from "../functions/azure/blobStore";
import { GcsObjectStore } from "../functions/gcp/gcsStore";
import { fakeS3 } from "../test/helpers/fakeS3";
import { startFakeGcs } from "../test/helpers/fakeGcs";
import { rfc822 } from "../test/helpers/messages";

export interface HandlerFigures {
  readonly cloud: string;
  readonly stand_in: string;
  readonly messages: number;
  readonly meanMs: number;
  readonly simpleParserMeanMs: number;
  /** simpleParser's time over the handler's: above 1, the function does its whole job faster than a parse alone. */
  readonly ratio: number;
}

/**
 * Put Blob create-only and Get Blob Properties, answered from memory as Blob Storage answers them.
 * The Blob SDK takes an HTTP client of the core-http shape: responses whose headers have `toJson`.
 */
function memoryBlobClient(): RequestPolicy {
  const blobs = new Map<string, number>();
  const answer = (request: WebResourceLike, status: number, extra: Record<string, string> = {}) => {
    const values: Record<string, string> = { "x-ms-request-id": "bench", "x-ms-version": "2025-01-05", ...extra };
    const headers = { toJson: () => ({ ...values }), get: (name: string) => values[name.toLowerCase()], contains: (name: string) => name.toLowerCase() in values };
    return { request, status, headers } as unknown as CompatResponse;
  };
  return {
    async sendRequest(request) {
      const name = new URL(request.url).pathname;
      if (request.method === "PUT") {
        if (blobs.has(name)) {
          const taken = answer(request, 409, { "x-ms-error-code": "BlobAlreadyExists", "content-type": "application/xml" });
          return Object.assign(taken, { bodyAsText: '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobAlreadyExists</Code><Message>The specified blob already exists.</Message></Error>' });
        }
        blobs.set(name, (request.body as Buffer | undefined)?.length ?? 0);
        return answer(request, 201, { etag: '"0x1"', "last-modified": new Date().toUTCString() });
      }
      if (request.method === "HEAD") {
        const size = blobs.get(name);
        return size === undefined ? answer(request, 404, { "x-ms-error-code": "BlobNotFound" }) : answer(request, 200, { "content-length": String(size), "x-ms-blob-type": "BlockBlob" });
      }
      return answer(request, 400, { "x-ms-error-code": "UnsupportedHttpVerb" });
    },
  };
}

/** Mean milliseconds per message; the code paths are warmed first on other messages, so each measured one is new. */
async function timeEach(messages: readonly Buffer[], run: (raw: Buffer) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await run(rfc822({ messageId: `<warm-up-${i}-${Math.random()}@bench>` }));
  const started = process.hrtime.bigint();
  for (const raw of messages) await run(raw);
  return Number(process.hrtime.bigint() - started) / 1e6 / messages.length;
}

/** Fresh stores per cloud, so that every message is new to it (no duplicates after the warm-up's). */
export async function measureHandlers(messages: readonly Buffer[]): Promise<HandlerFigures[]> {
  const silentAudit = new StdoutAuditSink(() => undefined);
  const pipelineOn = (store: ObjectStore) => createPipeline({ store, audit: silentAudit, retentionDays: 2557 });
  const parse = await timeEach(messages, (raw) => simpleParser(raw));
  const out: HandlerFigures[] = [];
  const record = async (cloud: string, standIn: string, store: ObjectStore) => {
    const pipeline = pipelineOn(store);
    const meanMs = await timeEach(messages, (raw) => pipeline.ingest(raw, { source: "file" }));
    out.push({ cloud, stand_in: standIn, messages: messages.length, meanMs: round(meanMs), simpleParserMeanMs: round(parse), ratio: round(parse / meanMs) });
  };

  const key = "arn:aws:kms:us-east-1:111122223333:key/bench";
  const s3 = fakeS3({ bucket: "archive", kmsKeyArn: key });
  try {
    await record("aws", "aws-sdk-client-mock, in memory", new S3ObjectStore({ client: s3.client, bucket: "archive", kmsKeyArn: key }));
  } finally {
    s3.restore();
  }
  const container = new ContainerClient("https://bench.blob.core.windows.net/archive", new AnonymousCredential(), { httpClient: memoryBlobClient() });
  await record("azure", "the Blob SDK over an in-memory HTTP client", new BlobObjectStore(container));
  const gcs = await startFakeGcs();
  try {
    gcs.createBucket("archive");
    await record("gcp", "the Cloud Storage client against an HTTP stand-in on loopback", new GcsObjectStore(new Storage({ apiEndpoint: gcs.endpoint, projectId: "bench" }).bucket("archive")));
  } finally {
    await gcs.stop();
  }
  return out;
}

const round = (n: number) => Math.round(n * 100) / 100;
