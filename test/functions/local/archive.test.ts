import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openArchiveReader, openLocalArchive, type LocalArchive } from "../../../functions/local/archive";
import { ObjectTamperedError, RetentionError } from "../../../functions/local/fsStore";
import { readLocalSettings } from "../../../functions/local/settings";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const MARKER = "PLAINTEXT-MARKER-7f3a";
let dir: string;
let archive: LocalArchive;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "journal-test-"));
  archive = await openLocalArchive({ dir });
});

afterEach(async () => {
  await archive.close();
  rmSync(dir, { recursive: true, force: true });
});

async function put(key: string, body: Buffer, retainUntil = new Date("2099-01-01T00:00:00Z")) {
  return archive.store.putIfAbsent(key, body, { contentType: "message/rfc822", retainUntil, sha256: sha(body) });
}

const objectFile = (key: string) => join(dir, "objects", ...key.split("/"));

describe("the encrypted write-once store", () => {
  it("creates once; a second put of the key is `exists` and leaves the object untouched", async () => {
    const body = Buffer.from(`Subject: first\r\n\r\n${MARKER}\r\n`);
    expect(await put("messages/2026/11/24/a.eml", body)).toBe("created");
    const before = readFileSync(objectFile("messages/2026/11/24/a.eml"));
    expect(await put("messages/2026/11/24/a.eml", Buffer.from("Subject: second\r\n\r\nother\r\n"))).toBe("exists");
    expect(readFileSync(objectFile("messages/2026/11/24/a.eml")).equals(before)).toBe(true);
    expect((await archive.store.get("messages/2026/11/24/a.eml"))!.equals(body)).toBe(true);
  });

  it("encrypts at rest: the file holds no plaintext, and it is read-only", async () => {
    await put("messages/2026/11/24/b.eml", Buffer.from(`Subject: x\r\n\r\n${MARKER}\r\n`));
    const onDisk = readFileSync(objectFile("messages/2026/11/24/b.eml"));
    expect(onDisk.includes(MARKER)).toBe(false);
    expect(onDisk.includes("Subject")).toBe(false);
    expect(readdirSync(join(dir, "objects", "messages", "2026", "11", "24"))).toEqual(["b.eml"]);
  });

  it("round-trips a large body byte for byte and reports its size and retention without decrypting", async () => {
    const body = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    const retainUntil = new Date("2033-11-24T00:00:00Z");
    await put("messages/2026/11/24/big.eml", body, retainUntil);
    expect((await archive.store.get("messages/2026/11/24/big.eml"))!.equals(body)).toBe(true);
    expect(await archive.store.head("messages/2026/11/24/big.eml")).toEqual({ key: "messages/2026/11/24/big.eml", size: body.length, retainUntil, legalHold: false });
    expect(await archive.store.get("messages/2026/11/24/missing.eml")).toBeUndefined();
  });

  it("detects a flipped byte in the ciphertext or an edited retain-until, naming the key", async () => {
    await put("messages/2026/11/24/c.eml", Buffer.from("Subject: c\r\n\r\nbody\r\n"));
    await put("messages/2026/11/24/d.eml", Buffer.from("Subject: d\r\n\r\nbody\r\n"));
    const file = objectFile("messages/2026/11/24/c.eml");
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    bytes[bytes.length - 20] ^= 1;
    writeFileSync(file, bytes);
    await expect(archive.store.get("messages/2026/11/24/c.eml")).rejects.toThrow(ObjectTamperedError);
    await expect(archive.store.get("messages/2026/11/24/c.eml")).rejects.toThrow(/messages\/2026\/11\/24\/c\.eml/);

    const other = objectFile("messages/2026/11/24/d.eml");
    chmodSync(other, 0o644);
    writeFileSync(other, readFileSync(other, "latin1").replace("2099-01-01", "2000-01-01"), "latin1");
    await expect(archive.store.get("messages/2026/11/24/d.eml")).rejects.toThrow(/integrity check/);
  });

  it("refuses deletion before retain-until and under legal hold, and allows it after both", async () => {
    let now = new Date("2026-11-24T00:00:00Z");
    await archive.close();
    const clocked = (archive = await openLocalArchive({ dir, now: () => now }));
    await clocked.store.putIfAbsent("messages/2026/11/24/e.eml", Buffer.from("x"), { contentType: "message/rfc822", retainUntil: new Date("2026-12-01T00:00:00Z"), sha256: sha(Buffer.from("x")) });
    await expect(clocked.store.delete("messages/2026/11/24/e.eml")).rejects.toThrow(new RetentionError("object messages/2026/11/24/e.eml is retained until 2026-12-01T00:00:00.000Z; deletion is refused before then"));
    now = new Date("2026-12-02T00:00:00Z");
    await clocked.store.setLegalHold("messages/2026/11/24/e.eml", true);
    expect((await clocked.store.head("messages/2026/11/24/e.eml"))!.legalHold).toBe(true);
    await expect(clocked.store.delete("messages/2026/11/24/e.eml")).rejects.toThrow(/under legal hold/);
    await clocked.store.setLegalHold("messages/2026/11/24/e.eml", false);
    await clocked.store.delete("messages/2026/11/24/e.eml");
    expect(await clocked.store.get("messages/2026/11/24/e.eml")).toBeUndefined();
  });

  it("keeps objects readable after a master key rotation, and after a restart", async () => {
    const old = Buffer.from("Subject: before rotation\r\n\r\n.\r\n");
    await put("messages/2026/11/24/f.eml", old);
    const oldKey = archive.keyring.currentKeyId;
    expect(archive.keyring.rotate()).not.toBe(oldKey);
    const fresh = Buffer.from("Subject: after rotation\r\n\r\n.\r\n");
    await put("messages/2026/11/24/g.eml", fresh);
    await archive.close();

    archive = await openLocalArchive({ dir });
    expect(archive.keyring.currentKeyId).not.toBe(oldKey);
    expect((await archive.store.get("messages/2026/11/24/f.eml"))!.equals(old)).toBe(true);
    expect((await archive.store.get("messages/2026/11/24/g.eml"))!.equals(fresh)).toBe(true);
  });

  it("uses JOURNAL_MASTER_KEY without writing it to disk, and cannot read objects without it", async () => {
    await archive.close();
    const keyed = mkdtempSync(join(tmpdir(), "journal-keyed-"));
    const masterKey = Buffer.alloc(32, 9);
    archive = await openLocalArchive({ dir: keyed, masterKey });
    await put("messages/2026/11/24/h.eml", Buffer.from("secret"));
    expect(readdirSync(join(keyed, "keys"))).toEqual([]);
    expect(() => openArchiveReader({ dir: keyed })).toThrow(/no master key: .* holds no key file and JOURNAL_MASTER_KEY is unset/);
    const wrongKey = openArchiveReader({ dir: keyed, masterKey: Buffer.alloc(32, 8) });
    await expect(wrongKey.store.get("messages/2026/11/24/h.eml")).rejects.toThrow(/wrapped by master key [0-9a-f]{16}, which this process does not have/);
    await archive.close();
    rmSync(keyed, { recursive: true, force: true });
    archive = await openLocalArchive({ dir });
  });
});

describe("readLocalSettings", () => {
  it("has working defaults", () => {
    expect(readLocalSettings({})).toMatchObject({ dir: "./.journal", smtpPort: 2525, httpPort: 8025, bind: "127.0.0.1", retentionDays: 2557, maxMessageBytes: 157286400 });
  });

  it.each([
    [{ JOURNAL_SMTP_PORT: "smtp" }, /JOURNAL_SMTP_PORT="smtp": must be a whole number from 0 to 65535/],
    [{ JOURNAL_HTTP_PORT: "70000" }, /JOURNAL_HTTP_PORT="70000": must be a whole number from 0 to 65535/],
    [{ JOURNAL_SMTP_PORT: "2600", JOURNAL_HTTP_PORT: "2600" }, /both 2600: they must differ/],
    [{ JOURNAL_RETENTION_DAYS: "0" }, /JOURNAL_RETENTION_DAYS="0": must be a whole number from 1 to 36500/],
    [{ JOURNAL_MAX_BYTES: "999999999999" }, /JOURNAL_MAX_BYTES="999999999999": must be a whole number from 1024 to 157286400/],
    [{ JOURNAL_TOKEN: "short" }, /JOURNAL_TOKEN \(5 characters\): must be at least 16 characters/],
    [{ JOURNAL_MASTER_KEY: "bm90LWEta2V5" }, /JOURNAL_MASTER_KEY \(value not shown\): must be base64 of exactly 32 bytes/],
    [{ JOURNAL_BIND: "example.com" }, /JOURNAL_BIND="example.com": must be an IP address/],
    [{ JOURNAL_TLS_CERT: "cert.pem" }, /set both .* or neither/],
  ])("rejects %j", (env, message) => {
    expect(() => readLocalSettings(env)).toThrow(message);
  });

  it("reports every problem at once and never echoes the master key", () => {
    let message = "";
    try {
      readLocalSettings({ JOURNAL_SMTP_PORT: "x", JOURNAL_HTTP_PORT: "y", JOURNAL_MASTER_KEY: "c2VjcmV0LXZhbHVl" });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n")).toHaveLength(4);
    expect(message).not.toContain("c2VjcmV0LXZhbHVl");
  });
});
