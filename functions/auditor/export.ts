// An export for a case: the raw messages exactly as archived, a manifest (CSV and JSON), and a
// chain-of-custody record naming who exported what, when, from which archive, by which query, and
// the manifest's own SHA-256. Into a folder or a zip, optionally with an mbox of the same messages.
//
// Each message read is audited (`exported`, with the case and the query) before its file gets its
// name. The export keeps a state file as it goes: after an interruption the same command continues,
// checks each file already there against its hash, and reads again only what is missing or wrong.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, readdirSync } from "node:fs";
import { appendFile, mkdir, open, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ZipFileWriter, type WrittenEntry } from "../../infra/zip";
import type { MessageMetadata, QuarantineRecord } from "../core/types";
import { isQuarantine, recipientsOf, sendersOf, type Sidecar } from "./query";
import type { AuditorStore } from "./store";

export interface ExportTarget {
  readonly key: string;
  readonly sha256: string;
}

export interface ExportOptions {
  readonly store: AuditorStore;
  readonly caseId: string;
  /** What was asked: the search as one line, or the ids given. */
  readonly query: string;
  readonly targets: readonly ExportTarget[];
  /** A folder, or a file ending in `.zip`. */
  readonly out: string;
  readonly mbox?: boolean;
  readonly onProgress?: (done: number, total: number, bytes: number) => void;
}

export interface ManifestRow {
  readonly file: string;
  readonly sha256: string;
  readonly key: string;
  readonly size: number;
  /** The message's own Date header, when it had one. */
  readonly date: string;
  readonly receivedAt: string;
  readonly from: string;
  readonly recipients: string;
  readonly retainUntil: string;
  readonly legalHold: boolean;
}

export interface ExportSummary {
  readonly out: string;
  readonly count: number;
  readonly bytes: number;
  /** Messages read from the archive in this run (the rest were already there, checked by hash). */
  readonly read: number;
  readonly manifestSha256: string;
  readonly manifestCsvSha256: string;
  readonly custodySha256: string;
  readonly seconds: number;
}

interface StateHeader {
  readonly kind: "email-journal export";
  readonly case: string;
  readonly archive: string;
  readonly query: string;
  readonly targets: string;
  readonly actor: string;
  readonly startedAt: string;
  readonly mbox: boolean;
}

interface DoneLine {
  readonly row: ManifestRow;
  /** Zip only: the entry, and where the file ends after it. */
  readonly entry?: WrittenEntry;
  readonly end?: number;
}

const MANIFEST_COLUMNS: ReadonlyArray<keyof ManifestRow> = ["file", "sha256", "key", "size", "date", "receivedAt", "from", "recipients", "retainUntil", "legalHold"];
const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const csvCell = (value: unknown) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function manifestCsv(rows: readonly ManifestRow[]): Buffer {
  return Buffer.from([MANIFEST_COLUMNS.join(","), ...rows.map((row) => MANIFEST_COLUMNS.map((c) => csvCell(row[c])).join(","))].join("\r\n") + "\r\n");
}

const fileOf = (target: ExportTarget) => `${target.key.startsWith("quarantine/") ? "quarantine" : "messages"}/${target.sha256}.eml`;
const sidecarKeyOf = (key: string) => key.replace(/^messages\//, "meta/").replace(/\.eml$/, ".json");

/** Where an export keeps its state: in the folder, or beside the zip. */
function paths(out: string) {
  const zipped = out.toLowerCase().endsWith(".zip");
  return zipped
    ? { zipped, part: `${out}.part`, state: `${out}.state.jsonl`, targets: `${out}.targets.json` }
    : { zipped, part: undefined, state: join(out, ".export-state.jsonl"), targets: join(out, ".export-targets.json") };
}

async function readState(path: string): Promise<{ header?: StateHeader; done: DoneLine[] }> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return { done: [] };
  const lines = text.split("\n");
  const done: DoneLine[] = [];
  let header: StateHeader | undefined;
  // A last line without its newline was being written when the export stopped: it is not done.
  for (const line of lines.slice(0, -1)) {
    const parsed = JSON.parse(line) as StateHeader | DoneLine;
    if ("kind" in parsed) header = parsed;
    else done.push(parsed);
  }
  return { header, done };
}

/** Writes `bytes` under a temporary name, synced, then gives it `path`: a file there is always whole. */
async function writeWhole(path: string, bytes: Buffer): Promise<void> {
  const temp = join(dirname(path), `.${randomBytes(6).toString("hex")}.tmp`);
  const file = await open(temp, "wx", 0o600);
  try {
    await file.writeFile(bytes);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
}

export async function exportCase(options: ExportOptions): Promise<ExportSummary> {
  const started = Date.now();
  const { store, caseId } = options;
  const where = paths(options.out);
  const targetsDigest = sha256Of(Buffer.from(JSON.stringify(options.targets)));
  const previous = await readState(where.state);
  if (!previous.header) {
    // Never overwrites: a new export needs a new place.
    if (where.zipped ? existsSync(options.out) || existsSync(where.part!) : existsSync(options.out) && readdirSync(options.out).length > 0) {
      throw new Error(`${options.out} already exists${where.zipped ? "" : " and is not empty"}, and holds no unfinished export: an export never overwrites; choose another --out`);
    }
  } else if (previous.header.case !== caseId || previous.header.targets !== targetsDigest || previous.header.archive !== store.location) {
    throw new Error(`${options.out} holds an unfinished export of case ${previous.header.case} (${previous.header.query}) from ${previous.header.archive}: resume it with the same case, archive and query, or choose another --out`);
  }

  const actor = await store.actor();
  if (!where.zipped) for (const folder of new Set(options.targets.map((t) => dirname(fileOf(t))))) await mkdir(join(options.out, folder), { recursive: true, mode: 0o700 });
  const header: StateHeader = previous.header ?? { kind: "email-journal export", case: caseId, archive: store.location, query: options.query, targets: targetsDigest, actor, startedAt: new Date().toISOString(), mbox: options.mbox === true };
  if (!previous.header) {
    await mkdir(dirname(where.state), { recursive: true });
    await writeFile(where.targets, JSON.stringify(options.targets));
    await writeFile(where.state, JSON.stringify(header) + "\n", { flag: "wx", mode: 0o600 });
  }

  // What an earlier run finished, checked against its hash; the first bad zip entry and all after it are done again.
  const done = new Map<string, DoneLine>();
  let zipWriter: ZipFileWriter | undefined;
  if (where.zipped) {
    const kept: DoneLine[] = [];
    if (existsSync(where.part!)) {
      for (const line of previous.done) {
        if (!line.entry || line.end === undefined) break;
        const data = await readEntry(where.part!, line.entry).catch(() => undefined);
        if (!data || sha256Of(data) !== line.row.sha256) break;
        kept.push(line);
      }
      zipWriter = await ZipFileWriter.open(where.part!, { entries: kept.map((l) => l.entry!), end: kept.length > 0 ? kept[kept.length - 1].end! : 0 });
    } else zipWriter = await ZipFileWriter.open(where.part!);
    for (const line of kept) done.set(line.row.sha256, line);
  } else {
    for (const line of previous.done) {
      const bytes = await readFile(join(options.out, line.row.file)).catch(() => undefined);
      if (bytes && sha256Of(bytes) === line.row.sha256) done.set(line.row.sha256, line);
    }
  }

  let read = 0;
  let bytes = [...done.values()].reduce((sum, line) => sum + line.row.size, 0);
  const rows: ManifestRow[] = [];
  try {
    for (const target of options.targets) {
      const finished = done.get(target.sha256);
      if (finished) {
        rows.push(finished.row);
        options.onProgress?.(rows.length, options.targets.length, bytes);
        continue;
      }
      const row = await manifestRow(store, target);
      const file = fileOf(target);
      let line: DoneLine;
      const inFolder = where.zipped ? undefined : await readFile(join(options.out, file)).catch(() => undefined);
      if (inFolder && sha256Of(inFolder) === target.sha256) {
        // Written and audited by a run that stopped before it could note it.
        line = { row };
      } else {
        const message = await store.get(target.key);
        if (!message) throw new Error(`${target.key} is not in ${store.location}: the export stops here; run verify`);
        if (sha256Of(message) !== target.sha256) throw new Error(`${target.key} does not hash to its name (${target.sha256}): the export stops here; run verify`);
        await store.audit({ action: "exported", at: new Date().toISOString(), sha256: target.sha256, key: target.key, actor, size: message.length, case: caseId, query: options.query });
        read++;
        if (zipWriter) {
          const entry = await zipWriter.add(file, message);
          await zipWriter.sync();
          line = { row, entry, end: zipWriter.end };
        } else {
          await writeWhole(join(options.out, file), message);
          line = { row };
        }
        bytes += message.length;
      }
      await appendFile(where.state, JSON.stringify(line) + "\n");
      rows.push(row);
      options.onProgress?.(rows.length, options.targets.length, bytes);
    }

    const manifestJson = Buffer.from(JSON.stringify({ case: caseId, archive: store.location, query: options.query, count: rows.length, bytes, messages: rows }, null, 2) + "\n");
    const manifestCsvBytes = manifestCsv(rows);
    const custody = {
      kind: "email-journal chain of custody",
      case: caseId,
      exportedBy: header.actor,
      ...(actor !== header.actor ? { resumedBy: actor } : {}),
      startedAt: header.startedAt,
      finishedAt: new Date().toISOString(),
      archive: store.location,
      query: options.query,
      count: rows.length,
      bytes,
      manifest: { "manifest.json": sha256Of(manifestJson), "manifest.csv": sha256Of(manifestCsvBytes) },
      note: "Each message file is named by the SHA-256 of its bytes, exactly as archived; every read was audited in the archive's trail as `exported` with this case.",
    };
    const custodyBytes = Buffer.from(JSON.stringify(custody, null, 2) + "\n");
    if (zipWriter) {
      const entries = new Map(zipWriter.entries.map((e) => [e.name, e]));
      const writer = zipWriter;
      if (header.mbox) await writer.addStream("messages.mbox", mboxChunks(rows, (row) => writer.read(entries.get(row.file)!)));
      await zipWriter.add("manifest.json", manifestJson);
      await zipWriter.add("manifest.csv", manifestCsvBytes);
      await zipWriter.add("custody.json", custodyBytes);
      await zipWriter.finish();
      zipWriter = undefined;
      await rename(where.part!, options.out);
    } else {
      if (header.mbox) await writeMbox(join(options.out, "messages.mbox"), rows, (row) => readFile(join(options.out, row.file)));
      await writeWhole(join(options.out, "manifest.json"), manifestJson);
      await writeWhole(join(options.out, "manifest.csv"), manifestCsvBytes);
      await writeWhole(join(options.out, "custody.json"), custodyBytes);
    }
    await rm(where.state, { force: true });
    await rm(where.targets, { force: true });
    return {
      out: options.out,
      count: rows.length,
      bytes,
      read,
      manifestSha256: custody.manifest["manifest.json"],
      manifestCsvSha256: custody.manifest["manifest.csv"],
      custodySha256: sha256Of(custodyBytes),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await zipWriter?.close();
  }
}

/** An entry's data, read back from a zip an earlier run wrote. */
async function readEntry(path: string, entry: WrittenEntry): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    const header = Buffer.alloc(30);
    await file.read(header, 0, 30, entry.offset);
    const start = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    const data = Buffer.alloc(entry.size);
    const { bytesRead } = await file.read(data, 0, entry.size, start);
    if (bytesRead !== entry.size) throw new Error("cut short");
    return data;
  } finally {
    await file.close();
  }
}

async function manifestRow(store: AuditorStore, target: ExportTarget): Promise<ManifestRow> {
  const [sidecarBytes, state] = await Promise.all([store.get(sidecarKeyOf(target.key)), store.state(target.key)]);
  const sidecar = sidecarBytes ? (JSON.parse(sidecarBytes.toString("utf8")) as Sidecar) : undefined;
  const senders = sidecar ? sendersOf(sidecar) : { headers: [], envelope: [] };
  const recipients = sidecar ? recipientsOf(sidecar) : { headers: [], envelope: [] };
  return {
    file: fileOf(target),
    sha256: target.sha256,
    key: target.key,
    size: state?.size ?? sidecar?.size ?? 0,
    date: sidecar && !isQuarantine(sidecar) ? ((sidecar as MessageMetadata).date ?? "") : "",
    receivedAt: (sidecar as MessageMetadata | QuarantineRecord | undefined)?.receivedAt ?? "",
    from: [...new Set([...senders.headers, ...senders.envelope])].join(" "),
    recipients: [...new Set([...recipients.headers, ...recipients.envelope])].join(" "),
    retainUntil: state?.retainUntil?.toISOString() ?? sidecar?.retainUntil ?? "",
    legalHold: state?.legalHold ?? false,
  };
}

/** The mboxrd `From ` line's date: asctime, UTC. */
function asctime(iso: string): string {
  const d = new Date(iso || 0);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** One message as mboxrd: a `From ` line, the bytes with every `>*From ` line quoted once more, a blank line. */
export function mboxEntry(row: Pick<ManifestRow, "from" | "receivedAt">, message: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from(`From ${row.from.split(" ")[0] || "MAILER-DAEMON"} ${asctime(row.receivedAt)}\n`)];
  let start = 0;
  while (start < message.length) {
    const newline = message.indexOf(0x0a, start);
    const end = newline < 0 ? message.length : newline + 1;
    const line = message.subarray(start, end);
    let i = 0;
    while (i < line.length && line[i] === 0x3e) i++;
    if (line.subarray(i, i + 5).toString("latin1") === "From ") parts.push(Buffer.from(">"));
    parts.push(line);
    start = end;
  }
  if (message.length > 0 && message[message.length - 1] !== 0x0a) parts.push(Buffer.from("\n"));
  parts.push(Buffer.from("\n"));
  return Buffer.concat(parts);
}

async function* mboxChunks(rows: readonly ManifestRow[], read: (row: ManifestRow) => Promise<Buffer>): AsyncGenerator<Buffer> {
  for (const row of rows) yield mboxEntry(row, await read(row));
}

async function writeMbox(path: string, rows: readonly ManifestRow[], read: (row: ManifestRow) => Promise<Buffer>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  const file = await open(temp, "wx", 0o600);
  try {
    for await (const chunk of mboxChunks(rows, read)) await file.write(chunk);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
}

/** The SHA-256 of a file, read in a stream: what an auditor checks an exported file against. */
export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}
