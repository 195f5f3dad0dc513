// Kills the archive at random under sustained HTTP and SMTP ingest, as a tester with `kill -9`
// would, and restarts it on the same folder, again and again. Senders behave as MTAs do: what
// was not acknowledged is sent again. Used by the crash suite (a short, seeded run) and by
// `npm run soak` (as long as you like).
import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import { startServer, type LocalServer } from "./localServer";
import { seeded } from "./seeded";

export interface CrashRunOptions {
  readonly dir: string;
  /** The messages to deliver, each at least once. */
  readonly messages: readonly Buffer[];
  readonly kills: number;
  readonly seed: number;
  /** Concurrent HTTP and SMTP senders. */
  readonly httpSenders: number;
  readonly smtpSenders: number;
  /** A kill comes this long after a (re)start, at random in the range. */
  readonly killAfterMs: readonly [number, number];
  readonly onRound?: (round: number, acknowledged: number) => void;
}

export interface CrashRunReport {
  readonly kills: number;
  /** Restarts that came up; every one must. */
  readonly restarts: number;
  /**
   * sha256 → the bytes an intake acknowledged (HTTP 200, SMTP 250), as the intake received them:
   * SMTP carries lines ending in CRLF, so a message with bare LFs arrives with CRLFs.
   */
  readonly acknowledged: ReadonlyMap<string, Buffer>;
  /** Hashes of messages acknowledged in a form the sender cannot reproduce (an SMTP client changed more than line ends): checked for presence, not bytes. */
  readonly acknowledgedAsStored: ReadonlySet<string>;
  readonly deliveries: number;
  readonly recoveries: number;
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

export async function runCrashes(options: CrashRunOptions): Promise<CrashRunReport> {
  const random = seeded(options.seed);
  const pending = [...options.messages];
  const acknowledged = new Map<string, Buffer>();
  const unseen = new Set<string>();
  const sent = new Set<Buffer>();
  let deliveries = 0;
  let restarts = 0;
  let recoveries = 0;

  for (let round = 0; round <= options.kills; round++) {
    const last = round === options.kills;
    const server = await startServer(options.dir);
    if (round > 0) restarts++;
    if (/recovered after an unclean stop/.test(server.log())) recoveries++;
    let stopping = false;
    const take = () => (stopping ? undefined : pending.shift());
    const settle = (raw: Buffer, received: Buffer | string | undefined) => {
      deliveries++;
      if (received === undefined) return void pending.push(raw);
      if (typeof received === "string") unseen.add(received);
      else acknowledged.set(sha(received), received);
      sent.add(raw);
    };
    const senders = [
      ...Array.from({ length: options.httpSenders }, () => httpSender(server, take, settle)),
      ...Array.from({ length: options.smtpSenders }, () => smtpSender(server, take, settle)),
    ];
    if (last) {
      // The last round lets every sender finish: all that was sent is acknowledged.
      await Promise.all(senders);
      server.process.kill("SIGTERM");
    } else {
      const [low, high] = options.killAfterMs;
      await new Promise((resolve) => setTimeout(resolve, low + random() * (high - low)));
      server.process.kill("SIGKILL");
      stopping = true;
      await Promise.allSettled(senders);
    }
    await server.exited;
    options.onRound?.(round, acknowledged.size);
    // A message acknowledged by an earlier round and sent again is still acknowledged.
    for (const raw of pending.splice(0)) if (!sent.has(raw)) pending.push(raw);
    if (last && pending.length > 0) throw new Error(`${pending.length} messages were never acknowledged`);
  }
  return { kills: options.kills, restarts, acknowledged, acknowledgedAsStored: unseen, deliveries, recoveries };
}

type Take = () => Buffer | undefined;
/** `received`: the bytes the intake acknowledged, or only their hash where the client changed them; undefined when it did not acknowledge. */
type Settle = (raw: Buffer, received: Buffer | string | undefined) => void;

/** What an SMTP server receives of a message: every line ending a CRLF. */
const overSmtp = (raw: Buffer) => Buffer.from(raw.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");

async function httpSender(server: LocalServer, take: Take, settle: Settle): Promise<void> {
  for (let raw = take(); raw; raw = take()) {
    const ok = await fetch(`http://127.0.0.1:${server.httpPort}/ingest`, { method: "POST", body: raw, headers: { authorization: `Bearer ${server.token}` } }).then(
      async (res) => res.status === 200 && ((await res.json()) as { sha256: string }).sha256 === sha(raw),
      () => false,
    );
    settle(raw, ok ? raw : undefined);
  }
}

async function smtpSender(server: LocalServer, take: Take, settle: Settle): Promise<void> {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: server.smtpPort, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, pool: true, maxConnections: 1 });
  for (let raw = take(); raw; raw = take()) {
    const received = overSmtp(raw);
    const answer = await transport.sendMail({ envelope: { from: "mta@example.com", to: ["journal@localhost"] }, raw }).then(
      (info) => String(info.response),
      () => "",
    );
    // 250 names the stored message's hash. It is the hash of `received` unless the SMTP client
    // changed more than line ends (a lone CR): then the archive holds what it was given, kept by its hash.
    const stored = /^250\b.*\b([0-9a-f]{64})\b/.exec(answer)?.[1];
    settle(raw, stored ? (stored === sha(received) ? received : stored) : undefined);
  }
  transport.close();
}
