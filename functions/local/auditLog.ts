// The local audit trail: append-only JSON lines, each MAC'd over the previous line's
// MAC and its own content, so an edit, insertion, reordering or removal breaks the
// chain, and without the key nobody can rewrite it. The head file names the last line,
// so cutting lines off the end is detected too.
import { createHmac } from "node:crypto";
import { mkdir, open, readFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { AuditSink } from "../core/audit";
import type { AuditEvent } from "../core/types";
import type { Keyring } from "./keys";

const GENESIS = "0".repeat(64);
const HEAD_WIDTH = 128;

interface AuditLine extends AuditEvent {
  readonly seq: number;
  readonly keyId: string;
  readonly prev: string;
  readonly mac: string;
}

interface Head {
  readonly seq: number;
  readonly mac: string;
}

export interface AuditVerdict {
  readonly ok: boolean;
  readonly count: number;
  readonly firstBad?: { readonly seq: number; readonly reason: string };
}

function macOf(keyring: Keyring, line: Omit<AuditLine, "mac">): string {
  return createHmac("sha256", keyring.auditKey(line.keyId)).update(line.prev).update(JSON.stringify(line)).digest("hex");
}

interface Waiting {
  readonly event: AuditEvent;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class HashChainedAuditLog implements AuditSink {
  private waiting: Waiting[] = [];
  private flushing?: Promise<void>;

  private constructor(
    private readonly keyring: Keyring,
    private head: Head,
    private readonly log: FileHandle,
    private readonly headFile: FileHandle,
  ) {}

  /** Opens the log in `<dir>/audit`, continuing its chain. Refuses a log whose end does not match its head. */
  static async open(dir: string, keyring: Keyring): Promise<HashChainedAuditLog> {
    const folder = join(dir, "audit");
    await mkdir(folder, { recursive: true });
    const head = await readHead(folder);
    const lines = await readLines(folder);
    const last = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]) as AuditLine) : undefined;
    if ((last?.seq ?? 0) !== head.seq || (last?.mac ?? GENESIS) !== head.mac) {
      throw new Error(`audit log in ${folder} does not end where its head says (line ${head.seq}); run \`npm run journal -- verify\``);
    }
    return new HashChainedAuditLog(keyring, head, await open(join(folder, "audit.log"), "a"), await open(join(folder, "audit.head"), "a+"));
  }

  /** Resolves once the line is on disk. Lines that arrive during a flush are written and synced together (group commit). */
  append(event: AuditEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ event, resolve, reject });
      this.kick();
    });
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.log.close();
    await this.headFile.close();
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
    let head = this.head;
    const lines: string[] = [];
    for (const { event } of batch) {
      const body: Omit<AuditLine, "mac"> = { seq: head.seq + 1, ...event, keyId: this.keyring.currentKeyId, prev: head.mac };
      const line: AuditLine = { ...body, mac: macOf(this.keyring, body) };
      lines.push(JSON.stringify(line) + "\n");
      head = { seq: line.seq, mac: line.mac };
    }
    try {
      await this.log.write(lines.join(""));
      await this.log.datasync();
      // Rewritten in place at a fixed width, so each update is one small write.
      await this.headFile.truncate(0);
      await this.headFile.write(JSON.stringify(head).padEnd(HEAD_WIDTH), 0);
      this.head = head;
      for (const waiting of batch) waiting.resolve();
    } catch (err) {
      // Nothing is acknowledged; a half-written batch leaves the log and its head disagreeing, which open() and verify refuse.
      for (const waiting of batch) waiting.reject(err);
    }
  }
}

/** Walks the whole chain; names the first line that is not what was written. */
export async function verifyAuditLog(dir: string, keyring: Keyring, onLine?: (seq: number) => void): Promise<AuditVerdict> {
  const folder = join(dir, "audit");
  const lines = await readLines(folder);
  let prev = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const expectedSeq = i + 1;
    let line: AuditLine;
    try {
      line = JSON.parse(lines[i]) as AuditLine;
    } catch {
      return { ok: false, count: i, firstBad: { seq: expectedSeq, reason: "line is not valid JSON" } };
    }
    const { mac, ...body } = line;
    if (line.seq !== expectedSeq) return { ok: false, count: i, firstBad: { seq: expectedSeq, reason: `found seq ${line.seq}: a line was removed, inserted or reordered` } };
    if (line.prev !== prev) return { ok: false, count: i, firstBad: { seq: expectedSeq, reason: "does not chain to the line before it" } };
    let expectedMac: string;
    try {
      expectedMac = macOf(keyring, body);
    } catch (err) {
      return { ok: false, count: i, firstBad: { seq: expectedSeq, reason: err instanceof Error ? err.message : String(err) } };
    }
    if (expectedMac !== mac) return { ok: false, count: i, firstBad: { seq: expectedSeq, reason: "MAC does not match: the line was altered" } };
    prev = mac;
    onLine?.(expectedSeq);
  }
  const head = await readHead(folder);
  if (head.seq !== lines.length || head.mac !== prev) {
    return { ok: false, count: lines.length, firstBad: { seq: lines.length + 1, reason: `the head records ${head.seq} lines but the log ends at ${lines.length}: lines were cut off the end` } };
  }
  return { ok: true, count: lines.length };
}

async function readLines(folder: string): Promise<string[]> {
  const text = await readFile(join(folder, "audit.log"), "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return "";
    throw err;
  });
  return text.split("\n").filter((line) => line.length > 0);
}

async function readHead(folder: string): Promise<Head> {
  const text = await readFile(join(folder, "audit.head"), "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  return text?.trim() ? (JSON.parse(text) as Head) : { seq: 0, mac: GENESIS };
}
