// A minimal zip writer, so that neither packaging nor an auditor's export needs a zip tool on the
// machine: `zip()` builds a small archive in memory (deflate, for function packages), and
// `ZipFileWriter` streams a large one to a file (stored, no compression: an export of many GB is
// never held in memory), with ZIP64 records where sizes, offsets or counts need them (APPNOTE.TXT
// 4.3.9, 4.4.3.2, 4.5.3: https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT).
import { open, type FileHandle } from "node:fs/promises";
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipEntry {
  /** Path inside the archive, with forward slashes. */
  readonly name: string;
  readonly data: Buffer;
}

// A fixed timestamp (1980-01-01 00:00, DOS format) keeps the archive byte-identical for the same input.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

/** One entry as the central directory records it. */
export interface WrittenEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: 0 | 8;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Byte offset of the entry's local header. */
  readonly offset: number;
  /** Whether its local header carries a ZIP64 extra field (its sizes were unknown when it was written). */
  readonly zip64Local?: boolean;
}

function localHeader(entry: Omit<WrittenEntry, "offset">): Buffer {
  const name = Buffer.from(entry.name, "utf8");
  const extra = entry.zip64Local ? Buffer.alloc(20) : Buffer.alloc(0);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(entry.zip64Local ? 45 : 20, 4); // version needed: 2.0 (deflate), 4.5 (ZIP64)
  local.writeUInt16LE(0x0800, 6); // names are UTF-8
  local.writeUInt16LE(entry.method, 8);
  local.writeUInt16LE(DOS_TIME, 10);
  local.writeUInt16LE(DOS_DATE, 12);
  local.writeUInt32LE(entry.crc, 14);
  local.writeUInt32LE(entry.zip64Local ? MAX32 : entry.compressedSize, 18);
  local.writeUInt32LE(entry.zip64Local ? MAX32 : entry.size, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(extra.length, 28);
  if (entry.zip64Local) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(16, 2);
    extra.writeBigUInt64LE(BigInt(entry.size), 4);
    extra.writeBigUInt64LE(BigInt(entry.compressedSize), 12);
  }
  return Buffer.concat([local, name, extra]);
}

function centralHeader(entry: WrittenEntry): Buffer {
  const name = Buffer.from(entry.name, "utf8");
  // ZIP64 extra: only the fields whose 32-bit slot holds 0xFFFFFFFF, in this order (APPNOTE 4.5.3).
  const big: bigint[] = [];
  const size32 = entry.size >= MAX32 || entry.zip64Local ? MAX32 : entry.size;
  const compressed32 = entry.compressedSize >= MAX32 || entry.zip64Local ? MAX32 : entry.compressedSize;
  const offset32 = entry.offset >= MAX32 ? MAX32 : entry.offset;
  if (size32 === MAX32) big.push(BigInt(entry.size));
  if (compressed32 === MAX32) big.push(BigInt(entry.compressedSize));
  if (offset32 === MAX32) big.push(BigInt(entry.offset));
  const extra = Buffer.alloc(big.length > 0 ? 4 + 8 * big.length : 0);
  if (big.length > 0) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8 * big.length, 2);
    big.forEach((value, i) => extra.writeBigUInt64LE(value, 4 + 8 * i));
  }
  const version = big.length > 0 || entry.zip64Local ? 45 : 20;
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | version, 4); // made by: Unix
  central.writeUInt16LE(version, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(entry.method, 10);
  central.writeUInt16LE(DOS_TIME, 12);
  central.writeUInt16LE(DOS_DATE, 14);
  central.writeUInt32LE(entry.crc, 16);
  central.writeUInt32LE(compressed32, 20);
  central.writeUInt32LE(size32, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(extra.length, 30);
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
  central.writeUInt32LE(offset32, 42);
  return Buffer.concat([central, name, extra]);
}

/** The end records: ZIP64 end of central directory and its locator when a count, size or offset needs them. */
function endRecords(count: number, directorySize: number, directoryOffset: number): Buffer {
  const needs64 = count >= MAX16 || directorySize >= MAX32 || directoryOffset >= MAX32;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(needs64 ? MAX16 : count, 8);
  end.writeUInt16LE(needs64 ? MAX16 : count, 10);
  end.writeUInt32LE(needs64 ? MAX32 : directorySize, 12);
  end.writeUInt32LE(needs64 ? MAX32 : directoryOffset, 16);
  if (!needs64) return end;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4); // size of the rest of this record
  record.writeUInt16LE((3 << 8) | 45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(directorySize), 40);
  record.writeBigUInt64LE(BigInt(directoryOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, end]);
}

export function zip(entries: readonly ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const written: WrittenEntry[] = [];
  let offset = 0;
  for (const entry of entries) {
    const compressed = deflateRawSync(entry.data, { level: 9 });
    const header = { name: entry.name, method: 8 as const, crc: crc32(entry.data), compressedSize: compressed.length, size: entry.data.length };
    const local = localHeader(header);
    parts.push(local, compressed);
    written.push({ ...header, offset });
    offset += local.length + compressed.length;
  }
  const directory = Buffer.concat(written.map(centralHeader));
  return Buffer.concat([...parts, directory, endRecords(written.length, directory.length, offset)]);
}

/**
 * Writes a zip file entry by entry, stored (no compression), never holding more than one entry's
 * bytes. Resumable: `entries` and `end` from an earlier run continue it (the file is cut back to `end`).
 */
export class ZipFileWriter {
  private constructor(
    private readonly file: FileHandle,
    private readonly written: WrittenEntry[],
    private position: number,
  ) {}

  static async open(path: string, resume?: { readonly entries: readonly WrittenEntry[]; readonly end: number }): Promise<ZipFileWriter> {
    const file = await open(path, resume ? "r+" : "wx+", 0o600);
    if (resume) await file.truncate(resume.end);
    return new ZipFileWriter(file, [...(resume?.entries ?? [])], resume?.end ?? 0);
  }

  /** Where the next entry will start: with `entries`, what a later run needs to resume. */
  get end(): number {
    return this.position;
  }

  get entries(): readonly WrittenEntry[] {
    return this.written;
  }

  async add(name: string, data: Buffer): Promise<WrittenEntry> {
    const entry: WrittenEntry = { name, method: 0, crc: crc32(data), compressedSize: data.length, size: data.length, offset: this.position };
    await this.write(Buffer.concat([localHeader(entry), data]));
    this.written.push(entry);
    return entry;
  }

  /** An entry of unknown length: its local header is written first and completed once the data is in. */
  async addStream(name: string, chunks: AsyncIterable<Buffer>): Promise<WrittenEntry> {
    const offset = this.position;
    const placeholder = localHeader({ name, method: 0, crc: 0, compressedSize: 0, size: 0, zip64Local: true });
    await this.write(placeholder);
    let crc = 0;
    let size = 0;
    for await (const chunk of chunks) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      await this.write(chunk);
    }
    const entry: WrittenEntry = { name, method: 0, crc, compressedSize: size, size, offset, zip64Local: true };
    await this.file.write(localHeader(entry), 0, placeholder.length, offset);
    this.written.push(entry);
    return entry;
  }

  /** Reads back an entry's data (to check a resumed file's entries against their hashes). */
  async read(entry: WrittenEntry): Promise<Buffer> {
    const header = Buffer.alloc(30);
    await this.file.read(header, 0, 30, entry.offset);
    const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const data = Buffer.alloc(entry.size);
    await this.file.read(data, 0, entry.size, start);
    return data;
  }

  /** Writes the central directory, syncs and closes the file. */
  async finish(): Promise<void> {
    const directory = Buffer.concat(this.written.map(centralHeader));
    const offset = this.position;
    await this.write(Buffer.concat([directory, endRecords(this.written.length, directory.length, offset)]));
    await this.file.datasync();
    await this.file.close();
  }

  /** Syncs what is written so far (before recording it as done) and keeps the file open. */
  sync(): Promise<void> {
    return this.file.datasync();
  }

  async close(): Promise<void> {
    await this.file.close();
  }

  private async write(bytes: Buffer): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += bytes.length;
  }
}
