// One writer per archive. The writer holds a listening socket whose name is derived from the
// archive folder: the kernel lets only one process listen on it and frees it when that process
// dies, however it dies, so there is no stale lock to clean up. On Linux the socket is in the
// abstract namespace (no file); elsewhere it is `<dir>/writer.sock`, guarded by the folder's 0700.
//
// A second process finds the writer through the same name. It learns the writer's pid, and,
// holding the archive's keys, may ask it to append an audit line (an export from another
// terminal), so the trail keeps one writer. Each request carries a MAC under the archive's audit
// key over a nonce the writer just issued: nobody without the keys can write through it.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { realpathSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { createConnection, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { AuditSink } from "../core/audit";
import type { AuditEvent } from "../core/types";
import type { Keyring } from "./keys";

const HELLO_TIMEOUT_MS = 3000;

/** Another process holds the archive for writing. */
export class ArchiveBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | undefined,
  ) {
    super(
      pid === undefined
        ? `the archive in ${dir} is held for writing by another process that does not answer; stop it (see \`ps\`) and try again`
        : `the archive in ${dir} is already open for writing by process ${pid}; stop it, or use it (HTTP, or the journal commands, which go through it)`,
    );
    this.name = "ArchiveBusyError";
  }
}

function socketName(dir: string): string {
  const real = realpathSync(dir);
  if (process.platform === "linux") return `\0email-journal-writer-${createHash("sha256").update(real).digest("hex").slice(0, 40)}`;
  if (process.platform === "win32") return `\\\\.\\pipe\\email-journal-writer-${createHash("sha256").update(real).digest("hex").slice(0, 40)}`;
  return join(real, "writer.sock");
}

const usesSocketFile = () => process.platform !== "linux" && process.platform !== "win32";

function requestMac(keyring: Keyring, keyId: string, nonce: string, event: AuditEvent): string {
  return createHmac("sha256", keyring.auditKey(keyId)).update(`journal-writer\n${nonce}\n${JSON.stringify(event)}`).digest("hex");
}

export interface WriterLock {
  /** Starts answering other processes: their appends go to `audit`, after their MAC is checked. */
  serve(audit: AuditSink, keyring: Keyring): void;
  release(): Promise<void>;
}

/** Takes the archive's write lock, or throws ArchiveBusyError naming the holder. */
export async function claimWriter(dir: string): Promise<WriterLock> {
  const name = socketName(dir);
  let handler: ((socket: Socket) => void) | undefined;
  const server = createServer((socket) => (handler ? handler(socket) : socket.end(`${JSON.stringify({ pid: process.pid, nonce: "", starting: true })}\n`)));
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(name, () => {
        server.off("error", reject);
        resolve();
      });
    });
  try {
    await listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    const holder = await hello(name);
    if (holder || !usesSocketFile()) throw new ArchiveBusyError(dir, holder?.pid);
    // A socket file nobody listens on: its writer died. Remove it and claim the lock.
    await unlink(name).catch(() => undefined);
    await listen().catch((again: NodeJS.ErrnoException) => {
      throw again.code === "EADDRINUSE" ? new ArchiveBusyError(dir, undefined) : again;
    });
  }
  server.unref();
  return {
    serve(audit, keyring) {
      handler = (socket) => answer(socket, audit, keyring);
    },
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Serves one connection: a nonce per request; an append whose MAC verifies is written. */
function answer(socket: Socket, audit: AuditSink, keyring: Keyring): void {
  let nonce = randomBytes(16).toString("hex");
  const reply = (body: object) => socket.write(`${JSON.stringify({ ...body, pid: process.pid, nonce })}\n`);
  socket.on("error", () => socket.destroy());
  reply({});
  const lines = createInterface({ input: socket });
  lines.on("error", () => socket.destroy());
  lines.on("line", (text) => {
    let request: { event?: AuditEvent; keyId?: string; mac?: string };
    try {
      request = JSON.parse(text) as typeof request;
    } catch {
      socket.destroy();
      return;
    }
    const issued = nonce;
    nonce = randomBytes(16).toString("hex");
    const { event, keyId, mac } = request;
    let valid = false;
    try {
      valid = event !== undefined && typeof keyId === "string" && typeof mac === "string" && keyring.has(keyId) && timingSafeEqual(Buffer.from(requestMac(keyring, keyId, issued, event), "hex"), Buffer.from(mac, "hex"));
    } catch {
      valid = false;
    }
    if (!valid) {
      reply({ error: "request not authenticated under this archive's keys" });
      return;
    }
    audit.append(event!).then(
      () => reply({ ok: true }),
      (err: unknown) => reply({ error: `the audit line could not be written: ${err instanceof Error ? err.message : String(err)}` }),
    );
  });
}

interface Hello {
  readonly pid: number;
  readonly nonce: string;
}

/** Asks whoever holds the name who they are; undefined when nobody answers. */
async function hello(name: string): Promise<Hello | undefined> {
  const session = await connect(name);
  if (!session) return undefined;
  session.close();
  return session.greeting;
}

interface Session {
  readonly greeting: Hello;
  next(): Promise<Record<string, unknown> | undefined>;
  send(line: object): void;
  close(): void;
}

function connect(name: string): Promise<Session | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(name);
    const pending: Array<(value: Record<string, unknown> | undefined) => void> = [];
    const lines = createInterface({ input: socket });
    // Nobody listening (ECONNREFUSED, ENOENT) is an answer: no writer runs. The socket's close handler settles it.
    lines.on("error", () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(undefined);
    }, HELLO_TIMEOUT_MS);
    let greeted = false;
    lines.on("line", (text) => {
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
      if (!greeted) {
        greeted = true;
        clearTimeout(timer);
        if (!parsed || typeof parsed.pid !== "number") {
          socket.destroy();
          return resolve(undefined);
        }
        return resolve({
          greeting: parsed as unknown as Hello,
          next: () => new Promise((done) => pending.push(done)),
          send: (line) => socket.write(`${JSON.stringify(line)}\n`),
          close: () => socket.end(),
        });
      }
      pending.shift()?.(parsed);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      for (const done of pending.splice(0)) done(undefined);
      if (!greeted) resolve(undefined);
    });
    socket.on("error", () => undefined);
  });
}

/** The running writer as an audit sink for this process, or undefined when no writer runs. */
export async function writerClient(dir: string, keyring: Keyring): Promise<(AuditSink & { readonly pid: number; close(): void }) | undefined> {
  const session = await connect(socketName(dir));
  if (!session) return undefined;
  let nonce = session.greeting.nonce;
  if (!nonce) {
    session.close();
    throw new ArchiveBusyError(dir, session.greeting.pid);
  }
  let chain = Promise.resolve();
  return {
    pid: session.greeting.pid,
    close: () => session.close(),
    append(event) {
      const sent = chain.then(async () => {
        const keyId = keyring.currentKeyId;
        session.send({ event, keyId, mac: requestMac(keyring, keyId, nonce, event) });
        const answer = await session.next();
        if (!answer) throw new Error(`the archive's writer (process ${session.greeting.pid}) closed the connection`);
        nonce = String(answer.nonce ?? "");
        if (answer.ok !== true) throw new Error(`the archive's writer (process ${session.greeting.pid}) refused: ${String(answer.error)}`);
      });
      chain = sent.catch(() => undefined);
      return sent;
    },
  };
}
