// The local intakes' limiter and spool, shared by SMTP and HTTP so that one process has one budget.
//
// - A *transfer* is one delivery in flight, from its first byte until the archive has answered.
//   At most `maxConcurrentTransfers` at once; `tryBeginTransfer()` says no rather than queueing,
//   and the intake answers "try again later" (SMTP 451, HTTP 503) so the sender keeps the message.
// - A body is held in memory up to `spoolThresholdBytes`; past that it goes to a file in
//   `spoolDir` (mode 0600, encrypted with a key that exists only in this process, so a crash
//   leaves nothing readable behind) and is read back only when its turn in the pipeline comes.
// - At most `maxConcurrentIngests` spooled (large) messages are in the pipeline at once, since the
//   pipeline takes the whole message as a Buffer. The others wait, up to `ingestWaitMs`, then "try
//   again later". Messages held in memory go straight in, so that those arriving together share the
//   archive's syncs (group commit); there are at most `maxConcurrentTransfers` of them.
//
// Memory therefore stays near transfers × threshold + ingests × (large message + pipeline working set),
// however many senders there are.
//
// Use from an intake:
//
//   const transfer = gate.tryBeginTransfer();
//   if (!transfer) return tryAgainLater();             // 451 / 503
//   try {
//     for await (const chunk of body) await transfer.write(chunk);
//   } catch (err) {
//     await transfer.discard();                        // removes the spool file, frees the slot
//     throw err;
//   }
//   const result = await transfer.ingest((bytes) => pipeline.ingest(bytes, context));
//   // ingest() always ends the transfer; IntakeBusyError from it means "try again later".
//
// Call `removeOrphanedSpool(spoolDir)` once at start, before any intake listens.
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM } from "node:crypto";
import { mkdir, open, readdir, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

export const DEFAULT_MAX_CONCURRENT_TRANSFERS = 8;
export const DEFAULT_MAX_CONCURRENT_INGESTS = 2;
export const DEFAULT_SPOOL_THRESHOLD_BYTES = 1024 * 1024;
/** Below the minutes an MTA waits for the answer to DATA (RFC 5321 section 4.5.3.2.6: 10 minutes). */
export const DEFAULT_INGEST_WAIT_MS = 2 * 60 * 1000;
const SPOOL_SUFFIX = ".spool";
const READ_CHUNK_BYTES = 1024 * 1024;

export interface IntakeGateOptions {
  /** Folder for spooled bodies, e.g. `<JOURNAL_DIR>/spool`; created (0700) on first use. */
  readonly spoolDir: string;
  /** Deliveries in flight at once (receiving, waiting or in the pipeline). Default 8. */
  readonly maxConcurrentTransfers?: number;
  /** Spooled (over `spoolThresholdBytes`) messages in the pipeline at once. Default 2; never more than the transfers. */
  readonly maxConcurrentIngests?: number;
  /** Bytes of one body held in memory before it moves to a spool file. Default 1 MiB. */
  readonly spoolThresholdBytes?: number;
  /** How long a received message waits for its turn in the pipeline before "try again later". */
  readonly ingestWaitMs?: number;
}

/** The gate is full: tell the sender to try again later (SMTP 451, HTTP 503). */
export class IntakeBusyError extends Error {}

/** How busy the gate is now; for logs, tests and the benchmark. */
export interface IntakeLoad {
  readonly transfers: number;
  readonly ingests: number;
  readonly waitingForIngest: number;
}

export interface IntakeGate {
  /** Claims a transfer slot, or returns undefined when all are taken (answer "try again later"). */
  tryBeginTransfer(): Transfer | undefined;
  readonly load: IntakeLoad;
}

/** One delivery in flight. Write its bytes in order, then either ingest() or discard() it. */
export interface Transfer {
  /** Bytes written so far. */
  readonly size: number;
  /** The spool file, once the body has passed the threshold; undefined while it is in memory. */
  readonly spoolFile: string | undefined;
  /** Appends the next chunk of the message. Await each write before the next. */
  write(chunk: Buffer): Promise<void>;
  /**
   * Waits for a pipeline slot, reads the whole message back and runs `run` on it. Always ends the
   * transfer: the spool file is removed and the slot freed whether `run` succeeds or fails.
   * Rejects with IntakeBusyError when no pipeline slot came free in time.
   */
  ingest<T>(run: (bytes: Buffer) => Promise<T>): Promise<T>;
  /** Abandons the delivery (size refused, client gone): removes the spool file, frees the slot. Idempotent. */
  discard(): Promise<void>;
}

/** A counting semaphore whose waiters are served in arrival order and may give up. */
class Slots {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  tryTake(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }

  /** Resolves true once a slot is taken, false when `timeoutMs` passed first. */
  take(timeoutMs: number): Promise<boolean> {
    if (this.tryTake()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const at = this.waiters.indexOf(grant);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(grant);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    // The slot passes straight to the next waiter, so nobody can overtake the queue.
    if (next) next();
    else this.used--;
  }
}

interface Spool {
  readonly path: string;
  readonly handle: FileHandle;
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly cipher: CipherGCM;
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let offset = 0; offset < data.length; ) offset += (await handle.write(data, offset, data.length - offset)).bytesWritten;
}

class GatedTransfer implements Transfer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private spool: Spool | undefined;
  /** Writes run one after another; discard() waits for the one in progress. */
  private writing: Promise<void> = Promise.resolve();
  private state: "open" | "ingesting" | "ended" = "open";

  constructor(
    private readonly gate: Gate,
    private readonly releaseTransfer: () => void,
  ) {}

  get size(): number {
    return this.bytes;
  }

  get spoolFile(): string | undefined {
    return this.spool?.path;
  }

  write(chunk: Buffer): Promise<void> {
    if (this.state !== "open") return Promise.reject(new Error("this delivery has already ended"));
    this.writing = this.writing.then(() => this.append(chunk));
    return this.writing;
  }

  async ingest<T>(run: (bytes: Buffer) => Promise<T>): Promise<T> {
    if (this.state !== "open") throw new Error("this delivery has already ended");
    this.state = "ingesting";
    try {
      await this.writing;
      // A message small enough to be held in memory goes straight in: they are few (one per transfer)
      // and small, and arriving together they share the archive's syncs. A spooled one waits its turn.
      const slot = this.spool !== undefined;
      if (slot && !(await this.gate.ingests.take(this.gate.ingestWaitMs))) {
        throw new IntakeBusyError(`no pipeline slot came free within ${this.gate.ingestWaitMs} ms`);
      }
      try {
        return await run(await this.readBack());
      } finally {
        if (slot) this.gate.ingests.release();
      }
    } finally {
      await this.end();
    }
  }

  async discard(): Promise<void> {
    // Once ingest() has begun it owns the clean-up.
    if (this.state === "open") await this.end();
  }

  private async append(chunk: Buffer): Promise<void> {
    if (this.state === "ended") throw new Error("this delivery has already ended");
    this.bytes += chunk.length;
    if (!this.spool && this.bytes <= this.gate.spoolThresholdBytes) {
      this.chunks.push(chunk);
      return;
    }
    if (!this.spool) {
      this.spool = await this.gate.openSpoolFile();
      const held = Buffer.concat(this.chunks);
      this.chunks = [];
      await writeAll(this.spool.handle, this.spool.cipher.update(held));
    }
    await writeAll(this.spool.handle, this.spool.cipher.update(chunk));
  }

  /** The whole message: the chunks held in memory, or the spool file decrypted into one buffer. */
  private async readBack(): Promise<Buffer> {
    if (!this.spool) {
      const bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes);
      this.chunks = [];
      return bytes;
    }
    const { handle, key, iv, cipher } = this.spool;
    cipher.final();
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAuthTag(cipher.getAuthTag());
    if ((await handle.stat()).size !== this.bytes) throw new Error("spool file changed size during the delivery");
    const bytes = Buffer.allocUnsafe(this.bytes);
    const scratch = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, this.bytes));
    for (let position = 0; position < this.bytes; ) {
      const { bytesRead } = await handle.read(scratch, 0, Math.min(scratch.length, this.bytes - position), position);
      if (bytesRead === 0) throw new Error("spool file ended early");
      decipher.update(scratch.subarray(0, bytesRead)).copy(bytes, position);
      position += bytesRead;
    }
    try {
      decipher.final();
    } catch {
      throw new Error("spool file was altered during the delivery");
    }
    return bytes;
  }

  private async end(): Promise<void> {
    if (this.state === "ended") return;
    this.state = "ended";
    this.chunks = [];
    try {
      await this.writing.catch(() => undefined);
      await this.removeSpool();
    } finally {
      this.releaseTransfer();
    }
  }

  private async removeSpool(): Promise<void> {
    const spool = this.spool;
    if (!spool) return;
    this.spool = undefined;
    await spool.handle.close().catch(() => undefined);
    await rm(spool.path, { force: true });
  }
}

class Gate implements IntakeGate {
  readonly transfers: Slots;
  readonly ingests: Slots;
  readonly spoolThresholdBytes: number;
  readonly ingestWaitMs: number;
  private folder: Promise<void> | undefined;

  constructor(private readonly options: IntakeGateOptions) {
    const transfers = options.maxConcurrentTransfers ?? DEFAULT_MAX_CONCURRENT_TRANSFERS;
    const ingests = Math.min(options.maxConcurrentIngests ?? DEFAULT_MAX_CONCURRENT_INGESTS, transfers);
    for (const [name, value] of Object.entries({ maxConcurrentTransfers: transfers, maxConcurrentIngests: ingests })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1, got ${value}`);
    }
    this.transfers = new Slots(transfers);
    this.ingests = new Slots(ingests);
    this.spoolThresholdBytes = options.spoolThresholdBytes ?? DEFAULT_SPOOL_THRESHOLD_BYTES;
    this.ingestWaitMs = options.ingestWaitMs ?? DEFAULT_INGEST_WAIT_MS;
  }

  get load(): IntakeLoad {
    return { transfers: this.transfers.inUse, ingests: this.ingests.inUse, waitingForIngest: this.ingests.waiting };
  }

  tryBeginTransfer(): Transfer | undefined {
    if (!this.transfers.tryTake()) return undefined;
    let released = false;
    return new GatedTransfer(this, () => {
      if (released) return;
      released = true;
      this.transfers.release();
    });
  }

  async openSpoolFile(): Promise<Spool> {
    this.folder ??= mkdir(this.options.spoolDir, { recursive: true, mode: 0o700 }).then(() => undefined);
    await this.folder;
    const path = join(this.options.spoolDir, randomBytes(16).toString("hex") + SPOOL_SUFFIX);
    // wx+: created here and now (never an existing file or link), readable back through the same handle.
    const handle = await open(path, "wx+", 0o600);
    const key = randomBytes(32);
    const iv = randomBytes(12);
    return { path, handle, key, iv, cipher: createCipheriv("aes-256-gcm", key, iv) };
  }
}

export function createIntakeGate(options: IntakeGateOptions): IntakeGate {
  return new Gate(options);
}

/**
 * Removes the spool files a previous run left behind (a crash mid-delivery). Their keys died with
 * that process, so they cannot be read; the senders were never told 250 and will retry. Call once
 * at start, before any intake listens. Returns how many were removed.
 */
export async function removeOrphanedSpool(spoolDir: string): Promise<number> {
  const names = await readdir(spoolDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [] as string[];
    throw err;
  });
  const orphans = names.filter((name) => name.endsWith(SPOOL_SUFFIX));
  await Promise.all(orphans.map((name) => rm(join(spoolDir, name), { force: true })));
  return orphans.length;
}
