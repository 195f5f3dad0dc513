// The object-store port on Azure Blob Storage: create-only uploads with `If-None-Match: *`.
// Retention comes from the account's locked version-level immutability policy, which applies to
// every new blob version, so the ingestor never sets a per-blob policy (that would need the
// immutability data action no role of ours holds).
import { RestError, type ContainerClient } from "@azure/storage-blob";
import { StoreUnavailableError, type ObjectInfo, type ObjectStore, type PutOptions, type PutOutcome } from "../core/objectStore";

/** Error codes Blob Storage answers a create-only upload with when the name is taken. */
const TAKEN = new Set(["BlobAlreadyExists", "ConditionNotMet"]);

/** An error's Blob Storage code and status, without the service's multi-line message. */
export function describeBlobError(err: unknown): string {
  if (err instanceof RestError) return `${err.code ?? err.name}, HTTP ${err.statusCode ?? "?"}`;
  return err instanceof Error ? err.name : "Error";
}

function unavailable(action: string, key: string, err: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`Azure Blob ${action} ${key} failed (${describeBlobError(err)}); retry`, { cause: err });
}

const statusOf = (err: unknown) => (err instanceof RestError ? err.statusCode : undefined);

export class BlobObjectStore implements ObjectStore {
  /** `container` is authorised with the function's managed identity (or a test credential). */
  constructor(private readonly container: ContainerClient) {}

  async putIfAbsent(key: string, body: Buffer, options: PutOptions): Promise<PutOutcome> {
    try {
      // One Put Blob: the condition and the write are a single atomic request.
      await this.container.getBlockBlobClient(key).upload(body, body.length, {
        conditions: { ifNoneMatch: "*" },
        blobHTTPHeaders: { blobContentType: options.contentType },
        // The hash travels with the blob, so an auditor can compare it without our sidecar.
        metadata: { sha256: options.sha256 },
      });
      return "created";
    } catch (err) {
      // 409 BlobAlreadyExists or 412 ConditionNotMet: the content-addressed key is already written.
      const code = err instanceof RestError ? err.code : undefined;
      if ((statusOf(err) === 409 || statusOf(err) === 412) && code !== undefined && TAKEN.has(code)) return "exists";
      throw unavailable("Put Blob", key, err);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await this.container.getBlobClient(key).downloadToBuffer();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw unavailable("Get Blob", key, err);
    }
  }

  /** The blob's properties; the ingestor's role may read only meta/ (an ABAC condition), which is all the pipeline asks. */
  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const props = await this.container.getBlobClient(key).getProperties();
      return {
        key,
        size: props.contentLength ?? 0,
        ...(props.immutabilityPolicyExpiresOn ? { retainUntil: props.immutabilityPolicyExpiresOn } : {}),
        ...(props.legalHold !== undefined ? { legalHold: props.legalHold } : {}),
      };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw unavailable("Get Blob Properties", key, err);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const pages = this.container.listBlobsFlat({ prefix, includeImmutabilityPolicy: true, includeLegalHold: true }).byPage({ maxPageSize: 1000 });
    while (true) {
      let page;
      try {
        page = await pages.next();
      } catch (err) {
        throw unavailable("List Blobs", prefix, err);
      }
      if (page.done) return;
      for (const item of page.value.segment.blobItems) {
        yield {
          key: item.name,
          size: item.properties.contentLength ?? 0,
          ...(item.properties.immutabilityPolicyExpiresOn ? { retainUntil: item.properties.immutabilityPolicyExpiresOn } : {}),
          ...(item.properties.legalHold !== undefined ? { legalHold: item.properties.legalHold } : {}),
        };
      }
    }
  }
}
