// `npm start`: the whole archive on this machine, no cloud account needed.
import { join, resolve } from "node:path";
import { indexAsArchived } from "../auditor/local/liveIndex";
import { jsonLogger } from "../core/log";
import { createPipeline } from "../core/pipeline";
import { openLocalArchive } from "./archive";
import { startHttpIntake } from "./http";
import { createIntakeGate, removeOrphanedSpool } from "./intakeGate";
import { readLocalSettings } from "./settings";
import { startSmtpIntake } from "./smtp";
import { loadOrCreateCertificate } from "./tls";
import { loadOrCreateToken, tokenPath } from "./token";

async function main(): Promise<void> {
  const settings = readLocalSettings(process.env);
  const logger = jsonLogger();
  const archive = await openLocalArchive({ dir: settings.dir, masterKey: settings.masterKey, logger });
  // The auditor's search index follows each delivery (functions/auditor/local/liveIndex.ts).
  const index = indexAsArchived(createPipeline({ store: archive.store, audit: archive.audit, retentionDays: settings.retentionDays, maxMessageBytes: settings.maxMessageBytes, logger }), archive, logger);
  const pipeline = index.pipeline;
  const tls = await loadOrCreateCertificate(settings.dir, settings.tls);
  // One budget for both intakes; bodies a crash left in the spool are unreadable and removed.
  const spoolDir = join(settings.dir, "spool");
  await removeOrphanedSpool(spoolDir);
  const gate = createIntakeGate({ spoolDir, ...settings.intake });
  const token = settings.token ?? (await loadOrCreateToken(settings.dir));
  const smtp = await listening("JOURNAL_SMTP_PORT", settings.smtpPort, () => startSmtpIntake({ pipeline, port: settings.smtpPort, host: settings.bind, maxMessageBytes: settings.maxMessageBytes, tls, logger, access: settings.smtp, maxClients: settings.smtp.maxClients, gate }));
  const http = await listening("JOURNAL_HTTP_PORT", settings.httpPort, () => startHttpIntake({ pipeline, archive, port: settings.httpPort, host: settings.bind, token, maxMessageBytes: settings.maxMessageBytes, logger, gate }));

  // For the person at the terminal only; the token never goes to the JSON log.
  process.stdout.write(
    [
      `email-journal local archive in ${resolve(settings.dir)}`,
      `  SMTP  ${settings.bind}:${smtp.port}  (STARTTLS${tls.selfSigned ? ", self-signed certificate" : ""}; SIZE ${settings.maxMessageBytes})`,
      `  HTTP  http://${settings.bind}:${http.port}  POST /ingest, GET /messages/<sha256>`,
      settings.token ? "  token: from JOURNAL_TOKEN" : `  token: in ${tokenPath(resolve(settings.dir))} (0600; set JOURNAL_TOKEN to choose one)`,
      `  retention: ${settings.retentionDays} days; verify with \`npm run journal -- verify\``,
      "",
    ].join("\n"),
  );

  const stop = async (signal: string) => {
    logger.log("info", `stopping on ${signal}`);
    await Promise.all([smtp.close(), http.close()]);
    await index.close();
    await archive.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

/** Starts a listener, turning a taken port into an error that names the setting to change. */
async function listening<T>(variable: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new Error(`port ${port} is already in use: set ${variable} to a free port (0 picks one)`);
    if (code === "EACCES") throw new Error(`port ${port} needs privileges this process does not have: set ${variable} to a port above 1023`);
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
