// An independent reader for the zips an export writes: the central directory (ZIP64 included), each
// entry's local header and data, and its CRC-32 checked, written from APPNOTE.TXT rather than from the writer.
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";

export interface ReadEntry {
  readonly name: string;
  readonly data: Buffer;
}

export function readZip(path: string): ReadEntry[] {
  const file = readFileSync(path);
  const eocd = file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error("no end of central directory record");
  let count = file.readUInt16LE(eocd + 10);
  let offset = file.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (file.readUInt32LE(locator) !== 0x07064b50) throw new Error("ZIP64 end record expected but no locator");
    const record = Number(file.readBigUInt64LE(locator + 8));
    if (file.readUInt32LE(record) !== 0x06064b50) throw new Error("no ZIP64 end of central directory record");
    count = Number(file.readBigUInt64LE(record + 32));
    offset = Number(file.readBigUInt64LE(record + 48));
  }
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (file.readUInt32LE(offset) !== 0x02014b50) throw new Error(`central header ${i} missing`);
    const method = file.readUInt16LE(offset + 10);
    const crc = file.readUInt32LE(offset + 16);
    let size = file.readUInt32LE(offset + 24);
    const nameLength = file.readUInt16LE(offset + 28);
    const extraLength = file.readUInt16LE(offset + 30);
    const commentLength = file.readUInt16LE(offset + 32);
    let local = file.readUInt32LE(offset + 42);
    const name = file.subarray(offset + 46, offset + 46 + nameLength).toString("utf8");
    const extra = file.subarray(offset + 46 + nameLength, offset + 46 + nameLength + extraLength);
    if (extra.length >= 4 && extra.readUInt16LE(0) === 0x0001) {
      let at = 4;
      if (size === 0xffffffff) (size = Number(extra.readBigUInt64LE(at)), (at += 8));
      if (file.readUInt32LE(offset + 20) === 0xffffffff) at += 8;
      if (local === 0xffffffff) local = Number(extra.readBigUInt64LE(at));
    }
    if (method !== 0) throw new Error(`${name}: method ${method}, exports are stored`);
    if (file.readUInt32LE(local) !== 0x04034b50) throw new Error(`${name}: no local header at ${local}`);
    const start = local + 30 + file.readUInt16LE(local + 26) + file.readUInt16LE(local + 28);
    const data = file.subarray(start, start + size);
    if (crc32(data) !== crc) throw new Error(`${name}: CRC-32 does not match`);
    entries.push({ name, data });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
