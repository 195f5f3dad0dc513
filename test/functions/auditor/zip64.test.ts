// The streaming zip writer an export uses, where an export outgrows the classic zip format: more
// than 65,535 entries need the ZIP64 end records (APPNOTE.TXT 4.3.14, 4.3.15), read back here by an
// independent reader; and the store checksums verify compares, in each form the clouds give them.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ZipFileWriter } from "../../../infra/zip";
import { checksumProblem, crc32c } from "../../../functions/auditor/storeVerify";
import { readZip } from "./zipReader";

const dir = mkdtempSync(join(tmpdir(), "journal-zip64-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ZipFileWriter", () => {
  it("writes ZIP64 end records past 65,535 entries, and every entry reads back", async () => {
    const path = join(dir, "many.zip");
    const zip = await ZipFileWriter.open(path);
    const count = 65_600;
    for (let i = 0; i < count; i++) await zip.add(`messages/${i}.eml`, Buffer.from(`message ${i}\r\n`));
    await zip.finish();
    const entries = readZip(path);
    expect(entries).toHaveLength(count);
    expect(entries[count - 1]).toEqual({ name: `messages/${count - 1}.eml`, data: Buffer.from(`message ${count - 1}\r\n`) });
  });

  it("completes an entry of unknown length once its data is in", async () => {
    const path = join(dir, "stream.zip");
    const zip = await ZipFileWriter.open(path);
    async function* chunks() {
      for (let i = 0; i < 5; i++) yield Buffer.alloc(100_000, i);
    }
    await zip.add("first.txt", Buffer.from("one"));
    await zip.addStream("messages.mbox", chunks());
    await zip.add("last.txt", Buffer.from("two"));
    await zip.finish();
    const entries = readZip(path);
    expect(entries.map((e) => e.name)).toEqual(["first.txt", "messages.mbox", "last.txt"]);
    expect(entries[1].data.length).toBe(500_000);
    expect(entries[1].data[499_999]).toBe(4);
  });
});

describe("store checksums", () => {
  const bytes = Buffer.from("123456789");
  it("computes CRC-32C as GCS reports it (the check value of 123456789 is e3069283)", () => {
    expect(crc32c(bytes).toString("hex")).toBe("e3069283");
  });

  it("accepts each algorithm's digest in hex or base64, and names a mismatch", () => {
    for (const algorithm of ["sha256", "md5"] as const) {
      const digest = createHash(algorithm).update(bytes).digest();
      expect(checksumProblem(bytes, { algorithm, value: digest.toString("hex") })).toBeUndefined();
      expect(checksumProblem(bytes, { algorithm, value: digest.toString("base64") })).toBeUndefined();
    }
    expect(checksumProblem(bytes, { algorithm: "crc32c", value: Buffer.from("e3069283", "hex").toString("base64") })).toBeUndefined();
    expect(checksumProblem(bytes, { algorithm: "crc32c", value: "e3069283" })).toBeUndefined();
    expect(checksumProblem(Buffer.from("12345678"), { algorithm: "sha256", value: createHash("sha256").update(bytes).digest("hex") })).toMatch(/the store's sha256 checksum .* is not the bytes'/);
  });
});
