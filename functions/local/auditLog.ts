// The local audit trail: append-only JSON lines in `audit/audit.log`, each MAC'd over the
// previous line's MAC and its own content, so an edit, insertion, reordering or removal breaks
// the chain, and nobody without the archive's keys can write a line that verifies.
//
// Its end is recorded apart from it, in `audit.head` at the archive's root: the last line's
// sequence number, MAC and byte offset, authenticated under the archive's keys. Cutting lines
// off the end, or removing the whole trail, is therefore detected; rewriting the head needs
// the keys. The head is replaced atomically (a new file, synced, renamed over the old, and the
// folder synced), never rewritten in place, so a crash leaves the old head or the new one.
//
// The head is the commit point. Lines are written and synced, together with the staged objects
// they record, before the head that covers them is put in place; nothing is acknowledged before.
// A crash in between leaves lines past the head: complete, authenticated ones whose records are
// whole are rolled forward at the next start, the rest (a torn write, a record whose bytes never
// reached the disk) is cut back to the last good line.
import { createHmac } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readFile, stat, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { AuditSink } from "../core/audit";
import type { AuditEvent } from "../core/types";
import { realFileIo, writeAll, type FileIo } from "./fileIo";
import { FolderSyncs } from "./groupSync";
import type { Keyring } from "./keys";

export const GENESIS = "0".repeat(64);
const LOG_FOLDER = "audit";
const LOG_FILE = "audit.log";
export const HEAD_FILE = "audit.head";
const READ_CHUNK = 1024 * 1024;

export interface AuditLine extends AuditEvent {
  readonly seq: number;
  readonly keyId: string;
  readonly prev: string;
  readonly mac: string;
}

/** The trail's authenticated end. `size` is the byte length of the log up to and including line `seq`. */
export interface AuditHead {
  readonly seq: number;
  readonly mac: string;
  readonly at: string;
  readonly size: number;
  readonly keyId: string;
}

/** Something about the trail that a writer must not continue from; the message says what to do. */
export class AuditTrailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditTrailError";
  }
}

export const logPath = (dir: string) => join(dir, LOG_FOLDER, LOG_FILE);
export const headPath = (dir: string) => join(dir, HEAD_FILE);

function lineMac(keyring: Keyring, body: Omit<AuditLine, "mac">): string {
  return createHmac("sha256", keyring.auditKey(body.keyId)).update(body.prev).update(JSON.stringify(body)).digest("hex");
}

function headMac(keyring: Keyring, head: AuditHead): string {
  return createHmac("sha256", keyring.auditKey(head.keyId)).update(`journal-head\n${head.seq}\n${head.mac}\n${head.at}\n${head.size}\n${head.keyId}`).digest("hex");
}

/** `<seq>:<mac>`: the anchor an auditor records outside the machine and gives back to `verify --expect-head`. */
export const headAnchor = (head: Pick<AuditHead, "seq" | "mac">) => `${head.seq}:${head.mac}`;

export function parseAnchor(value: string): { seq: number; mac: string } | undefined {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  return match ? { seq: Number(match[1]), mac: match[2] } : undefined;
}

/** The authenticated head, or undefined when there is none. Throws, naming the problem, when it cannot be trusted. */
export async function readHead(dir: string, keyring: Keyring): Promise<AuditHead | undefined> {
  const text = await readFile(headPath(dir), "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (text === undefined) return undefined;
  let stored: AuditHead & { headMac?: unknown };
  try {
    stored = JSON.parse(text) as AuditHead & { headMac?: unknown };
  } catch {
    throw new AuditTrailError(`${HEAD_FILE} is not readable (not the JSON the archive writes): it was altered or damaged`);
  }
  const { headMac: mac, ...head } = stored;
  const shapeOk = Number.isInteger(head.seq) && head.seq >= 0 && Number.isInteger(head.size) && head.size >= 0 && /^[0-9a-f]{64}$/.test(String(head.mac)) && typeof head.keyId === "string" && typeof head.at === "string";
  if (!shapeOk || typeof mac !== "string") throw new AuditTrailError(`${HEAD_FILE} does not hold a head (seq, mac, at, size, keyId, headMac): it was altered or damaged`);
  if (!keyring.has(head.keyId)) {
    throw new AuditTrailError(`${HEAD_FILE} is signed by master key ${head.keyId}, which this process does not have: JOURNAL_MASTER_KEY (or the keys folder) is not this archive's`);
  }
  if (headMac(keyring, head) !== mac) throw new AuditTrailError(`${HEAD_FILE} is not authenticated under the archive's keys: it was altered`);
  return head;
}

/** Writes the next head to its temporary file and syncs it; `putHead` then puts it in place. */
async function writeHeadTemp(io: FileIo, dir: string, keyring: Keyring, head: AuditHead): Promise<void> {
  const file = await io.open(`${headPath(dir)}.tmp`, constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY, 0o600);
  try {
    await writeAll(io, file, Buffer.from(JSON.stringify({ ...head, headMac: headMac(keyring, head) }) + "\n"), 0);
    await io.datasync(file);
  } finally {
    await file.close();
  }
}

/** Replaces the head atomically by its synced temporary file: a rename, then the folder synced. */
async function putHead(io: FileIo, dir: string, syncs: FolderSyncs): Promise<void> {
  await io.rename(`${headPath(dir)}.tmp`, headPath(dir));
  await syncs.sync(dir);
}

async function writeHead(io: FileIo, dir: string, keyring: Keyring, head: AuditHead, syncs: FolderSyncs): Promise<void> {
  await writeHeadTemp(io, dir, keyring, head);
  await putHead(io, dir, syncs);
}

export interface RawLine {
  readonly text: string;
  /** Byte offset of the line's first byte. */
  readonly start: number;
  /** Byte offset just past the line's newline (or its last byte, if it has none). */
  readonly end: number;
  /** False for a last line without its newline: a torn write. */
  readonly complete: boolean;
}

/** The log's lines from byte `from`, read in chunks, with their byte offsets. */
export async function* rawLines(path: string, from = 0): AsyncGenerator<RawLine> {
  const file = await open(path, "r").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (!file) return;
  try {
    let carry = Buffer.alloc(0);
    let position = from;
    let carryStart = from;
    for (;;) {
      const chunk = Buffer.alloc(READ_CHUNK);
      const { bytesRead } = await file.read(chunk, 0, READ_CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let newline = data.indexOf(0x0a);
      while (newline >= 0) {
        yield { text: data.subarray(0, newline).toString("utf8"), start: carryStart, end: carryStart + newline + 1, complete: true };
        carryStart += newline + 1;
        data = data.subarray(newline + 1);
        newline = data.indexOf(0x0a);
      }
      carry = Buffer.from(data);
    }
    if (carry.length > 0) yield { text: carry.toString("utf8"), start: carryStart, end: carryStart + carry.length, complete: false };
  } finally {
    await file.close();
  }
}

/** Checks one line against the chain: its sequence, its link to the line before, its MAC. */
function checkLine(keyring: Keyring, raw: RawLine, seq: number, prev: string): { line: AuditLine } | { problem: string } {
  if (!raw.complete) return { problem: "the line is incomplete (no line end): a torn write" };
  let line: AuditLine;
  try {
    line = JSON.parse(raw.text) as AuditLine;
  } catch {
    return { problem: "line is not valid JSON" };
  }
  if (line === null || typeof line !== "object") return { problem: "line is not an audit record" };
  const { mac, ...body } = line;
  if (line.seq !== seq) return { problem: `found seq ${String(line.seq)}: a line was removed, inserted or reordered` };
  if (line.prev !== prev) return { problem: "does not chain to the line before it" };
  if (typeof line.keyId !== "string" || !keyring.has(line.keyId)) return { problem: `signed by master key ${String(line.keyId)}, which this process does not have` };
  if (lineMac(keyring, body) !== mac) return { problem: "MAC does not match: the line was altered" };
  return { line };
}

export interface OpenOptions {
  readonly io?: FileIo;
  readonly now?: () => Date;
  /** Folder syncs shared with the object store. */
  readonly syncs?: FolderSyncs;
  /** Made durable with every batch of lines: the staging folder, whose names the lines' records are under. */
  readonly barrier?: () => Promise<void>;
  /** Whether a line past the head may be rolled forward: the records it says were created are whole. */
  readonly recordsPresent?: (line: AuditLine) => Promise<boolean>;
}

interface Waiting {
  readonly event: AuditEvent;
  readonly together?: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class HashChainedAuditLog implements AuditSink {
  private waiting: Waiting[] = [];
  private flushing?: Promise<void>;

  private constructor(
    private readonly dir: string,
    private readonly keyring: Keyring,
    private readonly io: FileIo,
    private readonly now: () => Date,
    private readonly syncs: FolderSyncs,
    private readonly barrier: () => Promise<void>,
    private head: AuditHead,
    private readonly log: FileHandle,
    /** What the start-up recovery did; empty after a clean shutdown. */
    readonly recovery: readonly string[],
  ) {}

  /**
   * Opens the trail for writing, continuing its chain. A trail without a head is created (the
   * caller checks that the archive is new). Lines past the head are rolled forward and a torn
   * tail is cut back, each recorded in `recovery`. Refuses a head that is not authenticated or
   * a log that does not hold the line its head records: those are not crashes.
   */
  static async open(dir: string, keyring: Keyring, options: OpenOptions = {}): Promise<HashChainedAuditLog> {
    const io = options.io ?? realFileIo;
    const now = options.now ?? (() => new Date());
    const syncs = options.syncs ?? new FolderSyncs(io);
    await mkdir(join(dir, LOG_FOLDER), { recursive: true, mode: 0o700 });
    let head = await readHead(dir, keyring);
    const size = await stat(logPath(dir)).then((s) => s.size, () => 0);
    if (!head) {
      if (size > 0) throw new AuditTrailError(`${HEAD_FILE} is missing but ${LOG_FOLDER}/${LOG_FILE} holds ${size} bytes: the head was removed; run \`npm run journal -- verify\``);
      head = { seq: 0, mac: GENESIS, at: now().toISOString(), size: 0, keyId: keyring.currentKeyId };
      await writeHead(io, dir, keyring, head, syncs);
    }
    if (size < head.size) {
      throw new AuditTrailError(`${LOG_FOLDER}/${LOG_FILE} is ${size} bytes but its head records ${head.size} (line ${head.seq}): lines were cut off the end; run \`npm run journal -- verify\``);
    }
    await checkHeadLine(dir, keyring, head);

    // Past the head: what a crash left. Complete, authenticated lines are kept; the rest is cut.
    const recovery: string[] = [];
    let rolled = 0;
    let tail = head;
    for await (const raw of rawLines(logPath(dir), head.size)) {
      const checked = checkLine(keyring, raw, tail.seq + 1, tail.mac);
      if ("problem" in checked) break;
      // A line whose records never reached the disk was never acknowledged: it is cut, with all after it.
      if (options.recordsPresent && !(await options.recordsPresent(checked.line))) break;
      rolled++;
      tail = { seq: checked.line.seq, mac: checked.line.mac, at: now().toISOString(), size: raw.end, keyId: keyring.currentKeyId };
    }
    const log = await io.open(logPath(dir), constants.O_CREAT | constants.O_RDWR, 0o600);
    try {
      if (size > tail.size) {
        await io.truncate(log, tail.size);
        await io.datasync(log);
        recovery.push(`cut ${size - tail.size} bytes after audit line ${tail.seq}: a torn write, or lines whose records never reached the disk; none was acknowledged`);
      }
      if (rolled > 0) recovery.unshift(`rolled forward ${rolled} complete audit line${rolled === 1 ? "" : "s"} past the head (lines ${head.seq + 1}-${tail.seq})`);
      if (tail !== head) {
        head = { ...tail, keyId: keyring.currentKeyId };
        await writeHead(io, dir, keyring, head, syncs);
      }
    } catch (err) {
      await log.close();
      throw err;
    }
    return new HashChainedAuditLog(dir, keyring, io, now, syncs, options.barrier ?? (async () => undefined), head, log, recovery);
  }

  /** The trail's authenticated end as of the last append. */
  get currentHead(): AuditHead {
    return this.head;
  }

  /**
   * Resolves once the line, `together` (the staged writes the line records) and the head that covers
   * them are on disk. Lines that arrive during a flush are written and synced together (group commit),
   * and all the syncs of a batch run at once. On failure nothing of the batch stays.
   */
  append(event: AuditEvent, together?: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ event, together, resolve, reject });
      this.kick();
    });
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.log.close();
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.waiting.length > 0) this.kick();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting.splice(0);
    let next = this.head;
    const lines: string[] = [];
    for (const { event } of batch) {
      const body: Omit<AuditLine, "mac"> = { seq: next.seq + 1, ...event, keyId: this.keyring.currentKeyId, prev: next.mac };
      const line: AuditLine = { ...body, mac: lineMac(this.keyring, body) };
      const text = JSON.stringify(line) + "\n";
      lines.push(text);
      next = { seq: line.seq, mac: line.mac, at: this.now().toISOString(), size: next.size + Buffer.byteLength(text), keyId: this.keyring.currentKeyId };
    }
    try {
      // Everything the head will vouch for, synced at once: the records' bytes and names, the lines, the next head.
      // All settle before anything is undone: a write still running must not land after the cut below.
      const synced = await Promise.allSettled([
        ...batch.map((waiting) => waiting.together),
        this.barrier(),
        writeAll(this.io, this.log, Buffer.from(lines.join("")), this.head.size).then(() => this.io.datasync(this.log)),
        writeHeadTemp(this.io, this.dir, this.keyring, next),
      ]);
      const failed = synced.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed) throw failed.reason;
      await putHead(this.io, this.dir, this.syncs);
      this.head = next;
      for (const waiting of batch) waiting.resolve();
    } catch (err) {
      // Back to the last good byte, so the next batch continues a whole chain. Should the cut
      // fail too, the next batch overwrites from that byte, and a restart cuts what is past it.
      await this.io.truncate(this.log, this.head.size).catch(() => undefined);
      for (const waiting of batch) waiting.reject(err);
    }
  }
}

/** Refuses a log whose line at the head's offset is not the line the head records. */
async function checkHeadLine(dir: string, keyring: Keyring, head: AuditHead): Promise<void> {
  if (head.seq === 0) {
    if (head.size !== 0 || head.mac !== GENESIS) throw new AuditTrailError(`${HEAD_FILE} records no lines but a size or MAC: it was altered`);
    return;
  }
  const file = await open(logPath(dir), "r");
  try {
    // The head's line ends at head.size; read back far enough to find its start.
    const window = Math.min(head.size, 64 * 1024);
    const bytes = Buffer.alloc(window);
    await file.read(bytes, 0, window, head.size - window);
    const body = bytes.subarray(0, window - 1);
    const text = body.subarray(body.lastIndexOf(0x0a) + 1).toString("utf8");
    let line: Partial<AuditLine> | undefined;
    try {
      line = JSON.parse(text) as AuditLine;
    } catch {
      line = undefined;
    }
    if (bytes[window - 1] !== 0x0a || line?.seq !== head.seq || line.mac !== head.mac) {
      throw new AuditTrailError(`${LOG_FOLDER}/${LOG_FILE} does not hold line ${head.seq} where its head records it: the log was altered; run \`npm run journal -- verify\``);
    }
  } finally {
    await file.close();
  }
}

export interface TrailVerdict {
  readonly ok: boolean;
  /** Lines that verified, in order. */
  readonly count: number;
  readonly head?: AuditHead;
  readonly firstBad?: { readonly seq: number; readonly reason: string };
  /** What is not a fault: lines past the head, a torn tail. A running writer or a crash leaves them; the next start settles them. */
  readonly notes: readonly string[];
}

export interface VerifyTrailOptions {
  /** Called for each line that verified, in order. */
  readonly onLine?: (line: AuditLine) => void;
  /** An anchor recorded earlier (`journal head`): the trail must still hold that line, unaltered. */
  readonly expectHead?: { readonly seq: number; readonly mac: string };
}

/** Walks the whole trail without writing anything; names the first line that is not what was written. */
export async function verifyAuditTrail(dir: string, keyring: Keyring, options: VerifyTrailOptions = {}): Promise<TrailVerdict> {
  const bad = (count: number, seq: number, reason: string, head?: AuditHead): TrailVerdict => ({ ok: false, count, firstBad: { seq, reason }, notes: [], ...(head ? { head } : {}) });
  let head: AuditHead | undefined;
  try {
    head = await readHead(dir, keyring);
  } catch (err) {
    return bad(0, 0, err instanceof Error ? err.message : String(err));
  }
  if (!head) return bad(0, 0, `${HEAD_FILE} is missing: the audit trail's authenticated end was removed (every archive has one from its first start)`);

  let seq = 0;
  let prev = GENESIS;
  let end = 0;
  let expectedSeen = false;
  const notes: string[] = [];
  let torn: { seq: number; reason: string; start: number } | undefined;
  for await (const raw of rawLines(logPath(dir))) {
    if (torn) return bad(seq, torn.seq, torn.reason, head);
    const checked = checkLine(keyring, raw, seq + 1, prev);
    if ("problem" in checked) {
      // A bad line at the very end, past the head, is what a crash mid-write leaves.
      torn = { seq: seq + 1, reason: checked.problem, start: raw.start };
      continue;
    }
    seq = checked.line.seq;
    prev = checked.line.mac;
    end = raw.end;
    if (seq === head.seq && (prev !== head.mac || end !== head.size)) {
      return bad(seq - 1, seq, `line ${seq} is not the line the head records (MAC or byte offset differ): the log was altered or replaced`, head);
    }
    if (options.expectHead && seq === options.expectHead.seq) {
      if (prev !== options.expectHead.mac) return bad(seq - 1, seq, `line ${seq} is not the line the recorded anchor names: the trail was rewritten since the anchor was taken`, head);
      expectedSeen = true;
    }
    options.onLine?.(checked.line);
  }
  if (torn) {
    if (torn.start < head.size) return bad(seq, torn.seq, torn.reason, head);
    notes.push(`a torn or unauthenticated tail after line ${seq} (a crash during a write); the next start cuts it`);
  }
  if (seq < head.seq) {
    return bad(seq, seq + 1, `the head records ${head.seq} lines (${head.size} bytes) but the log holds ${seq} verified lines (${end} bytes): lines were cut off the end or the log was replaced`, head);
  }
  if (seq > head.seq) notes.push(`${seq - head.seq} authenticated line(s) past the head (a writer is running, or a crash came before the head was updated); the next start rolls them forward`);
  if (options.expectHead && !expectedSeen) {
    return bad(seq, options.expectHead.seq, `the recorded anchor names line ${options.expectHead.seq}, but the trail ends at line ${seq}: lines were cut off since the anchor was taken`, head);
  }
  return { ok: true, count: seq, head, notes };
}

/** Every complete line of the trail, parsed but not verified: for recovery, after `open` has checked the head. */
export async function* auditLines(dir: string): AsyncGenerator<AuditLine> {
  for await (const raw of rawLines(logPath(dir))) {
    if (!raw.complete) return;
    try {
      yield JSON.parse(raw.text) as AuditLine;
    } catch {
      return;
    }
  }
}
