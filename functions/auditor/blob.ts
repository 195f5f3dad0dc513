// The auditor's port on Azure Blob Storage, as the signed-in Entra identity (identity.ts), whose
// role assignments on the archive container say what it may do (infra/azure/access.ts): auditors
// read, hold admins set legal holds and read only the trail. Records are read as Blob Storage keeps
// them: Content-MD5 (or the sha256 metadata the ingestor sets), the version-level immutability policy
// (expiry and mode), the legal hold and the access tier. The trail is written as the ingestor writes records.
import { createHash } from "node:crypto";
import { RestError, type BlobItem, type BlobGetPropertiesResponse, type ContainerClient } from "@azure/storage-blob";
import { StoreUnavailableError } from "../core/objectStore";
import { describeBlobError } from "../azure/blobStore";
import { AUDIT_PREFIX, auditObjectKey, decodeAuditEvent, encodeAuditEvent } from "./auditObjects";
import type { AuditorEvent, AuditorStore, Listed, RecordState } from "./store";

/** List Blobs answers at most this many blobs per page. */
const MAX_PAGE_SIZE = 5000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface BlobAuditorStoreOptions {
  /** The archive container, authorised as the signed-in identity (or a test credential). */
  readonly container: ContainerClient;
  /** Who the client acts as (identity.ts): the Entra user or service principal. */
  readonly actor: string;
  /** Blobs per list page, 1-5000; smaller only in tests. */
  readonly pageSize?: number;
}

const statusOf = (err: unknown) => (err instanceof RestError ? err.statusCode : undefined);

function failure(action: string, target: string, actor: string, err: unknown): Error {
  if (statusOf(err) === 403) return new Error(`Azure Blob ${action} ${target} was refused (${describeBlobError(err)}) to ${actor}: this identity's role may not do that`, { cause: err });
  return new StoreUnavailableError(`Azure Blob ${action} ${target} failed (${describeBlobError(err)}); retry`, { cause: err });
}

type BlobProperties = Pick<BlobGetPropertiesResponse, "contentLength" | "contentMD5" | "metadata" | "immutabilityPolicyExpiresOn" | "immutabilityPolicyMode" | "legalHold" | "accessTier" | "lastModified">;

function stateOf(key: string, props: BlobProperties): RecordState {
  const md5 = props.contentMD5 && props.contentMD5.length > 0 ? Buffer.from(props.contentMD5).toString("hex") : undefined;
  const sha256 = props.metadata?.sha256 && SHA256_HEX.test(props.metadata.sha256) ? props.metadata.sha256 : undefined;
  const checksum = md5 ? { algorithm: "md5" as const, value: md5 } : sha256 ? { algorithm: "sha256" as const, value: sha256 } : undefined;
  // The service names the mode in lower case on the wire; the SDK's enum capitalises it.
  const mode = props.immutabilityPolicyMode?.toLowerCase();
  return {
    key,
    size: props.contentLength ?? 0,
    ...(checksum ? { checksum } : {}),
    ...(props.immutabilityPolicyExpiresOn ? { retainUntil: props.immutabilityPolicyExpiresOn } : {}),
    ...(mode === "locked" || mode === "unlocked" ? { retentionMode: mode } : {}),
    legalHold: props.legalHold === true,
    ...(props.accessTier ? { tier: props.accessTier } : {}),
    ...(props.lastModified ? { lastModified: props.lastModified } : {}),
  };
}

export class BlobAuditorStore implements AuditorStore {
  readonly location: string;
  private readonly pageSize: number;

  constructor(private readonly options: BlobAuditorStoreOptions) {
    this.location = options.container.url.replace(/\/+$/, "");
    this.pageSize = Math.min(Math.max(1, options.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
  }

  async actor(): Promise<string> {
    return this.options.actor;
  }

  /** Blob Storage lists blobs in UTF-8 binary (key) order. */
  async *list(prefix: string): AsyncIterable<Listed> {
    for await (const item of this.listed(prefix, this.pageSize)) yield { key: item.name, size: item.properties.contentLength ?? 0 };
  }

  private async *listed(prefix: string, pageSize: number): AsyncIterable<BlobItem> {
    const pages = this.options.container.listBlobsFlat({ prefix, includeImmutabilityPolicy: true, includeLegalHold: true, includeMetadata: true }).byPage({ maxPageSize: pageSize });
    while (true) {
      let page;
      try {
        page = await pages.next();
      } catch (err) {
        throw failure("List Blobs", `${this.location}/${prefix}`, this.options.actor, err);
      }
      if (page.done) return;
      yield* page.value.segment.blobItems;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await this.options.container.getBlobClient(key).downloadToBuffer();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw failure("Get Blob", key, this.options.actor, err);
    }
  }

  /**
   * Get Blob Properties (blobs/read). A hold admin's read is confined to audit/ by its assignment's
   * condition, which leaves List Blobs open (infra/azure/access.ts): refused the properties, it reads
   * the same fields from the listing of the key.
   */
  async state(key: string): Promise<RecordState | undefined> {
    try {
      return stateOf(key, await this.options.container.getBlobClient(key).getProperties());
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      if (statusOf(err) !== 403) throw failure("Get Blob Properties", key, this.options.actor, err);
    }
    // The key sorts before every longer name it prefixes, so the first item is it, or it is missing.
    for await (const item of this.listed(key, 1)) return item.name === key ? stateOf(key, { ...item.properties, metadata: item.metadata }) : undefined;
    return undefined;
  }

  /**
   * Set Blob Legal Hold on the current version. Retention is the version's immutability policy, which
   * a legal hold neither replaces nor shortens (Azure Storage, "Legal holds for immutable blob data").
   */
  async setLegalHold(key: string, on: boolean): Promise<void> {
    try {
      await this.options.container.getBlobClient(key).setLegalHold(on);
    } catch (err) {
      if (statusOf(err) === 404) throw new Error(`there is no blob ${key} in ${this.location} to ${on ? "hold" : "release"}`, { cause: err });
      throw failure("Set Blob Legal Hold", key, this.options.actor, err);
    }
  }

  /**
   * The event as a new blob under audit/, written as the ingestor writes records (functions/azure/blobStore.ts):
   * one Put Blob with If-None-Match: * (never over another), its MD5 for the service to check, its SHA-256
   * as metadata. The account's version-level immutability policy applies to it as to every record.
   */
  async audit(event: AuditorEvent): Promise<void> {
    const body = encodeAuditEvent(event);
    for (let attempt = 1; ; attempt++) {
      const key = auditObjectKey(event);
      try {
        await this.options.container.getBlockBlobClient(key).upload(body, body.length, {
          conditions: { ifNoneMatch: "*" },
          blobHTTPHeaders: { blobContentType: "application/json", blobContentMD5: createHash("md5").update(body).digest() },
          metadata: { sha256: createHash("sha256").update(body).digest("hex") },
        });
        return;
      } catch (err) {
        // A taken name can only be another process's event in the same millisecond with the same random part.
        if ((statusOf(err) === 409 || statusOf(err) === 412) && attempt < 3) continue;
        throw failure("Put Blob", key, this.options.actor, err);
      }
    }
  }

  async *events(): AsyncIterable<AuditorEvent> {
    for await (const { key } of this.list(AUDIT_PREFIX)) {
      const bytes = await this.get(key);
      if (bytes) yield decodeAuditEvent(key, bytes);
    }
  }
}
