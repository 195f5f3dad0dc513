// The auditor's GCS adapter through the real @google-cloud/storage client, against the JSON API
// stand-in (test/helpers/fakeGcs.ts: what GCS does with inserts, lists, gets, patches of holds and the
// bucket retention policy; no IAM, no CMEK, no versioning). Pointed at it with `apiEndpoint`, the client
// sends no credentials: impersonation is tested at the SDK boundary in identity.test.ts.
import { Storage } from "@google-cloud/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GcsAuditorStore } from "../../../functions/auditor/gcs";
import type { AuditorEvent } from "../../../functions/auditor/store";
import { auditorStoreContract, contractRecords } from "../../helpers/auditorStoreContract";
import { crc32c, type FakeGcs, startFakeGcs } from "../../helpers/fakeGcs";

const ACTOR = "alice@example.com as ej-auditor@journal-project.iam.gserviceaccount.com";
const RETENTION_SECONDS = 2557 * 86_400;

let fake: FakeGcs;
let storage: Storage;
let buckets = 0;

beforeAll(async () => {
  fake = await startFakeGcs();
  storage = new Storage({ apiEndpoint: fake.endpoint, projectId: "journal-project" });
});
afterAll(async () => fake?.stop());

/** A new archive bucket under a locked retention policy, and a store over it. */
function archive(options: { locked?: boolean } = {}) {
  const name = `ej-archive-${++buckets}`;
  fake.createBucket(name, { retentionSeconds: RETENTION_SECONDS, retentionLocked: options.locked ?? true });
  const open = () => new GcsAuditorStore({ bucket: storage.bucket(name), actor: ACTOR, pageSize: 4 });
  return { name, store: open(), open };
}

// Four objects a page: the suite's listings cross several objects.list pages.
auditorStoreContract({
  name: "GCS (auditor account)",
  async open(records) {
    const { name, store, open } = archive();
    for (const r of records) fake.seed(name, r.key, r.body, { contentType: r.contentType, metadata: { sha256: r.sha256 }, retainUntil: r.retainUntil });
    return { store, location: `gs://${name}`, actor: ACTOR, reopen: async () => open(), close: async () => fake.deleteBucket(name) };
  },
});

const event: AuditorEvent = { action: "exported", at: "2026-05-06T07:08:09.010Z", actor: ACTOR, case: "CASE-9", query: "from:a@example.com", count: 2 };

describe("the trail on GCS", () => {
  it("writes each event create-only (ifGenerationMatch=0) with its MD5, in its day's folder, under the bucket's retention", async () => {
    const { name, store } = archive();
    const before = fake.requests.length;
    await store.audit(event);
    const insert = fake.requests.slice(before).find((r) => r.method === "POST")!;
    expect(insert.query.ifGenerationMatch).toBe("0");
    expect(insert.query.name ?? insert.resource?.name).toMatch(/^audit\/2026\/05\/06\/2026-05-06T07:08:09\.010Z-\d{6}-[0-9a-f]{12}\.json$/);
    expect(insert.resource).toHaveProperty("md5Hash");
    const [key] = fake.names(name);
    expect(new Date(String(fake.object(name, key)!.resource.retentionExpirationTime)).getTime()).toBeGreaterThan(Date.now() + 2000 * 86_400_000);
  });
});

describe("records on GCS", () => {
  const [record] = contractRecords();

  it("holds with a temporary hold alone, and a held object stays held until released", async () => {
    const { name, store } = archive();
    fake.seed(name, record.key, record.body, { retainUntil: record.retainUntil });
    const before = fake.requests.length;
    await store.setLegalHold(record.key, true);
    const patchRequest = fake.requests.slice(before).find((r) => r.method === "PATCH")!;
    expect(patchRequest.path).toBe(`/storage/v1/b/${name}/o/${encodeURIComponent(record.key)}`);
    expect(fake.object(name, record.key)!.resource).toMatchObject({ temporaryHold: true, retentionExpirationTime: record.retainUntil.toISOString(), metageneration: "2" });
    await store.setLegalHold(record.key, false);
    expect(fake.object(name, record.key)!.resource.temporaryHold).toBe(false);
  });

  it("counts an event-based hold as a hold: releasing the temporary one does not release the object", async () => {
    const { name, store } = archive();
    fake.seed(name, record.key, record.body, { retainUntil: record.retainUntil });
    (fake.object(name, record.key)!.resource as Record<string, unknown>).eventBasedHold = true;
    await store.setLegalHold(record.key, false);
    expect((await store.state(record.key))!.legalHold).toBe(true);
  });

  it("reports the bucket lock as the retention mode, the storage class a lifecycle rule set, and crc32c when there is no MD5", async () => {
    const locked = archive({ locked: true });
    fake.seed(locked.name, record.key, record.body, { retainUntil: record.retainUntil, storageClass: "COLDLINE" });
    expect(await locked.store.state(record.key)).toMatchObject({ retentionMode: "locked", tier: "COLDLINE", checksum: { algorithm: "md5" } });
    const unlocked = archive({ locked: false });
    fake.seed(unlocked.name, record.key, record.body, { retainUntil: record.retainUntil });
    // A composite object has no md5Hash; its crc32c still covers the bytes.
    delete (fake.object(unlocked.name, record.key)!.resource as Record<string, unknown>).md5Hash;
    const state = await unlocked.store.state(record.key);
    expect(state).toMatchObject({ retentionMode: "unlocked", checksum: { algorithm: "crc32c", value: Buffer.from(crc32c(record.body), "base64").toString("hex") } });
  });

  it("tells a refusal from an outage: 403 names the actor, 503 is worth a retry", async () => {
    const { name } = archive();
    fake.seed(name, record.key, record.body, { retainUntil: record.retainUntil });
    // Without the client's own retries, so that one injected failure is the answer the adapter sees.
    const store = new GcsAuditorStore({ bucket: new Storage({ apiEndpoint: fake.endpoint, projectId: "journal-project", retryOptions: { autoRetry: false } }).bucket(name), actor: ACTOR });
    fake.failNext(1, 403);
    await expect(store.setLegalHold(record.key, true)).rejects.toThrow(/GCS objects.patch .* was refused \(forbidden, HTTP 403\) to alice@example.com/);
    fake.failNext(1, 503);
    await expect(store.state(record.key)).rejects.toThrow(/GCS objects.get .* failed .*HTTP 503.*; retry/);
  });
});
