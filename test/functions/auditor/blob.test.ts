// The auditor's Azure Blob adapter through the real SDK client against Azurite, which speaks the Blob
// REST API for real (Put Blob conditions, List Blobs, Get Blob, properties, metadata) but implements
// neither legal holds nor immutability policies. Those are added at the SDK's HTTP boundary by
// test/helpers/azureImmutability.ts, as the service reports them; that the service then refuses to
// delete or overwrite such a blob is the service's, and is not shown here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobObjectStore } from "../../../functions/azure/blobStore";
import { BlobAuditorStore } from "../../../functions/auditor/blob";
import type { AuditorEvent } from "../../../functions/auditor/store";
import { auditorStoreContract, type ContractRecord, contractRecords } from "../../helpers/auditorStoreContract";
import { type Azurite, startAzurite } from "../../helpers/azurite";
import { startImmutabilityProxy } from "../../helpers/azureImmutability";

const ACTOR = "azure:alice@contoso.example (object id 00000000-0000-0000-0000-0000000000a1)";
const DEFAULT_DAYS = 2557;

let azurite: Azurite;
let containers = 0;
const opened: (() => Promise<void>)[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await Promise.all(opened.map((close) => close()));
  await azurite?.stop();
});

/** A new archive container holding `records`, each written by the ingestor's own store and under the account's locked policy. */
async function archive(records: readonly ContractRecord[] = []) {
  const name = `archive-${++containers}`;
  const probe = await azurite.container(name);
  const layer = await startImmutabilityProxy(azurite.blobEndpoint, (container) => azurite.clientAt(azurite.blobEndpoint, container), { defaultDays: DEFAULT_DAYS });
  const client = azurite.clientAt(layer.blobEndpoint, name);
  const ingestor = new BlobObjectStore(probe);
  for (const r of records) {
    await ingestor.putIfAbsent(r.key, r.body, { contentType: r.contentType, retainUntil: r.retainUntil, sha256: r.sha256 });
    layer.blobs.set(r.key, { legalHold: false, until: r.retainUntil, mode: "locked" });
  }
  const open = () => new BlobAuditorStore({ container: client, actor: ACTOR, pageSize: 4 });
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= layer.stop().then(async () => void (await probe.delete())));
  opened.push(close);
  return { name, layer, probe, client, store: open(), open, close };
}

// Four blobs a page: the suite's listings cross several List Blobs pages and continuation markers.
auditorStoreContract({
  name: "Azure Blob (Azurite, holds and immutability at the SDK boundary)",
  async open(records) {
    const { store, open, client, close } = await archive(records);
    return { store, location: client.url, actor: ACTOR, reopen: async () => open(), close };
  },
});

const event: AuditorEvent = { action: "read", at: "2026-07-08T09:10:11.012Z", actor: ACTOR, sha256: "b".repeat(64), key: `messages/2026/07/08/${"b".repeat(64)}.eml` };

describe("the trail on Azure Blob", () => {
  it("writes each event with one create-only Put Blob, its MD5 and SHA-256, under the account's immutability policy", async () => {
    const { layer, store, probe } = await archive();
    await store.audit(event);
    const put = layer.requests.find((r) => r.method === "PUT")!;
    expect(put.ifNoneMatch).toBe("*");
    const [blob] = [...layer.blobs.keys()];
    expect(blob).toMatch(/^audit\/2026\/07\/08\/2026-07-08T09:10:11\.012Z-\d{6}-[0-9a-f]{12}\.json$/);
    const props = await probe.getBlobClient(blob).getProperties();
    expect(props.metadata?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(props.contentMD5?.length).toBe(16);
    expect((await store.state(blob))!).toMatchObject({ retentionMode: "locked", checksum: { algorithm: "md5" } });
    expect((await store.state(blob))!.retainUntil!.getTime()).toBeGreaterThan(Date.now() + 2000 * 86_400_000);
  });
});

describe("records on Azure Blob", () => {
  const records = contractRecords();
  const [record] = records;

  it("as a hold admin, whose reads are confined to audit/: holds and states records from the listing, reads the trail, never the records", async () => {
    const { layer, store } = await archive(records);
    layer.readsOnlyUnder = "audit/";
    await store.setLegalHold(record.key, true);
    expect(await store.state(record.key)).toMatchObject({ key: record.key, size: record.body.length, legalHold: true, retainUntil: record.retainUntil, retentionMode: "locked" });
    expect(await store.state(record.key.slice(0, -4))).toBeUndefined();
    await expect(store.get(record.key)).rejects.toThrow(/Azure Blob Get Blob messages\/.* was refused \(.*HTTP 403\) to azure:alice@contoso.example/);
    await store.audit({ ...event, action: "hold-set", case: "CASE-3" });
    const trail = [];
    for await (const e of store.events()) trail.push(e);
    expect(trail).toEqual([{ ...event, action: "hold-set", case: "CASE-3" }]);
  });

  it("reports the ingestor's sha256 metadata as the checksum of a blob committed from blocks, which has no Content-MD5", async () => {
    const { store, probe, layer } = await archive();
    const blocks = probe.getBlockBlobClient(record.key);
    const id = Buffer.from("block-0").toString("base64");
    await blocks.stageBlock(id, record.body, record.body.length);
    await blocks.commitBlockList([id], { metadata: { sha256: record.sha256 } });
    layer.blobs.set(record.key, { legalHold: false, until: record.retainUntil, mode: "locked" });
    expect((await probe.getBlobClient(record.key).getProperties()).contentMD5).toBeUndefined();
    expect((await store.state(record.key))!.checksum).toEqual({ algorithm: "sha256", value: record.sha256 });
  });
});
