// The Azure ingestor against Azurite, the real Azure Storage emulator (started from node_modules):
// the Blob adapter's create-only semantics, both handlers as the Functions host calls them, and
// corpus messages read back byte for byte. Only the credential differs from Azure: Azurite takes
// its development account key where Azure takes the function's managed identity.
import { HttpRequest, InvocationContext, type EventGridEvent } from "@azure/functions";
import type { ContainerClient } from "@azure/storage-blob";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BlobObjectStore } from "../../../functions/azure/blobStore";
import { ENVELOPE_METADATA } from "../../../functions/core/dropEnvelope";
import { createHandlers, type AzureIngestor } from "../../../functions/azure/handlers";
import { readAzureSettings } from "../../../functions/azure/settings";
import { StoreUnavailableError } from "../../../functions/core/objectStore";
import { startAzurite, type Azurite } from "../../helpers/azurite";
import { corpusFiles } from "../../helpers/corpus";
import { rfc822 } from "../../helpers/messages";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const fixture = (path: string) => readFileSync(join(__dirname, "..", "..", "fixtures", path));
const OPTIONS = (body: Buffer) => ({ contentType: "message/rfc822", retainUntil: new Date("2033-11-24T00:00:00Z"), sha256: sha(body) });

let azurite: Azurite;
let run = 0;
let archive: ContainerClient;
let inbox: ContainerClient;
let ingestor: AzureIngestor;
let logged: { level: string; line: string }[];

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

// Fresh containers per test, so that each starts from an empty archive.
beforeEach(async () => {
  run += 1;
  archive = await azurite.container(`archive-${run}`);
  inbox = await azurite.container(`inbox-${run}`);
  const settings = readAzureSettings({
    ARCHIVE_BLOB_ENDPOINT: azurite.blobEndpoint,
    ARCHIVE_CONTAINER: `archive-${run}`,
    INBOX_BLOB_ENDPOINT: azurite.blobEndpoint,
    INBOX_CONTAINER: `inbox-${run}`,
    RETENTION_DAYS: "2557",
    MAX_MESSAGE_BYTES: String(40 * 1024 * 1024),
  });
  ingestor = { settings, archive, inbox };
  logged = [];
});

const context = () => new InvocationContext({ invocationId: `inv-${run}`, logHandler: (level, ...args) => logged.push({ level, line: args.join(" ") }) });
const auditLines = () => logged.filter((l) => l.line.includes('"type":"audit"')).map((l) => JSON.parse(l.line));

async function blobNames(container = archive): Promise<string[]> {
  const names: string[] = [];
  for await (const item of container.listBlobsFlat()) names.push(item.name);
  return names.sort();
}

const post = (body: Buffer, headers: Record<string, string> = {}) =>
  new HttpRequest({ method: "POST", url: "https://func-journal.azurewebsites.net/api/ingest", body: { bytes: body }, headers: { "content-type": "message/rfc822", ...headers } });

function blobCreated(name: string, overrides: Partial<EventGridEvent> = {}): EventGridEvent {
  return {
    id: `evt-${name}`,
    topic: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
    subject: `/blobServices/default/containers/${inbox.containerName}/blobs/${name}`,
    eventType: "Microsoft.Storage.BlobCreated",
    eventTime: "2026-11-24T08:15:03.000Z",
    dataVersion: "",
    metadataVersion: "1",
    data: { api: "PutBlob", blobType: "BlockBlob", url: `${azurite.blobEndpoint}${inbox.containerName}/${name}` },
    ...overrides,
  };
}

describe("BlobObjectStore on Azurite", () => {
  it("creates a blob once; a second write to the key is `exists` and leaves the first bytes", async () => {
    const store = new BlobObjectStore(archive);
    const first = Buffer.from("first bytes\r\n");
    expect(await store.putIfAbsent("messages/2026/11/24/a.eml", first, OPTIONS(first))).toBe("created");
    const second = Buffer.from("other bytes\r\n");
    expect(await store.putIfAbsent("messages/2026/11/24/a.eml", second, OPTIONS(second))).toBe("exists");
    expect((await store.get("messages/2026/11/24/a.eml"))!.equals(first)).toBe(true);
  });

  it("stores the content type and the SHA-256 as blob metadata", async () => {
    const store = new BlobObjectStore(archive);
    const body = rfc822();
    await store.putIfAbsent("messages/k.eml", body, OPTIONS(body));
    const props = await archive.getBlobClient("messages/k.eml").getProperties();
    expect(props.contentType).toBe("message/rfc822");
    expect(props.metadata).toEqual({ sha256: sha(body) });
  });

  it("answers absent keys with undefined, and lists by prefix in key order across pages", async () => {
    const store = new BlobObjectStore(archive);
    expect(await store.get("messages/none.eml")).toBeUndefined();
    expect(await store.head("meta/none.json")).toBeUndefined();
    const keys = Array.from({ length: 1003 }, (_, i) => `meta/2026/11/24/${String(i).padStart(4, "0")}.json`);
    await Promise.all(keys.map((key) => store.putIfAbsent(key, Buffer.from("{}"), OPTIONS(Buffer.from("{}")))));
    await store.putIfAbsent("messages/x.eml", Buffer.from("x"), OPTIONS(Buffer.from("x")));
    const listed: string[] = [];
    for await (const item of store.list("meta/")) listed.push(item.key);
    expect(listed).toEqual(keys);
    expect(await store.head(keys[0])).toMatchObject({ key: keys[0], size: 2 });
  });

  it("turns a missing container (or any other refusal) into a retryable StoreUnavailableError naming the code", async () => {
    const store = new BlobObjectStore(await azurite.container(`gone-${run}`));
    await (await azurite.container(`gone-${run}`)).delete();
    const body = Buffer.from("x");
    await expect(store.putIfAbsent("messages/k.eml", body, OPTIONS(body))).rejects.toThrow(StoreUnavailableError);
    await expect(store.putIfAbsent("messages/k.eml", body, OPTIONS(body))).rejects.toThrow(/ContainerNotFound, HTTP 404/);
  });

  it("cannot show immutability or legal hold here: Azurite does not implement them", async () => {
    // On Azure the account's locked version-level policy gives every new blob a retain-until, which
    // head() reports; Azurite returns none. The lock itself is asserted on the program's inputs
    // (test/infra/azure) and by the policy pack, not here.
    const store = new BlobObjectStore(archive);
    await store.putIfAbsent("messages/k.eml", Buffer.from("x"), OPTIONS(Buffer.from("x")));
    expect((await store.head("messages/k.eml"))?.retainUntil).toBeUndefined();
  });
});

describe("the HTTP intake (ingestHttp)", () => {
  it("archives a posted message and answers like the local runtime: {sha256, key, status}", async () => {
    const raw = fixture("journal/exchange-online.eml");
    const response = await createHandlers(() => ingestor).ingestHttp(post(raw), context());
    expect(response.status).toBe(200);
    const key = `messages/2026/11/24/${sha(raw)}.eml`;
    expect(response.jsonBody).toEqual({ sha256: sha(raw), key, status: "archived" });
    expect((await archive.getBlobClient(key).downloadToBuffer()).equals(raw)).toBe(true);
    const meta = JSON.parse((await archive.getBlobClient(`meta/2026/11/24/${sha(raw)}.json`).downloadToBuffer()).toString("utf8"));
    // A caller holding the function key: its journal envelope is authoritative.
    expect(meta).toMatchObject({ source: "http", format: "exchange-journal", envelope: { verified: true } });
    expect(auditLines()).toEqual([expect.objectContaining({ action: "ingested", sha256: sha(raw), actor: "intake:http" })]);
  });

  it("answers a redelivery as a duplicate and writes nothing new", async () => {
    const handlers = createHandlers(() => ingestor);
    const raw = fixture("plain/simple-crlf.eml");
    await handlers.ingestHttp(post(raw), context());
    const before = await blobNames();
    const again = await handlers.ingestHttp(post(raw), context());
    expect(again.jsonBody).toMatchObject({ status: "duplicate", sha256: sha(raw) });
    expect(await blobNames()).toEqual(before);
    expect(auditLines().map((line) => line.action)).toEqual(["ingested", "duplicate"]);
  });

  it("quarantines what is not mail, byte for byte, with the reason", async () => {
    const junk = fixture("malformed/json.txt");
    const response = await createHandlers(() => ingestor).ingestHttp(post(junk), context());
    expect(response.jsonBody).toMatchObject({ status: "quarantined", key: expect.stringMatching(/^quarantine\//), reason: expect.any(String) });
    expect((await archive.getBlobClient((response.jsonBody as { key: string }).key).downloadToBuffer()).equals(junk)).toBe(true);
  });

  it("refuses a body over MAX_MESSAGE_BYTES with 413, by declared length and by actual length, storing nothing", async () => {
    const handlers = createHandlers(() => ({ ...ingestor, settings: { ...ingestor.settings, maxMessageBytes: 1024 * 1024 } }));
    const big = Buffer.alloc(1024 * 1024 + 1, 0x41);
    expect((await handlers.ingestHttp(post(Buffer.from("x"), { "content-length": String(big.length) }), context())).status).toBe(413);
    const response = await handlers.ingestHttp(post(big), context());
    expect(response.status).toBe(413);
    expect(response.jsonBody).toEqual({ error: "message body is over the 1048576-byte limit (MAX_MESSAGE_BYTES)" });
    expect(await blobNames()).toEqual([]);
  });

  it("answers 503 when the archive refuses the write, leaving no sidecar and no audit line, and logs no content", async () => {
    await archive.delete();
    const raw = rfc822({ subject: "Merger terms, strictly private" });
    const response = await createHandlers(() => ingestor).ingestHttp(post(raw), context());
    expect(response.status).toBe(503);
    expect(response.jsonBody).toEqual({ error: "archive temporarily unavailable; nothing was stored, retry the request" });
    expect(auditLines()).toEqual([]);
    expect(logged.some((l) => l.level === "error" && l.line.includes("ContainerNotFound"))).toBe(true);
    expect(logged.map((l) => l.line).join("\n")).not.toMatch(/Merger|alice@example\.com/);
  });
});

describe("the blob intake (ingestBlob, Event Grid BlobCreated)", () => {
  it("archives a dropped blob with the envelope a relay put in its metadata", async () => {
    const raw = fixture("journal/exchange-online.eml");
    await inbox.getBlockBlobClient("relay/0001.eml").upload(raw, raw.length, {
      metadata: { [ENVELOPE_METADATA.sender]: "journal-sender@contoso.com", [ENVELOPE_METADATA.recipients]: "journal@archive.example.com, legal@archive.example.com" },
    });
    await createHandlers(() => ingestor).ingestBlob(blobCreated("relay/0001.eml"), context());
    expect((await archive.getBlobClient(`messages/2026/11/24/${sha(raw)}.eml`).downloadToBuffer()).equals(raw)).toBe(true);
    const meta = JSON.parse((await archive.getBlobClient(`meta/2026/11/24/${sha(raw)}.json`).downloadToBuffer()).toString("utf8"));
    // Only an Entra identity with write on the inbox container can drop there (no Shared Key).
    expect(meta).toMatchObject({ source: "blob-drop", receivedAt: "2026-11-24T08:15:03.000Z", envelope: { verified: true } });
    expect(auditLines()).toEqual([expect.objectContaining({ action: "ingested", actor: "intake:blob-drop" })]);
  });

  it("treats a second event for the same bytes as a duplicate", async () => {
    const raw = fixture("plain/ssn.eml");
    await inbox.getBlockBlobClient("a.eml").upload(raw, raw.length);
    await inbox.getBlockBlobClient("b.eml").upload(raw, raw.length);
    const handlers = createHandlers(() => ingestor);
    await handlers.ingestBlob(blobCreated("a.eml"), context());
    await handlers.ingestBlob(blobCreated("b.eml"), context());
    expect(auditLines().map((line) => line.action)).toEqual(["ingested", "duplicate"]);
  });

  it("throws, so that Event Grid retries and then dead-letters, when the inbox blob cannot be read", async () => {
    await expect(createHandlers(() => ingestor).ingestBlob(blobCreated("missing.eml"), context())).rejects.toThrow("reading inbox blob failed (BlobNotFound, HTTP 404); retry");
    expect(await blobNames()).toEqual([]);
  });

  it("throws on events it was not subscribed to: another type, another container, another account", async () => {
    const handlers = createHandlers(() => ingestor);
    await expect(handlers.ingestBlob(blobCreated("x.eml", { eventType: "Microsoft.Storage.BlobDeleted" }), context())).rejects.toThrow(
      "unrecognised Event Grid event: type Microsoft.Storage.BlobDeleted, expected Microsoft.Storage.BlobCreated",
    );
    await expect(handlers.ingestBlob(blobCreated("x.eml", { subject: "/blobServices/default/containers/dead-letters/blobs/x.eml" }), context())).rejects.toThrow(
      `blob is in container dead-letters, not the inbox ${inbox.containerName}`,
    );
    await expect(handlers.ingestBlob(blobCreated("x.eml", { data: { url: `https://elsewhere.blob.core.windows.net/${inbox.containerName}/x.eml` } }), context())).rejects.toThrow(
      "data.url is not a blob in the inbox account's inbox container",
    );
  });
});

describe("corpus messages through Azure Blob Storage", () => {
  it("archives real messages by both intakes and reads every one back byte-identical", async () => {
    const files = corpusFiles().filter((_, i) => i % 16 === 0);
    if (files.length === 0) console.warn("corpus absent: the corpus part of the Azure test has nothing to run");
    const handlers = createHandlers(() => ingestor);
    const keys = new Map<string, Buffer>();
    for (const [i, file] of files.entries()) {
      const raw = readFileSync(file);
      if (i % 2 === 0) {
        const response = await handlers.ingestHttp(post(raw), context());
        expect(response.status, file).toBe(200);
        keys.set((response.jsonBody as { key: string }).key, raw);
      } else {
        await inbox.getBlockBlobClient(`corpus/${i}.eml`).upload(raw, raw.length);
        await handlers.ingestBlob(blobCreated(`corpus/${i}.eml`), context());
        keys.set(auditLines().at(-1).key, raw);
      }
    }
    expect(keys.size).toBe(new Set(files.map((f) => sha(readFileSync(f)))).size);
    for (const [key, raw] of keys) expect((await archive.getBlobClient(key).downloadToBuffer()).equals(raw), key).toBe(true);
  });
});

describe("readAzureSettings", () => {
  const ENV = {
    ARCHIVE_BLOB_ENDPOINT: "https://stjournalarc1234.blob.core.windows.net/",
    ARCHIVE_CONTAINER: "archive",
    INBOX_BLOB_ENDPOINT: "https://stjournalinb1234.blob.core.windows.net",
    INBOX_CONTAINER: "inbox",
    RETENTION_DAYS: "2557",
    MAX_MESSAGE_BYTES: "41943040",
  };

  it("reads the app settings the Pulumi program sets, normalising endpoints to end in a slash", () => {
    expect(readAzureSettings(ENV)).toMatchObject({ archiveBlobEndpoint: ENV.ARCHIVE_BLOB_ENDPOINT, inboxBlobEndpoint: `${ENV.INBOX_BLOB_ENDPOINT}/`, retentionDays: 2557 });
  });

  it("names every bad setting and what it must be; plain HTTP only for a loopback emulator", () => {
    expect(() => readAzureSettings({ ...ENV, ARCHIVE_BLOB_ENDPOINT: "http://stjournalarc1234.blob.core.windows.net/", INBOX_CONTAINER: "Inbox_1", MAX_MESSAGE_BYTES: "999999999" })).toThrow(
      /ARCHIVE_BLOB_ENDPOINT="http:\/\/stjournalarc1234\.blob\.core\.windows\.net\/": must be an HTTPS blob endpoint.*\n {2}INBOX_CONTAINER="Inbox_1": must be a container name.*\n {2}MAX_MESSAGE_BYTES="999999999": must be a whole number from 1024 to 157286400/,
    );
  });
});
