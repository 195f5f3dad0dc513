// npm run bench -- --smtp-memory [--json]
// The SMTP intake under load from many senders: 16 clients each send a 120 MiB message at once,
// over STARTTLS (self-signed), to a local archive served by a child process built from the same
// library calls as `npm start`. Prints the server's peak RSS (VmHWM), how many messages were
// accepted, deferred (451/421) and retried, and the time. Target: peak RSS under 1.5 GiB.
// The limits are the defaults; JOURNAL_MAX_CONCURRENT_TRANSFERS, JOURNAL_MAX_CONCURRENT_INGESTS and
// JOURNAL_SMTP_MAX_CLIENTS in the environment change them, as they would for `npm start`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import nodemailer from "nodemailer";
import { largeMessage } from "./generate";

const MiB = 1024 * 1024;
const SENDERS = 16;
const MESSAGE_BYTES = 120 * MiB;
const TARGET_PEAK_BYTES = 1.5 * 1024 * MiB;
const MAX_ATTEMPTS = 60;
const JOURNAL = "journal@localhost";

export interface SmtpMemoryResult {
  readonly senders: number;
  readonly messageMiB: number;
  readonly accepted: number;
  /** What the archive answered for the accepted messages (archived, duplicate, quarantined). */
  readonly statuses: Record<string, number>;
  readonly failed: number;
  /** Answers that told a sender to come back later, by reply code. */
  readonly deferred: Record<string, number>;
  /** Attempts after the first, over all senders. */
  readonly retries: number;
  readonly seconds: number;
  readonly readyRssMiB: number;
  readonly peakRssMiB: number;
  readonly targetPeakRssMiB: number;
  readonly limits: { readonly maxClients: number; readonly maxConcurrentTransfers: number; readonly maxConcurrentIngests: number };
}

// ---- the server side, in its own process so that its memory is its own --------------------------

async function serve(dir: string): Promise<void> {
  const { jsonLogger } = await import("../functions/core/log");
  const { createPipeline } = await import("../functions/core/pipeline");
  const { openLocalArchive } = await import("../functions/local/archive");
  const { createIntakeGate, removeOrphanedSpool } = await import("../functions/local/intakeGate");
  const { readLocalSettings } = await import("../functions/local/settings");
  const { startSmtpIntake } = await import("../functions/local/smtp");
  const { loadOrCreateCertificate } = await import("../functions/local/tls");

  // Loopback, TLS required, the benchmark client allow-listed: a trusted MTA, as in production.
  const settings = readLocalSettings({ ...process.env, JOURNAL_DIR: dir, JOURNAL_SMTP_PORT: "0", JOURNAL_HTTP_PORT: "0", JOURNAL_SMTP_REQUIRE_TLS: "true", JOURNAL_SMTP_ALLOW: "127.0.0.1", JOURNAL_ADDRESSES: JOURNAL });
  const logger = jsonLogger((line) => process.stderr.write(line), "error");
  const archive = await openLocalArchive({ dir, masterKey: settings.masterKey });
  const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: settings.retentionDays, maxMessageBytes: settings.maxMessageBytes, logger });
  const spoolDir = join(dir, "spool");
  await removeOrphanedSpool(spoolDir);
  const gate = createIntakeGate({ spoolDir, ...settings.intake });
  const tls = await loadOrCreateCertificate(dir);
  const smtp = await startSmtpIntake({ pipeline, port: 0, host: settings.bind, maxMessageBytes: settings.maxMessageBytes, tls, logger, access: settings.smtp, maxClients: settings.smtp.maxClients, gate });
  process.stdout.write(JSON.stringify({ port: smtp.port, limits: { maxClients: settings.smtp.maxClients, ...settings.intake } }) + "\n");
  process.once("SIGTERM", () => {
    void smtp
      .close()
      .then(() => archive.close())
      .finally(() => process.exit(0));
  });
}

// ---- the driver ----------------------------------------------------------------------------------

/** Resident and peak resident set of a process, in bytes, from /proc (Linux). */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}

async function startServer(dir: string): Promise<{ child: ChildProcess; port: number; limits: SmtpMemoryResult["limits"] }> {
  const child = spawn(process.execPath, ["--import", "tsx", __filename, "--serve", dir], { stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the server exited with ${code} before it listened`)));
  });
  const { port, limits } = JSON.parse(first) as { port: number; limits: SmtpMemoryResult["limits"] };
  return { child, port, limits };
}

export async function runSmtpMemoryBench(json: boolean): Promise<SmtpMemoryResult> {
  if (process.platform !== "linux") throw new Error("--smtp-memory reads the server's peak RSS from /proc: run it on Linux");
  const dir = mkdtempSync(join(tmpdir(), "journal-smtp-bench-"));
  const { child, port, limits } = await startServer(dir);
  try {
    // One body shared by every sender; a header line of its own makes each message distinct.
    const body = largeMessage(MESSAGE_BYTES);
    const readyRss = memoryOf(child.pid!).rss;
    let sampledPeak = readyRss;
    const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, memoryOf(child.pid!).rss)), 100);

    const deferred: Record<string, number> = {};
    const statuses: Record<string, number> = {};
    let retries = 0;
    let failed = 0;
    const started = performance.now();
    const send = async (sender: number): Promise<boolean> => {
      const transport = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        if (attempt > 1) retries++;
        try {
          const raw = Readable.from([Buffer.from(`X-Bench-Sender: ${sender}\r\n`), body]);
          const info = await transport.sendMail({ envelope: { from: `mta-${sender}@example.com`, to: [JOURNAL] }, raw });
          const status = info.response.split(" ")[1] ?? "?";
          statuses[status] = (statuses[status] ?? 0) + 1;
          return true;
        } catch (err) {
          const code = (err as { responseCode?: number }).responseCode;
          // 4xx: come back later, as an MTA would (with a far shorter wait than an MTA's queue).
          if (code === undefined || code < 400 || code >= 500) {
            process.stderr.write(`sender ${sender}: ${(err as Error).message}\n`);
            return false;
          }
          deferred[code] = (deferred[code] ?? 0) + 1;
          await new Promise((resolve) => setTimeout(resolve, Math.min(500 * attempt, 3000)));
        }
      }
      return false;
    };
    const outcomes = await Promise.all(Array.from({ length: SENDERS }, (_, i) => send(i)));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    failed = outcomes.filter((ok) => !ok).length;
    const peak = Math.max(sampledPeak, memoryOf(child.pid!).hwm);

    const result: SmtpMemoryResult = {
      senders: SENDERS,
      messageMiB: Math.round((body.length / MiB) * 10) / 10,
      accepted: outcomes.length - failed,
      failed,
      statuses,
      deferred,
      retries,
      seconds: Math.round(seconds * 10) / 10,
      readyRssMiB: Math.round(readyRss / MiB),
      peakRssMiB: Math.round(peak / MiB),
      targetPeakRssMiB: TARGET_PEAK_BYTES / MiB,
      limits,
    };
    if (json) process.stdout.write(JSON.stringify({ smtpMemory: result }) + "\n");
    else {
      const deferrals = Object.entries(deferred).map(([code, n]) => `${n} × ${code}`).join(", ") || "none";
      console.log(`smtp memory: ${SENDERS} senders at once, ${result.messageMiB} MiB each, STARTTLS`);
      console.log(`  accepted ${result.accepted} (${Object.entries(statuses).map(([s, n]) => `${n} ${s}`).join(", ")}), failed ${failed}; deferred: ${deferrals}; retries ${retries}; ${result.seconds} s`);
      console.log(`  server RSS: ready ${result.readyRssMiB} MiB, peak ${result.peakRssMiB} MiB (target < ${result.targetPeakRssMiB} MiB)`);
      console.log(`  limits: ${limits.maxClients} clients, ${limits.maxConcurrentTransfers} transfers, ${limits.maxConcurrentIngests} ingests`);
    }
    return result;
  } finally {
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      if (!child.kill("SIGTERM")) resolve();
    });
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === "--serve") {
  serve(process.argv[3]).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
