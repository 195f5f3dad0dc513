// The conformance suite every AuditorStore passes (functions/auditor/store.ts): the local archive's
// adapter and the S3, Azure Blob and GCS adapters, each over its own stand-in. The auditor's
// commands (search, hold, export, verify, retention) are written once against the port, so what
// the port promises must hold the same on every store:
//   - list: every key under a prefix and nothing else, in key order (a prefix need not end at a
//     folder), with each object's size;
//   - get: the bytes exactly as stored; undefined for a missing key, even one that prefixes another;
//   - state: size, the store's checksum (as lower-case hex of the digest, whatever the algorithm, so
//     verify can compare it with a digest it computes), retain-until, legal hold; undefined when missing;
//   - setLegalHold: set and clear read back, from this store and from a store opened afresh, one
//     object only, and neither ever moves retain-until earlier; a missing key is an error naming it;
//   - audit then events(): the events come back equal, oldest first, durable across a reopen, only
//     the auditor's own events (not the ingestor's), and never as archive records.
//
// Usage, in a *.test.ts file: `auditorStoreContract({ name: "S3", open: async (records) => … })`.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { AuditorEvent, AuditorStore, RecordState } from "../../functions/auditor/store";

/** One object the archive holds before the test starts, written as the ingestor writes it. */
export interface ContractRecord {
  readonly key: string;
  readonly body: Buffer;
  /** SHA-256 of `body`, lower-case hex. */
  readonly sha256: string;
  readonly contentType: string;
  /** The retention the store applies to it (whole seconds, so every store can keep it exactly). */
  readonly retainUntil: Date;
}

/** A fresh archive under test. */
export interface ContractArchive {
  readonly store: AuditorStore;
  /** What `store.location` must say for this archive. */
  readonly location: string;
  /** What `store.actor()` must say: the person behind the identity the store acts as. */
  readonly actor: string;
  /** A second store over the same archive, as the next command would open it. */
  reopen(): Promise<AuditorStore>;
  /** Releases the archive (and any second store); called after each test. */
  close(): Promise<void>;
}

export interface ContractSubject {
  /** Names the store in the test titles. */
  readonly name: string;
  /** A new, otherwise empty archive holding exactly `records`. */
  open(records: readonly ContractRecord[]): Promise<ContractArchive>;
}

const sha256Hex = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

// CRC32C (Castagnoli, reflected 0x82F63B78), the checksum GCS keeps.
const CRC32C_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32cHex(bytes: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, "0");
}

/** The digest of `bytes` under the algorithm a store reported, as lower-case hex. */
export function digestHex(algorithm: "sha256" | "md5" | "crc32c", bytes: Buffer): string {
  if (algorithm === "crc32c") return crc32cHex(bytes);
  return createHash(algorithm).update(bytes).digest("hex");
}

/** Retention seven years out, to the second. */
const RETAIN_UNTIL = new Date(Math.floor(Date.now() / 1000) * 1000 + 7 * 365 * 24 * 3600 * 1000);

function message(day: string, text: string | Buffer): ContractRecord {
  const body = typeof text === "string" ? Buffer.from(text) : text;
  const sha256 = sha256Hex(body);
  return { key: `messages/${day}/${sha256}.eml`, body, sha256, contentType: "message/rfc822", retainUntil: RETAIN_UNTIL };
}

function sidecar(of: ContractRecord, day: string): ContractRecord {
  const body = Buffer.from(JSON.stringify({ schema: 1, sha256: of.sha256, key: of.key, size: of.body.length }));
  return { key: `meta/${day}/${of.sha256}.json`, body, sha256: sha256Hex(body), contentType: "application/json", retainUntil: RETAIN_UNTIL };
}

const eml = (n: number) => `From: a${n}@example.com\r\nTo: b@example.org\r\nSubject: contract ${n}\r\nMessage-ID: <${n}@example.com>\r\n\r\nbody ${n}\r\n`;

/**
 * The archive every test starts from: messages on days that sort differently as text and as
 * numbers (01/02 … 01/10), a message whose bytes are not UTF-8, their sidecars, a quarantined input.
 */
export function contractRecords(): ContractRecord[] {
  const days = ["2026/01/02", "2026/01/03", "2026/01/09", "2026/01/10", "2026/02/01"];
  const messages = days.flatMap((day, d) => [message(day, eml(d * 2)), message(day, eml(d * 2 + 1))]);
  const binary = message("2026/01/03", Buffer.concat([Buffer.from("Subject: bytes\r\n\r\n"), Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a])]));
  const quarantined = message("2026/01/09", "not a message at all");
  const quarantine = { ...quarantined, key: quarantined.key.replace(/^messages\//, "quarantine/") };
  const all = [...messages, binary];
  return [...all, ...all.map((m) => sidecar(m, m.key.slice("messages/".length, "messages/".length + 10))), quarantine];
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const byKey = (a: { key: string }, b: { key: string }) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

/** Registers the suite for one store. */
export function auditorStoreContract(subject: ContractSubject): void {
  describe(`AuditorStore contract: ${subject.name}`, () => {
    const open: ContractArchive[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((a) => a.close()));
    });

    async function archive(records: readonly ContractRecord[] = contractRecords()): Promise<{ store: AuditorStore; a: ContractArchive; records: readonly ContractRecord[] }> {
      const a = await subject.open(records);
      open.push(a);
      return { store: a.store, a, records };
    }

    const inArea = (records: readonly ContractRecord[], prefix: string) =>
      records.filter((r) => r.key.startsWith(prefix)).sort(byKey).map((r) => ({ key: r.key, size: r.body.length }));

    it("names where the archive is and the person acting", async () => {
      const { store, a } = await archive();
      expect(store.location).toBe(a.location);
      expect(await store.actor()).toBe(a.actor);
    });

    it("lists each area exactly, in key order, with sizes", async () => {
      const { store, records } = await archive();
      for (const prefix of ["messages/", "meta/", "quarantine/"]) {
        const listed = (await collect(store.list(prefix))).map((l) => ({ key: l.key, size: l.size }));
        expect(listed, prefix).toEqual(inArea(records, prefix));
      }
      const everything = (await collect(store.list(""))).map((l) => l.key);
      expect(everything).toEqual([...everything].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
      expect(everything).toEqual(expect.arrayContaining(records.map((r) => r.key)));
    });

    it("lists by a prefix that does not end at a folder, and nothing for a prefix nobody has", async () => {
      const { store, records } = await archive();
      // 2026/01/0 covers days 02, 03 and 09, not 10: the prefix is text, not a date.
      const listed = (await collect(store.list("messages/2026/01/0"))).map((l) => l.key);
      expect(listed).toEqual(inArea(records, "messages/2026/01/0").map((r) => r.key));
      expect(listed.some((k) => k.startsWith("messages/2026/01/10/"))).toBe(false);
      expect(listed.length).toBeGreaterThan(0);
      expect(await collect(store.list("messages/2025/"))).toEqual([]);
      expect(await collect(store.list("me"))).toHaveLength(inArea(records, "me").length);
    });

    it("gets the bytes exactly as stored, and undefined for a key that is not there", async () => {
      const { store, records } = await archive();
      for (const r of records) expect(Buffer.compare((await store.get(r.key)) ?? Buffer.alloc(0), r.body), r.key).toBe(0);
      const first = records[0].key;
      expect(await store.get(first.replace(/[0-9a-f]{64}/, "0".repeat(64)))).toBeUndefined();
      // A key that prefixes an existing one is still missing (stores that look keys up by listing must not match it).
      expect(await store.get(first.slice(0, -4))).toBeUndefined();
    });

    it("states each object as the store keeps it: size, checksum, retention, no hold", async () => {
      const { store, records } = await archive();
      for (const r of records) {
        const state = await store.state(r.key);
        expect(state, r.key).toBeDefined();
        const s = state as RecordState;
        expect(s.key).toBe(r.key);
        expect(s.size).toBe(r.body.length);
        expect(s.checksum, `${r.key} has no checksum`).toBeDefined();
        expect(s.checksum!.value, `${r.key} ${s.checksum!.algorithm}`).toBe(digestHex(s.checksum!.algorithm, r.body));
        expect(s.retainUntil?.toISOString(), r.key).toBe(r.retainUntil.toISOString());
        expect(s.legalHold).toBe(false);
      }
    });

    it("states nothing for a key that is not there, even one that prefixes a record", async () => {
      const { store, records } = await archive();
      expect(await store.state(records[0].key.replace(/[0-9a-f]{64}/, "f".repeat(64)))).toBeUndefined();
      expect(await store.state(records[0].key.slice(0, -4))).toBeUndefined();
    });

    it("sets and clears a legal hold on one object, read back now and by the next command, retention untouched", async () => {
      const { store, a, records } = await archive();
      const [held, other] = records;
      const before = (await store.state(held.key))!;
      await store.setLegalHold(held.key, true);
      await store.setLegalHold(held.key, true); // setting it again changes nothing
      const on = (await store.state(held.key))!;
      expect(on.legalHold).toBe(true);
      expect((await store.state(other.key))!.legalHold).toBe(false);
      const next = await a.reopen();
      expect((await next.state(held.key))!.legalHold).toBe(true);
      await next.setLegalHold(held.key, false);
      const off = (await store.state(held.key))!;
      expect(off.legalHold).toBe(false);
      for (const s of [on, off]) {
        // Never shortened: a hold neither moves retain-until nor weakens how it is enforced.
        expect(s.retainUntil!.getTime()).toBeGreaterThanOrEqual(before.retainUntil!.getTime());
        expect(s.retentionMode).toBe(before.retentionMode);
      }
      expect(Buffer.compare((await store.get(held.key))!, held.body)).toBe(0);
    });

    it("refuses a legal hold on a key that is not there, naming it", async () => {
      const { store, records } = await archive();
      const missing = records[0].key.replace(/[0-9a-f]{64}/, "e".repeat(64));
      await expect(store.setLegalHold(missing, true)).rejects.toThrow(missing);
      expect(await store.state(missing)).toBeUndefined();
    });

    it("has no auditor events in a fresh archive", async () => {
      const { store } = await archive();
      expect(await collect(store.events())).toEqual([]);
    });

    it("returns audited events equal and oldest first, to this store and the next, never as records", async () => {
      const { store, a, records } = await archive();
      const actor = await store.actor();
      const t0 = Date.now();
      const at = (ms: number) => new Date(t0 + ms).toISOString();
      const target = records[0];
      const sha = target.sha256;
      const events: AuditorEvent[] = [
        { action: "searched", at: at(0), actor, query: "from:a1@example.com", count: 1 },
        { action: "hold-set", at: at(1), actor, sha256: sha, key: target.key, case: "CASE-1" },
        { action: "read", at: at(2), actor, sha256: sha, key: target.key },
        { action: "exported", at: at(3), actor, case: "CASE-1", query: "case:CASE-1", count: 1 },
        { action: "hold-cleared", at: at(4), actor, sha256: sha, key: target.key, case: "CASE-1", reason: "matter closed" },
        { action: "verified", at: at(5), actor, count: records.length },
      ];
      for (const e of events) await store.audit(e);
      expect(await collect(store.events())).toEqual(events);
      expect(await collect((await a.reopen()).events())).toEqual(events);
      for (const prefix of ["messages/", "meta/", "quarantine/"]) {
        expect((await collect(store.list(prefix))).map((l) => l.key), prefix).toEqual(inArea(records, prefix).map((r) => r.key));
      }
      expect((await store.state(target.key))!.retainUntil?.toISOString()).toBe(target.retainUntil.toISOString());
    });
  });
}
