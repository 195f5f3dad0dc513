// The GCP ingestor against a stand-in for the Cloud Storage JSON API (test/helpers/fakeGcs: no GCS
// emulator installs from npm or Debian), through the real @google-cloud/storage client: the GCS
// adapter's create-only semantics and the client's retries, both handlers served by the Functions
// Framework's own test server, and corpus messages read back byte for byte. The client is pointed
// at the stand-in with `apiEndpoint`, which makes it send no credentials (asserted below).
import * as functions from "@google-cloud/functions-framework";
import { getTestServer } from "@google-cloud/functions-framework/testing";
import { Storage, type Bucket } from "@google-cloud/storage";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { StoreUnavailableError } from "../../../functions/core/objectStore";
import type { AuditEvent } from "../../../functions/core/types";
import { FINALIZED, PUBSUB_PUBLISHED } from "../../../functions/gcp/events";
import { GcsObjectStore } from "../../../functions/gcp/gcsStore";
import { ENVELOPE_METADATA } from "../../../functions/core/dropEnvelope";
import { createHandlers, FUNCTION_NAMES, type GcpIngestor } from "../../../functions/gcp/handlers";
import { readGcpSettings } from "../../../functions/gcp/settings";
import { corpusFiles } from "../../helpers/corpus";
import { startFakeGcs, type FakeGcs } from "../../helpers/fakeGcs";
import { rfc822 } from "../../helpers/messages";

// Loopback only: no proxy may carry a request elsewhere, and the client's emulator variable would
// override the endpoint given below.
for (const name of ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "STORAGE_EMULATOR_HOST"]) delete process.env[name];

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const md5 = (bytes: Buffer) => createHash("md5").update(bytes).digest("base64");
const fixture = (path: string) => readFileSync(join(__dirname, "..", "..", "fixtures", path));
const OPTIONS = (body: Buffer) => ({ contentType: "message/rfc822", retainUntil: new Date("2033-11-24T00:00:00Z"), sha256: sha(body) });
const RETENTION_DAYS = 2557;

let fake: FakeGcs;
/** The function's client; `relay` is another writer's, dropping into the inbox. */
let storage: Storage;
let relay: Storage;
let httpUrl: string;
let eventUrl: string;
const servers: Server[] = [];
let run = 0;
let archiveName: string;
let inboxName: string;
let archive: Bucket;
let inbox: Bucket;
let ingestor: GcpIngestor;
let logged: string[];
let audited: string[];
let auditWriter: (line: string) => void;

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  fake = await startFakeGcs();
  storage = new Storage({ apiEndpoint: fake.endpoint, projectId: "test" });
  relay = new Storage({ apiEndpoint: fake.endpoint, projectId: "test" });
  // The handlers read the current test's ingestor and output, so they are registered once.
  const handlers = createHandlers(() => ingestor, { log: (line) => logged.push(line), audit: (line) => auditWriter(line) });
  functions.http(FUNCTION_NAMES.http, handlers.ingestHttp);
  functions.cloudEvent(FUNCTION_NAMES.event, handlers.ingestObject);
  httpUrl = await listen(getTestServer(FUNCTION_NAMES.http));
  eventUrl = await listen(getTestServer(FUNCTION_NAMES.event));
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await fake?.stop();
});

// Fresh buckets per test, so that each starts from an empty archive. The archive has a retention
// policy, as in production: GCS (and the stand-in) then give every object a retentionExpirationTime.
beforeEach(() => {
  run += 1;
  archiveName = `archive-${run}`;
  inboxName = `inbox-${run}`;
  fake.createBucket(archiveName, { retentionSeconds: RETENTION_DAYS * 86_400 });
  fake.createBucket(inboxName);
  archive = storage.bucket(archiveName);
  inbox = storage.bucket(inboxName);
  const settings = readGcpSettings({
    ARCHIVE_BUCKET: archiveName,
    INBOX_BUCKET: inboxName,
    RETENTION_DAYS: String(RETENTION_DAYS),
    MAX_MESSAGE_BYTES: String(40 * 1024 * 1024),
    STORAGE_API_ENDPOINT: fake.endpoint,
  });
  ingestor = { settings, archive, inbox };
  logged = [];
  audited = [];
  auditWriter = (line) => audited.push(line);
  fake.requests.length = 0;
  // The framework reports a failed invocation with console.error(stack); keep the test output quiet.
  vi.spyOn(console, "error").mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
});

const auditLines = () => audited.map((line) => JSON.parse(line) as AuditEvent & { type: string });
const logLines = () => logged.map((line) => JSON.parse(line) as Record<string, unknown>);
const archived = (key: string) => fake.object(archiveName, key)?.bytes;
const archiveNames = () => fake.names(archiveName);

const post = (body: Buffer, headers: Record<string, string> = {}) =>
  fetch(httpUrl, { method: "POST", body, headers: { "content-type": "message/rfc822", ...headers } });

/** An Eventarc delivery in binary content mode: the data is the object resource, as GCS reports it. */
function sendEvent(type: string, data: unknown, id = `evt-${run}-${Math.random()}`) {
  return fetch(eventUrl, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "ce-id": id,
      "ce-specversion": "1.0",
      "ce-type": type,
      "ce-source": `//storage.googleapis.com/projects/_/buckets/${inboxName}`,
      "ce-time": "2026-11-24T08:15:03.000Z",
    },
    body: JSON.stringify(data),
  });
}

const finalized = (name: string) => sendEvent(FINALIZED, fake.object(inboxName, name)!.resource);

/**
 * A Cloud Storage notification pushed by a Pub/Sub subscription to /projects/<p>/topics/<t>, as
 * infra/gcp/ingest.ts wires it; the framework turns the push into a messagePublished CloudEvent.
 */
function pushNotification(resource: Record<string, unknown>, attributes: Record<string, string> = {}) {
  return fetch(`${eventUrl}/projects/test/topics/journal-inbox`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      message: {
        data: Buffer.from(JSON.stringify(resource)).toString("base64"),
        attributes: {
          bucketId: String(resource.bucket),
          objectId: String(resource.name),
          objectGeneration: String(resource.generation),
          eventType: "OBJECT_FINALIZE",
          payloadFormat: "JSON_API_V1",
          notificationConfig: "projects/_/buckets/inbox/notificationConfigs/1",
          eventTime: String(resource.timeCreated),
          ...attributes,
        },
        messageId: `msg-${run}-${Math.random()}`,
        publishTime: "2026-11-24T08:15:04.000Z",
      },
      subscription: "projects/test/subscriptions/journal-inbox-delivery",
    }),
  });
}

/** A relay's drop into the inbox, with the envelope in the object's custom metadata. */
async function drop(name: string, raw: Buffer, metadata: Record<string, string> = {}) {
  await relay.bucket(inboxName).file(name).save(raw, { resumable: false, preconditionOpts: { ifGenerationMatch: 0 }, metadata: { metadata } });
  return fake.object(inboxName, name)!.resource;
}

const uploads = () => fake.requests.filter((r) => r.method === "POST" && r.path.startsWith("/upload/"));

describe("GcsObjectStore through @google-cloud/storage", () => {
  it("creates an object once; a second write to the key is `exists` and leaves the first bytes", async () => {
    const store = new GcsObjectStore(archive);
    const first = Buffer.from("first bytes\r\n");
    expect(await store.putIfAbsent("messages/2026/11/24/a.eml", first, OPTIONS(first))).toBe("created");
    const second = Buffer.from("other bytes\r\n");
    expect(await store.putIfAbsent("messages/2026/11/24/a.eml", second, OPTIONS(second))).toBe("exists");
    expect((await store.get("messages/2026/11/24/a.eml"))!.equals(first)).toBe(true);
    // Both were single multipart inserts with the create-only precondition, and no credentials went out.
    expect(uploads().map((r) => r.query)).toEqual([
      expect.objectContaining({ uploadType: "multipart", name: "messages/2026/11/24/a.eml", ifGenerationMatch: "0" }),
      expect.objectContaining({ uploadType: "multipart", name: "messages/2026/11/24/a.eml", ifGenerationMatch: "0" }),
    ]);
    expect(fake.requests.some((r) => r.authorization)).toBe(false);
  });

  it("stores the content type and the SHA-256 as custom metadata, with an MD5 GCS checks before it creates the object", async () => {
    const store = new GcsObjectStore(archive);
    const body = rfc822();
    await store.putIfAbsent("messages/k.eml", body, OPTIONS(body));
    const stored = fake.object(archiveName, "messages/k.eml")!;
    expect(stored.contentType).toBe("message/rfc822");
    expect(stored.metadata).toEqual({ sha256: sha(body) });
    // The MD5 went with the upload, so GCS verified the bytes before creating the object.
    expect(uploads()[0].resource).toEqual({ contentType: "message/rfc822", md5Hash: md5(body), metadata: { sha256: sha(body) } });
    expect(stored.resource.md5Hash).toBe(md5(body));
  });

  it("reports the bucket policy's retention as retainUntil and an event-based hold as legalHold, setting neither itself", async () => {
    const store = new GcsObjectStore(archive);
    const body = Buffer.from("x");
    const before = Date.now();
    await store.putIfAbsent("messages/k.eml", body, OPTIONS(body));
    const info = await store.head("messages/k.eml");
    expect(info).toMatchObject({ key: "messages/k.eml", size: 1 });
    // Retention follows the bucket's policy from the write, not the retainUntil we passed (2033).
    expect(info!.retainUntil!.getTime()).toBeGreaterThanOrEqual(before + RETENTION_DAYS * 86_400_000);
    expect(info!.legalHold).toBeUndefined();
    fake.createBucket(`held-${run}`, { defaultEventBasedHold: true });
    const held = new GcsObjectStore(storage.bucket(`held-${run}`));
    await held.putIfAbsent("messages/k.eml", body, OPTIONS(body));
    expect(await held.head("messages/k.eml")).toMatchObject({ legalHold: true });
  });

  it("looks an object up by listing, which is all the ingestor's archive role allows besides creating", async () => {
    const store = new GcsObjectStore(archive);
    const body = Buffer.from("{}");
    await store.putIfAbsent("meta/2026/11/24/a.json.bak", body, OPTIONS(body));
    expect(await store.head("meta/2026/11/24/a.json")).toBeUndefined();
    await store.putIfAbsent("meta/2026/11/24/a.json", body, OPTIONS(body));
    fake.requests.length = 0;
    expect(await store.head("meta/2026/11/24/a.json")).toMatchObject({ key: "meta/2026/11/24/a.json", size: 2 });
    expect(fake.requests).toEqual([expect.objectContaining({ method: "GET", path: `/storage/v1/b/${archiveName}/o`, query: { prefix: "meta/2026/11/24/a.json", maxResults: "1" } })]);
  });

  it("answers absent keys with undefined, and lists by prefix in key order across pages", async () => {
    const store = new GcsObjectStore(archive);
    expect(await store.get("messages/none.eml")).toBeUndefined();
    expect(await store.head("meta/none.json")).toBeUndefined();
    const keys = Array.from({ length: 1003 }, (_, i) => `meta/2026/11/24/${String(i).padStart(4, "0")}.json`);
    // Written by someone else in scrambled order: the order must come from GCS, not from us.
    for (const key of [...keys].sort((a, b) => sha(Buffer.from(a)).localeCompare(sha(Buffer.from(b))))) fake.seed(archiveName, key, Buffer.from("{}"));
    fake.seed(archiveName, "messages/x.eml", Buffer.from("x"));
    fake.requests.length = 0;
    const listed: string[] = [];
    for await (const item of store.list("meta/")) listed.push(item.key);
    expect(listed).toEqual(keys);
    const pages = fake.requests.filter((r) => r.method === "GET" && r.path === `/storage/v1/b/${archiveName}/o`);
    expect(pages.map((r) => r.query)).toEqual([
      { prefix: "meta/", maxResults: "1000" },
      { prefix: "meta/", maxResults: "1000", pageToken: expect.any(String) },
    ]);
    const small: string[] = [];
    for await (const item of new GcsObjectStore(archive, { pageSize: 400 }).list("meta/2026/11/24/00")) small.push(item.key);
    expect(small).toEqual(keys.slice(0, 100));
  });

  it("treats a 403 on a key that is already taken as a duplicate: replacing needs a delete permission the ingestor lacks", async () => {
    const store = new GcsObjectStore(archive);
    const first = Buffer.from("first bytes\r\n");
    await store.putIfAbsent("messages/taken.eml", first, OPTIONS(first));
    fake.failNext(1, 403);
    expect(await store.putIfAbsent("messages/taken.eml", first, OPTIONS(first))).toBe("exists");
    expect((await store.get("messages/taken.eml"))!.equals(first)).toBe(true);
  });

  it("turns any other refusal into a retryable StoreUnavailableError naming the reason and HTTP status, without retrying it", async () => {
    const store = new GcsObjectStore(archive);
    const body = Buffer.from("x");
    fake.failNext(1, 403);
    const refused = store.putIfAbsent("messages/k.eml", body, OPTIONS(body));
    await expect(refused).rejects.toThrow(StoreUnavailableError);
    await expect(refused).rejects.toThrow("GCS objects.insert messages/k.eml failed (forbidden, HTTP 403); retry");
    expect(uploads()).toHaveLength(1);
    fake.deleteBucket(archiveName);
    await expect(store.putIfAbsent("messages/k.eml", body, OPTIONS(body))).rejects.toThrow("(notFound, HTTP 404); retry");
    fake.failNext(1, 403);
    await expect(store.head("messages/k.eml")).rejects.toThrow("GCS objects.list messages/k.eml failed (forbidden, HTTP 403); retry");
    const listing = async () => {
      for await (const item of store.list("meta/")) void item;
    };
    await expect(listing()).rejects.toThrow("GCS objects.list meta/ failed (notFound, HTTP 404); retry");
  });

  it("lets the client retry a 503: the repeated upload carries ifGenerationMatch=0 again and ends `created`", async () => {
    const store = new GcsObjectStore(archive);
    const body = Buffer.from("retried\r\n");
    fake.failNext(1, 503);
    expect(await store.putIfAbsent("messages/r.eml", body, OPTIONS(body))).toBe("created");
    expect(uploads().map((r) => r.query.ifGenerationMatch)).toEqual(["0", "0"]);
    expect(archived("messages/r.eml")!.equals(body)).toBe(true);
  });

  it("ends `exists` when the first upload landed but its answer was lost: the retry meets its own object", async () => {
    const store = new GcsObjectStore(archive);
    const body = Buffer.from("landed\r\n");
    fake.failNext(1, 503, { afterWrite: true });
    expect(await store.putIfAbsent("messages/l.eml", body, OPTIONS(body))).toBe("exists");
    expect(uploads()).toHaveLength(2);
    expect(archived("messages/l.eml")!.equals(body)).toBe(true);
  });

  it("lets the client retry a 503 on a read", async () => {
    const store = new GcsObjectStore(archive);
    const body = Buffer.from("read me\r\n");
    await store.putIfAbsent("messages/g.eml", body, OPTIONS(body));
    fake.failNext(1, 503);
    expect((await store.get("messages/g.eml"))!.equals(body)).toBe(true);
    expect(fake.requests.filter((r) => r.query.alt === "media")).toHaveLength(2);
  });
});

describe("the HTTP intake (ingestHttp) through the Functions Framework", () => {
  it("archives a posted message and answers like the local runtime: {sha256, key, status}", async () => {
    const raw = fixture("journal/exchange-online.eml");
    const response = await post(raw);
    expect(response.status).toBe(200);
    const key = `messages/2026/11/24/${sha(raw)}.eml`;
    expect(await response.json()).toEqual({ sha256: sha(raw), key, status: "archived" });
    expect(archived(key)!.equals(raw)).toBe(true);
    const meta = JSON.parse(archived(`meta/2026/11/24/${sha(raw)}.json`)!.toString("utf8"));
    // An IAM-authenticated invoker: its journal envelope is authoritative.
    expect(meta).toMatchObject({ source: "http", format: "exchange-journal", envelope: { verified: true } });
    expect(auditLines()).toEqual([expect.objectContaining({ type: "audit", action: "ingested", sha256: sha(raw), actor: "intake:http" })]);
    // Cloud Logging reads `severity`: the routine line is INFO, not the ERROR stderr would default to.
    expect(logLines()).toEqual([expect.objectContaining({ severity: "INFO", level: "info", msg: "ingest", status: "archived" })]);
  });

  it("answers a redelivery as a duplicate and writes nothing new", async () => {
    const raw = fixture("plain/simple-crlf.eml");
    await post(raw);
    const before = archiveNames();
    const again = await post(raw);
    expect(await again.json()).toMatchObject({ status: "duplicate", sha256: sha(raw) });
    expect(archiveNames()).toEqual(before);
    expect(auditLines().map((line) => line.action)).toEqual(["ingested", "duplicate"]);
    // Only creates and lists: the ingestor's role in infra/gcp/access.ts grants nothing else on the archive.
    expect(fake.requests.filter((r) => !(r.method === "POST" && r.path.startsWith("/upload/")) && r.path !== `/storage/v1/b/${archiveName}/o`)).toEqual([]);
  });

  it("quarantines what is not mail, byte for byte, with the reason", async () => {
    const junk = fixture("malformed/json.txt");
    // A JSON content type makes the framework parse the body; the raw bytes are what is archived.
    const response = await post(junk, { "content-type": "application/json" });
    const body = (await response.json()) as { key: string };
    expect(body).toMatchObject({ status: "quarantined", key: expect.stringMatching(/^quarantine\//), reason: expect.any(String) });
    expect(archived(body.key)!.equals(junk)).toBe(true);
  });

  it("refuses a body over MAX_MESSAGE_BYTES with 413, by declared length and by actual length, storing nothing", async () => {
    ingestor = { ...ingestor, settings: { ...ingestor.settings, maxMessageBytes: 1024 * 1024 } };
    const error = { error: "message body is over the 1048576-byte limit (MAX_MESSAGE_BYTES)" };
    const big = Buffer.alloc(1024 * 1024 + 1, 0x41);
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual(error);
    // Chunked: no length is declared, so only the bytes received can tell.
    const chunked = await fetch(httpUrl, { method: "POST", body: Readable.from([big.subarray(0, 600_000), big.subarray(600_000)]), duplex: "half", headers: { "content-type": "message/rfc822" } } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toEqual(error);
    expect(archiveNames()).toEqual([]);
    expect(uploads()).toEqual([]);
  });

  it("refuses by declared length before reading a body the framework has not read", async () => {
    // Outside the framework (no rawBody): the declared length alone decides, and the stream is left unread.
    ingestor = { ...ingestor, settings: { ...ingestor.settings, maxMessageBytes: 1024 } };
    type HttpArgs = Parameters<ReturnType<typeof createHandlers>["ingestHttp"]>;
    const request = Object.assign(Readable.from([Buffer.from("x")]), { method: "POST", headers: { "content-length": "1025" } });
    const answer: { status?: number; body?: unknown } = {};
    const response = {
      status(code: number) {
        answer.status = code;
        return this;
      },
      json(body: unknown) {
        answer.body = body;
        return this;
      },
    };
    const handlers = createHandlers(() => ingestor, { log: () => undefined, audit: () => undefined });
    await handlers.ingestHttp(request as unknown as HttpArgs[0], response as unknown as HttpArgs[1]);
    expect(answer).toEqual({ status: 413, body: { error: "message body is over the 1024-byte limit (MAX_MESSAGE_BYTES)" } });
    expect(request.readableDidRead).toBe(false);
  });

  it("answers anything but POST with 405 naming the allowed method", async () => {
    const response = await fetch(httpUrl, { method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await response.json()).toEqual({ error: "method GET is not allowed; use POST" });
    expect(fake.requests).toEqual([]);
  });

  it("answers 503 when the archive refuses the write, leaving no sidecar and no audit line, and logs no content", async () => {
    const raw = rfc822({ subject: "Merger terms, strictly private" });
    fake.failNext(1, 403);
    const response = await post(raw);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: "archive temporarily unavailable; nothing was stored, retry the request" });
    expect(auditLines()).toEqual([]);
    expect(archiveNames()).toEqual([]);
    expect(logLines().some((l) => l.severity === "ERROR" && String(l.error).includes("forbidden, HTTP 403"))).toBe(true);
    expect(logged.join("\n")).not.toMatch(/Merger|alice@example\.com|bob@example\.org/);
    // The client's retry of the request then archives it.
    expect(await (await post(raw)).json()).toMatchObject({ status: "archived" });
  });

  it("answers 503 when the audit line cannot be written: the bytes are kept, the sidecar is not, and a retry completes the record", async () => {
    const raw = fixture("plain/simple-crlf.eml");
    auditWriter = () => {
      throw new Error("stdout closed");
    };
    expect((await post(raw)).status).toBe(503);
    expect(archiveNames()).toEqual([`messages/2026/11/24/${sha(raw)}.eml`]);
    auditWriter = (line) => audited.push(line);
    expect(await (await post(raw)).json()).toMatchObject({ status: "archived" });
    expect(archiveNames()).toEqual([`messages/2026/11/24/${sha(raw)}.eml`, `meta/2026/11/24/${sha(raw)}.json`]);
    expect(auditLines().map((line) => line.action)).toEqual(["ingested"]);
  });
});

describe("the object intake (ingestObject)", () => {
  it("archives a finalized inbox object (Eventarc) with the envelope the relay put in its metadata", async () => {
    const raw = fixture("plain/simple-crlf.eml");
    const resource = await drop("relay/0001.eml", raw, {
      [ENVELOPE_METADATA.sender]: "Journal-Sender@Contoso.com",
      [ENVELOPE_METADATA.recipients]: "journal@archive.example.com, legal@archive.example.com",
    });
    const response = await finalized("relay/0001.eml");
    expect(response.status).toBe(204);
    const key = auditLines()[0].key!;
    expect(archived(key)!.equals(raw)).toBe(true);
    const meta = JSON.parse(archived(key.replace(/^messages\//, "meta/").replace(/\.eml$/, ".json"))!.toString("utf8"));
    expect(meta).toMatchObject({
      source: "gcs-drop",
      receivedAt: resource.timeCreated,
      envelope: {
        sender: "journal-sender@contoso.com",
        recipients: [
          { address: "journal@archive.example.com", field: "recipient" },
          { address: "legal@archive.example.com", field: "recipient" },
        ],
        // Only an IAM principal with create on the inbox can drop there.
        verified: true,
      },
    });
    expect(auditLines()).toEqual([expect.objectContaining({ action: "ingested", actor: "intake:gcs-drop" })]);
    // The bytes read are the generation the event reported.
    expect(fake.requests.find((r) => r.query.alt === "media")?.query).toMatchObject({ generation: resource.generation });
  });

  it("archives a finalized inbox object announced by a Cloud Storage notification pushed through Pub/Sub", async () => {
    const raw = fixture("journal/exchange-online.eml");
    const resource = await drop("relay/0002.eml", raw);
    const response = await pushNotification(resource);
    expect(response.status).toBe(204);
    expect(archived(`messages/2026/11/24/${sha(raw)}.eml`)!.equals(raw)).toBe(true);
    expect(auditLines()).toEqual([expect.objectContaining({ action: "ingested", actor: "intake:gcs-drop" })]);
  });

  it("treats a second event for the same bytes as a duplicate", async () => {
    const raw = fixture("plain/ssn.eml");
    await drop("a.eml", raw);
    await drop("b.eml", raw);
    expect((await finalized("a.eml")).status).toBe(204);
    expect((await finalized("b.eml")).status).toBe(204);
    expect(auditLines().map((line) => line.action)).toEqual(["ingested", "duplicate"]);
  });

  it("fails, so that the event is retried and then dead-lettered, when the inbox object cannot be read", async () => {
    const missing = { bucket: inboxName, name: "missing.eml", generation: "1", timeCreated: "2026-11-24T08:15:03.000Z" };
    const response = await sendEvent(FINALIZED, missing);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("reading inbox object failed (HTTP 404); retry");
    expect(archiveNames()).toEqual([]);
    expect(logLines()).toEqual([expect.objectContaining({ severity: "ERROR", source: "gcs-drop", error: "StoreUnavailableError: reading inbox object failed (HTTP 404); retry" })]);
  });

  it("fails on a replaced inbox object rather than archive other bytes under the first one's envelope", async () => {
    const first = await drop("relay/same.eml", fixture("plain/simple-crlf.eml"), { [ENVELOPE_METADATA.sender]: "a@example.com" });
    fake.seed(inboxName, "relay/same.eml", fixture("plain/ssn.eml"));
    expect((await sendEvent(FINALIZED, first)).status).toBe(500);
    expect(archiveNames()).toEqual([]);
  });

  it("fails when the archive refuses the write, with no sidecar and no audit line", async () => {
    await drop("x.eml", rfc822());
    fake.deleteBucket(archiveName);
    const response = await finalized("x.eml");
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/^GCS objects\.insert messages\/2026\/11\/24\/[0-9a-f]{64}\.eml failed \(notFound, HTTP 404\); retry$/);
    expect(auditLines()).toEqual([]);
  });

  it("fails on events it was not subscribed to: another type, another bucket, another notification", async () => {
    const resource = await drop("x.eml", rfc822());
    const refusals: [Promise<Response>, string][] = [
      [sendEvent("google.cloud.storage.object.v1.deleted", resource), `type google.cloud.storage.object.v1.deleted, expected ${FINALIZED} or a Cloud Storage notification (${PUBSUB_PUBLISHED})`],
      [sendEvent(FINALIZED, { ...resource, bucket: "dead-letters" }), `object is in bucket dead-letters, not the inbox ${inboxName}`],
      [sendEvent(FINALIZED, { bucket: inboxName }), "data is not a Cloud Storage object (it needs bucket and name)"],
      [pushNotification(resource, { eventType: "OBJECT_DELETE" }), "Pub/Sub message is not a Cloud Storage OBJECT_FINALIZE notification (eventType OBJECT_DELETE)"],
      [pushNotification(resource, { payloadFormat: "NONE" }), "notification payload format is NONE, expected JSON_API_V1"],
      [pushNotification({ ...resource, bucket: "elsewhere" }), `object is in bucket elsewhere, not the inbox ${inboxName}`],
    ];
    for (const [sent, why] of refusals) {
      const response = await sent;
      expect(response.status, why).toBe(500);
      expect(await response.text()).toBe(`unrecognised Cloud Storage event: ${why}`);
    }
    expect(archiveNames()).toEqual([]);
    expect(fake.requests.filter((r) => r.query.alt === "media")).toEqual([]);
  });
});

describe("corpus messages through Cloud Storage", () => {
  it("archives real messages by both intakes and reads every one back byte-identical", async () => {
    const files = corpusFiles().filter((_, i) => i % 16 === 0);
    if (files.length === 0) console.warn("corpus absent: the corpus part of the GCP test has nothing to run");
    const keys = new Map<string, Buffer>();
    for (const [i, file] of files.entries()) {
      const raw = readFileSync(file);
      if (i % 2 === 0) {
        const response = await post(raw);
        expect(response.status, file).toBe(200);
        keys.set(((await response.json()) as { key: string }).key, raw);
      } else {
        await drop(`corpus/${i}.eml`, raw);
        expect((await finalized(`corpus/${i}.eml`)).status, file).toBe(204);
        keys.set(auditLines().at(-1)!.key!, raw);
      }
    }
    expect(keys.size).toBe(new Set(files.map((f) => sha(readFileSync(f)))).size);
    const store = new GcsObjectStore(archive);
    for (const [key, raw] of keys) expect((await store.get(key))!.equals(raw), key).toBe(true);
  });
});

describe("readGcpSettings", () => {
  const ENV = { ARCHIVE_BUCKET: "journal-archive-gcp-us-east4", INBOX_BUCKET: "journal-inbox-gcp-us-east4", RETENTION_DAYS: "2557", MAX_MESSAGE_BYTES: "41943040" };

  it("reads the variables the Pulumi program sets; no endpoint in production", () => {
    const settings = readGcpSettings(ENV);
    expect(settings).toMatchObject({ archiveBucket: "journal-archive-gcp-us-east4", inboxBucket: "journal-inbox-gcp-us-east4", retentionDays: 2557, maxMessageBytes: 41943040, logLevel: "info" });
    expect(settings.storageApiEndpoint).toBeUndefined();
  });

  it("names every bad setting and what it must be; a custom endpoint only on loopback; no emulator variable", () => {
    expect(() =>
      readGcpSettings({ ...ENV, ARCHIVE_BUCKET: "Journal_Archive", RETENTION_DAYS: "0", STORAGE_API_ENDPOINT: "https://storage.example.com", STORAGE_EMULATOR_HOST: "http://127.0.0.1:9023" }),
    ).toThrow(
      /ARCHIVE_BUCKET="Journal_Archive": must be a bucket name.*\n {2}RETENTION_DAYS="0": must be a whole number from 1 to 36500\n {2}STORAGE_API_ENDPOINT="https:\/\/storage\.example\.com": must be unset in production, or http:\/\/127\.0\.0\.1:<port>.*\n {2}STORAGE_EMULATOR_HOST="http:\/\/127\.0\.0\.1:9023": must be unset/,
    );
    expect(readGcpSettings({ ...ENV, STORAGE_API_ENDPOINT: "http://localhost:4443/" }).storageApiEndpoint).toBe("http://localhost:4443");
  });
});
