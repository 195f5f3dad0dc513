// What the SMTP intake tests share: a real local archive in a temp folder, the real intake on
// 127.0.0.1, a nodemailer client, and a raw line-level client for what nodemailer hides.
import { mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import nodemailer from "nodemailer";
import type { SMTPTransportOptions } from "nodemailer/lib/smtp-transport";
import { jsonLogger, type Logger } from "../../../functions/core/log";
import { createPipeline, type Pipeline } from "../../../functions/core/pipeline";
import type { IntakeContext, MessageMetadata } from "../../../functions/core/types";
import { openLocalArchive, type LocalArchive } from "../../../functions/local/archive";
import { createIntakeGate, type IntakeGate, type IntakeGateOptions } from "../../../functions/local/intakeGate";
import { startSmtpIntake, type RunningServer, type SmtpAccess } from "../../../functions/local/smtp";
import { loadOrCreateCertificate } from "../../../functions/local/tls";

export const LIMIT = 1024 * 1024;
export const JOURNAL = "journal@archive.example.com";

export interface Harness {
  readonly dir: string;
  readonly archive: LocalArchive;
  /** The real pipeline; every context it was given is in `contexts`. */
  readonly pipeline: Pipeline;
  readonly contexts: IntakeContext[];
  /** Every operational log line the intake wrote. */
  readonly logs: string[];
  readonly logger: Logger;
  start(options?: IntakeOverrides): Promise<Intake>;
  metaFor(sha256: string): Promise<MessageMetadata>;
  close(): Promise<void>;
}

export interface IntakeOverrides {
  readonly access?: Partial<SmtpAccess>;
  readonly gate?: Partial<Omit<IntakeGateOptions, "spoolDir">>;
  readonly maxClients?: number;
  /** Stands in front of the real pipeline, e.g. to hold a message in it. */
  readonly pipeline?: (real: Pipeline) => Pipeline;
}

export interface Intake {
  readonly port: number;
  readonly gate: IntakeGate;
  readonly spoolDir: string;
  transport(options?: SMTPTransportOptions): SmtpTransport;
}

/** A client as a journaling MTA uses it: STARTTLS required, self-signed certificate accepted. */
function smtpTransport(port: number, options: SMTPTransportOptions = {}) {
  return nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, ...options });
}
export type SmtpTransport = ReturnType<typeof smtpTransport>;

export async function harness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "journal-smtp-"));
  const archive = await openLocalArchive({ dir });
  const real = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30, maxMessageBytes: LIMIT });
  const contexts: IntakeContext[] = [];
  const pipeline: Pipeline = {
    ingest: (input, context) => {
      contexts.push(context);
      return real.ingest(input, context);
    },
  };
  const logs: string[] = [];
  const logger = jsonLogger((line) => logs.push(line), "debug");
  const servers: RunningServer[] = [];
  const tls = await loadOrCreateCertificate(dir);

  return {
    dir,
    archive,
    pipeline,
    contexts,
    logs,
    logger,
    async start(overrides = {}) {
      const spoolDir = join(dir, "spool");
      const gate = createIntakeGate({ spoolDir, ...overrides.gate });
      const access: SmtpAccess = { requireTls: true, allow: [], journalAddresses: [JOURNAL], ...overrides.access };
      const server = await startSmtpIntake({
        pipeline: overrides.pipeline ? overrides.pipeline(pipeline) : pipeline,
        port: 0,
        host: "127.0.0.1",
        maxMessageBytes: LIMIT,
        tls,
        logger,
        access,
        gate,
        ...(overrides.maxClients ? { maxClients: overrides.maxClients } : {}),
      });
      servers.push(server);
      return {
        port: server.port,
        gate,
        spoolDir,
        transport: (options) => smtpTransport(server.port, options),
      };
    },
    async metaFor(sha256) {
      const key = (await archive.store.keys("meta/")).find((k) => k.includes(sha256));
      if (!key) throw new Error(`no sidecar for ${sha256}`);
      return JSON.parse((await archive.store.get(key))!.toString("utf8")) as MessageMetadata;
    },
    async close() {
      // A client a failed test left open would hold the server's close for its 30 s grace.
      for (const client of RawSmtp.opened) client.destroy();
      RawSmtp.opened.clear();
      await Promise.all(servers.map((s) => s.close()));
      await archive.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  readonly code: number;
  readonly lines: readonly string[];
  readonly text: string;
}

/** A line-level SMTP client: sends exactly what a test says and returns each reply. */
export class RawSmtp {
  static readonly opened = new Set<RawSmtp>();
  private buffer = "";
  private readonly replies: Reply[] = [];
  private readonly waiting: Array<(reply: Reply) => void> = [];
  private closed = false;

  private constructor(private socket: Socket) {
    this.listen(socket);
  }

  /** Connects and returns the client with the greeting already read. */
  static async open(port: number): Promise<{ client: RawSmtp; greeting: Reply }> {
    const socket = netConnect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const client = new RawSmtp(socket);
    RawSmtp.opened.add(client);
    return { client, greeting: await client.next() };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private listen(socket: Socket): void {
    socket.on("data", (data: Buffer) => {
      this.buffer += data.toString("latin1");
      const lines: string[] = [];
      let end: number;
      while ((end = this.buffer.indexOf("\r\n")) >= 0) {
        lines.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
      }
      this.take(lines);
    });
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => (this.closed = true));
  }

  private pending: string[] = [];
  private take(lines: string[]): void {
    for (const line of lines) {
      this.pending.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), lines: this.pending, text: this.pending.join("\n") };
        this.pending = [];
        const waiter = this.waiting.shift();
        if (waiter) waiter(reply);
        else this.replies.push(reply);
      }
    }
  }

  next(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  send(line: string): Promise<Reply> {
    this.socket.write(line + "\r\n");
    return this.next();
  }

  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** STARTTLS, then the same client talks over the encrypted socket. */
  async startTls(): Promise<Reply> {
    const reply = await this.send("STARTTLS");
    if (reply.code !== 220) return reply;
    this.socket.removeAllListeners("data");
    const secure = tlsConnect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => secure.once("secureConnect", resolve).once("error", reject));
    this.socket = secure;
    this.listen(secure);
    return reply;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A pipeline that holds every message until `release()`; `entered` resolves when one arrives. */
export function holdingPipeline(): { wrap: (real: Pipeline) => Pipeline; entered: Promise<void>; release: () => void } {
  let release!: () => void;
  let arrived!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const entered = new Promise<void>((resolve) => (arrived = resolve));
  return {
    wrap: (real) => ({
      ingest: async (input, context) => {
        arrived();
        await gate;
        return real.ingest(input, context);
      },
    }),
    entered,
    release,
  };
}

export const plain = (credentials: { user: string; pass: string }) => Buffer.from(`\0${credentials.user}\0${credentials.pass}`).toString("base64");

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
