// A stand-in for the Cloud Storage JSON API, at the HTTP level, on 127.0.0.1. It exists because
// no GCS emulator installs from npm or Debian (fake-gcs-server is a Go binary or a container), and
// a mocked Bucket would test nothing of what @google-cloud/storage actually sends. It is written
// from the JSON API reference and speaks only the subset that client uses here: multipart
// objects.insert with ifGenerationMatch, objects.get (resource and ?alt=media), objects.list with
// prefix/pageToken/maxResults, objects.patch of holds and custom metadata, buckets.get. It does what
// GCS does with them: 412 conditionNotMet, server-side MD5/CRC32C checks of a supplied hash, a bucket
// retention policy's retentionExpirationTime (and refusing to replace a retained or held object),
// default event-based holds, metageneration bumped by a patch, x-goog-hash on downloads.
// It is still a stand-in: no auth, no IAM, no resumable uploads, no versioning, no soft delete.
// Every request is recorded, and the next N requests can be made to fail, to test client retries.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** The path as sent (object names stay percent-encoded). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Whether the request carried an Authorization header. */
  readonly authorization: boolean;
  /** For an upload: the object resource the client sent in the multipart metadata part. */
  resource?: Readonly<Record<string, unknown>>;
}

export interface BucketOptions {
  /** A bucket retention policy: every object gets retentionExpirationTime = timeCreated + this. */
  readonly retentionSeconds?: number;
  /** Every new object starts with eventBasedHold = true. */
  readonly defaultEventBasedHold?: boolean;
  /** Whether the retention policy is locked (buckets.get answers it). */
  readonly retentionLocked?: boolean;
}

export interface SeedOptions {
  readonly contentType?: string;
  readonly metadata?: Record<string, string>;
  /** The object's retentionExpirationTime, as its bucket's policy gave it when it was created. */
  readonly retainUntil?: Date;
  readonly storageClass?: string;
}

export interface StoredObject {
  readonly bytes: Buffer;
  readonly contentType: string;
  /** Custom metadata (`metadata` in the object resource). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The object resource, as objects.get answers it. */
  readonly resource: Readonly<Record<string, unknown>>;
}

export interface FakeGcs {
  /** `http://127.0.0.1:<port>`, to pass as the Storage client's apiEndpoint. */
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  createBucket(name: string, options?: BucketOptions): void;
  deleteBucket(name: string): void;
  object(bucket: string, name: string): StoredObject | undefined;
  /** The bucket's object names in key order, read directly (no request is recorded). */
  names(bucket: string): string[];
  /** Writes an object directly, as another writer would (no request is recorded). */
  seed(bucket: string, name: string, bytes: Buffer, options?: SeedOptions): StoredObject;
  /**
   * The next `count` requests fail with `status`. With `afterWrite`, an upload is stored first and
   * only its answer fails: the response was lost, as when a connection drops after the commit.
   */
  failNext(count: number, status: number, options?: { afterWrite?: boolean }): void;
  stop(): Promise<void>;
}

const REASONS: Readonly<Record<number, string>> = {
  400: "invalid",
  403: "forbidden",
  404: "notFound",
  412: "conditionNotMet",
  429: "rateLimitExceeded",
  500: "backendError",
  501: "notImplemented",
  502: "backendError",
  503: "backendError",
  504: "backendError",
};

/** Largest page objects.list returns, as on GCS. */
const MAX_LIST_PAGE = 1000;

// CRC32C (Castagnoli, reflected 0x82F63B78), as GCS reports it: big-endian, base64.
const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32c(bytes: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString("base64");
}

const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("base64");

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Part {
  readonly contentType: string;
  readonly body: Buffer;
}

/** multipart/related as teeny-request writes it: `--b\r\nContent-Type: t\r\n\r\n<body>\r\n` … `--b--`. */
function multipartParts(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!/^multipart\/related/i.test(contentType) || !boundary) throw new HttpFailure(400, "expected a multipart/related upload");
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) throw new HttpFailure(400, "multipart body has no closing delimiter");
    const part = body.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next
    const headerEnd = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, headerEnd).toString("latin1");
    parts.push({ contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? "application/octet-stream", body: part.subarray(headerEnd + 4) });
    at = next;
  }
  if (parts.length !== 2) throw new HttpFailure(400, `expected 2 multipart parts (metadata, media), got ${parts.length}`);
  return parts;
}

const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export async function startFakeGcs(): Promise<FakeGcs> {
  const buckets = new Map<string, { options: BucketOptions; objects: Map<string, StoredObject> }>();
  const requests: RecordedRequest[] = [];
  const failures: { status: number; afterWrite: boolean }[] = [];
  let generation = 1_700_000_000_000_000;

  function bucketOf(name: string) {
    const bucket = buckets.get(name);
    if (!bucket) throw new HttpFailure(404, "The specified bucket does not exist.");
    return bucket;
  }

  function store(bucketName: string, name: string, bytes: Buffer, contentType: string, metadata?: Record<string, string>): StoredObject {
    const bucket = bucketOf(bucketName);
    const now = new Date();
    const gen = String(++generation);
    const resource: Record<string, unknown> = {
      kind: "storage#object",
      id: `${bucketName}/${name}/${gen}`,
      name,
      bucket: bucketName,
      generation: gen,
      metageneration: "1",
      contentType,
      storageClass: "STANDARD",
      size: String(bytes.length),
      md5Hash: md5(bytes),
      crc32c: crc32c(bytes),
      etag: md5(Buffer.from(gen)),
      timeCreated: now.toISOString(),
      updated: now.toISOString(),
      ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
      ...(bucket.options.retentionSeconds ? { retentionExpirationTime: new Date(now.getTime() + bucket.options.retentionSeconds * 1000).toISOString() } : {}),
      ...(bucket.options.defaultEventBasedHold ? { eventBasedHold: true } : {}),
    };
    const object: StoredObject = { bytes, contentType, ...(metadata ? { metadata } : {}), resource };
    bucket.objects.set(name, object);
    return object;
  }

  function retained(object: StoredObject): boolean {
    const until = object.resource.retentionExpirationTime;
    return object.resource.eventBasedHold === true || object.resource.temporaryHold === true || (typeof until === "string" && new Date(until).getTime() > Date.now());
  }

  /** objects.patch: the fields a hold admin may change. Content, retention and storage class are not among them. */
  function patch(bucketName: string, name: string, body: Buffer) {
    const object = objectAt(bucketName, name, {});
    const changes = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    const allowed = new Set(["temporaryHold", "eventBasedHold", "metadata"]);
    const refused = Object.keys(changes).filter((field) => !allowed.has(field));
    if (refused.length > 0) throw new HttpFailure(501, `patching ${refused.join(", ")} is not implemented by this fake (holds and metadata only)`);
    for (const field of ["temporaryHold", "eventBasedHold"]) {
      if (field in changes && typeof changes[field] !== "boolean") throw new HttpFailure(400, `Invalid value for ${field}: ${JSON.stringify(changes[field])}`);
    }
    const resource = object.resource as Record<string, unknown>;
    for (const field of ["temporaryHold", "eventBasedHold"]) if (field in changes) resource[field] = changes[field];
    if ("metadata" in changes) resource.metadata = { ...(resource.metadata as object | undefined), ...(changes.metadata as object) };
    resource.metageneration = String(Number(resource.metageneration) + 1);
    resource.updated = new Date().toISOString();
    return resource;
  }

  /** objects.insert, uploadType=multipart. Returns the stored object's resource. */
  function insert(bucketName: string, query: Record<string, string>, body: Buffer, contentType: string, recorded: RecordedRequest) {
    if (query.uploadType !== "multipart") throw new HttpFailure(501, `uploadType=${query.uploadType} is not implemented by this fake (multipart only)`);
    const [metaPart, mediaPart] = multipartParts(body, contentType);
    const resource = JSON.parse(metaPart.body.toString("utf8")) as { name?: string; contentType?: string; metadata?: Record<string, string>; md5Hash?: string; crc32c?: string };
    recorded.resource = resource;
    const name = query.name ?? resource.name;
    if (!name) throw new HttpFailure(400, "Required parameter: name");
    const bucket = bucketOf(bucketName);
    const existing = bucket.objects.get(name);
    if (query.ifGenerationMatch !== undefined && query.ifGenerationMatch !== (existing ? String(existing.resource.generation) : "0")) {
      throw new HttpFailure(412, "At least one of the pre-conditions you specified did not hold.");
    }
    if (existing && retained(existing)) {
      throw new HttpFailure(403, `Object '${bucketName}/${name}' is subject to bucket's retention policy or object retention and cannot be deleted or overwritten until expiry.`);
    }
    if (resource.md5Hash !== undefined && resource.md5Hash !== md5(mediaPart.body)) {
      throw new HttpFailure(400, `Provided MD5 hash "${resource.md5Hash}" doesn't match calculated MD5 hash "${md5(mediaPart.body)}".`);
    }
    if (resource.crc32c !== undefined && resource.crc32c !== crc32c(mediaPart.body)) {
      throw new HttpFailure(400, `Provided CRC32C "${resource.crc32c}" doesn't match calculated CRC32C "${crc32c(mediaPart.body)}".`);
    }
    return store(bucketName, name, mediaPart.body, resource.contentType ?? mediaPart.contentType, resource.metadata).resource;
  }

  function objectAt(bucketName: string, name: string, query: Record<string, string>): StoredObject {
    const object = bucketOf(bucketName).objects.get(name);
    if (!object || (query.generation !== undefined && query.generation !== object.resource.generation)) {
      throw new HttpFailure(404, `No such object: ${bucketName}/${name}`);
    }
    return object;
  }

  function list(bucketName: string, query: Record<string, string>) {
    const prefix = query.prefix ?? "";
    const pageSize = Math.min(Number(query.maxResults ?? MAX_LIST_PAGE) || MAX_LIST_PAGE, MAX_LIST_PAGE);
    const after = query.pageToken ? Buffer.from(query.pageToken, "base64url").toString("utf8") : undefined;
    const names = [...bucketOf(bucketName).objects.keys()]
      .filter((name) => name.startsWith(prefix) && (after === undefined || byUtf8(name, after) > 0))
      .sort(byUtf8);
    const page = names.slice(0, pageSize);
    const items = page.map((name) => bucketOf(bucketName).objects.get(name)!.resource);
    return {
      kind: "storage#objects",
      ...(items.length > 0 ? { items } : {}),
      ...(names.length > pageSize ? { nextPageToken: Buffer.from(page[page.length - 1]).toString("base64url") } : {}),
    };
  }

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
    response.end(JSON.stringify(body));
  };

  const fail = (response: ServerResponse, status: number, message: string) => {
    const reason = REASONS[status] ?? "error";
    json(response, status, { error: { code: status, message, errors: [{ message, domain: "global", reason }] } });
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const query = Object.fromEntries(url.searchParams);
    const method = request.method ?? "GET";
    const recorded: RecordedRequest = { method, path: url.pathname, query, authorization: request.headers.authorization !== undefined };
    requests.push(recorded);
    const body = await bodyOf(request);
    const failure = failures.shift();
    if (failure && !failure.afterWrite) return fail(response, failure.status, "injected failure");

    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    const one = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(url.pathname);
    const all = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (method === "POST" && upload) {
      const resource = insert(decodeURIComponent(upload[1]), query, body, request.headers["content-type"] ?? "", recorded);
      if (failure) return fail(response, failure.status, "injected failure after the object was stored");
      return json(response, 200, resource);
    }
    if (failure) return fail(response, failure.status, "injected failure");
    if (method === "GET" && one) {
      const object = objectAt(decodeURIComponent(one[1]), decodeURIComponent(one[2]), query);
      if (query.alt !== "media") return json(response, 200, object.resource);
      response.writeHead(200, {
        "content-type": object.contentType,
        "content-length": String(object.bytes.length),
        "x-goog-hash": `crc32c=${object.resource.crc32c},md5=${object.resource.md5Hash}`,
        "x-goog-generation": String(object.resource.generation),
        "x-goog-metageneration": "1",
        "x-goog-stored-content-encoding": "identity",
        "x-goog-stored-content-length": String(object.bytes.length),
      });
      return void response.end(object.bytes);
    }
    if (method === "GET" && all) return json(response, 200, list(decodeURIComponent(all[1]), query));
    if (method === "PATCH" && one) return json(response, 200, patch(decodeURIComponent(one[1]), decodeURIComponent(one[2]), body));
    const bucketPath = /^\/storage\/v1\/b\/([^/]+)$/.exec(url.pathname);
    if (method === "GET" && bucketPath) {
      const name = decodeURIComponent(bucketPath[1]);
      const { options } = bucketOf(name);
      return json(response, 200, {
        kind: "storage#bucket",
        name,
        ...(options.retentionSeconds ? { retentionPolicy: { retentionPeriod: String(options.retentionSeconds), isLocked: options.retentionLocked === true, effectiveTime: new Date(0).toISOString() } } : {}),
      });
    }
    throw new HttpFailure(501, `${method} ${url.pathname} is not implemented by this fake`);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((err: unknown) => {
      if (err instanceof HttpFailure) fail(response, err.status, err.message);
      else fail(response, 500, err instanceof Error ? err.message : String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    createBucket(name, options = {}) {
      buckets.set(name, { options, objects: new Map() });
    },
    deleteBucket(name) {
      buckets.delete(name);
    },
    object(bucket, name) {
      return buckets.get(bucket)?.objects.get(name);
    },
    names(bucket) {
      return [...(buckets.get(bucket)?.objects.keys() ?? [])].sort(byUtf8);
    },
    seed(bucket, name, bytes, options = {}) {
      const object = store(bucket, name, bytes, options.contentType ?? "application/octet-stream", options.metadata);
      const resource = object.resource as Record<string, unknown>;
      if (options.retainUntil) resource.retentionExpirationTime = options.retainUntil.toISOString();
      if (options.storageClass) resource.storageClass = options.storageClass;
      return object;
    },
    failNext(count, status, options = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, afterWrite: options.afterWrite ?? false });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
