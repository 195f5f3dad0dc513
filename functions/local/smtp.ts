// SMTP intake for journaling MTAs: STARTTLS, SIZE announced and enforced (552), the
// envelope captured, and 250 only once the message is in the archive. A failure to
// archive is 451, a temporary error, so the sending MTA keeps the message and retries.
//
// Who may deliver (checked at MAIL FROM, RFC 5321 section 3.3):
// - TLS first when `requireTls`: 530 "Must issue a STARTTLS command first" (RFC 3207 section 4).
// - AUTH PLAIN/LOGIN, offered and accepted only inside TLS (they send the password as it is:
//   RFC 4616 section 6), with the configured credentials; and/or an allow-list of client
//   addresses. When either is configured, a client that is neither authenticated nor listed is
//   refused: 530 5.7.0 "Authentication required", a wrong password 535 5.7.8 (RFC 4954 section 6).
//   When neither is, the intake only runs on a loopback address and takes mail as untrusted.
// - RCPT TO only the journal addresses (550 otherwise).
// A journal report's envelope is authoritative only from a trusted client (`senderTrusted`).
//
// How much it holds (see intakeGate.ts): connections beyond `maxClients` get 421; a transaction
// claims a transfer slot at MAIL FROM or gets 451; large bodies are spooled to disk while they
// arrive, and messages enter the pipeline a few at a time.
import { createHash, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { describeError, type Logger } from "../core/log";
import type { Pipeline } from "../core/pipeline";
import { ClientAllowList, isLoopback, type AllowEntry } from "./clientAddresses";
import { createIntakeGate, IntakeBusyError, type IntakeGate, type Transfer } from "./intakeGate";

export const DEFAULT_SMTP_MAX_CLIENTS = 32;
export const DEFAULT_JOURNAL_ADDRESS = "journal@localhost";
/** Failed AUTH attempts on one connection before it is closed with 421. */
const MAX_AUTH_FAILURES = 3;

export interface SmtpCredentials {
  readonly username: string;
  readonly password: string;
}

/** Who may deliver to the SMTP intake, and to which addresses. */
export interface SmtpAccess {
  /** Refuse MAIL FROM before STARTTLS (530). */
  readonly requireTls: boolean;
  /** AUTH PLAIN/LOGIN over TLS with these; AUTH is not offered when unset. */
  readonly credentials?: SmtpCredentials;
  /** Client addresses and ranges trusted without AUTH. */
  readonly allow: readonly AllowEntry[];
  /** The only recipients taken, lower-case. */
  readonly journalAddresses: readonly string[];
}

export interface SmtpIntakeOptions {
  readonly pipeline: Pipeline;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  /** Announced with SIZE; a larger message is refused with 552. */
  readonly maxMessageBytes: number;
  readonly tls: { readonly key: Buffer; readonly cert: Buffer };
  readonly logger: Logger;
  /**
   * Who may deliver. Default: TLS required unless `host` is loopback, no AUTH, no allow-list
   * (so only a loopback `host` is allowed), recipient journal@localhost.
   */
  readonly access?: SmtpAccess;
  /** Connections beyond this many are answered 421 and closed. Default 32. */
  readonly maxClients?: number;
  /**
   * The limiter and spool, shared with the HTTP intake (`createIntakeGate` over `<dir>/spool`).
   * Default: a gate of this intake's own with the default limits, spooling to a private temp folder.
   */
  readonly gate?: IntakeGate;
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

class SmtpReply extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

const TRY_LATER = "Too many deliveries in progress, try again later";

/** Compares fixed-length digests so that timing says nothing about the secret or its length. */
function sameSecret(given: string, expected: Buffer): boolean {
  return timingSafeEqual(createHash("sha256").update(given, "utf8").digest(), expected);
}

/** Settings that would let strangers deliver are refused before the server listens. */
function checkAccess(host: string, access: SmtpAccess): void {
  if (access.journalAddresses.length === 0) throw new Error("SMTP intake: at least one journal address is needed (JOURNAL_ADDRESSES)");
  if (!isLoopback(host) && !access.credentials && access.allow.length === 0) {
    throw new Error(`SMTP intake on ${host}: a non-loopback address needs AUTH credentials or an allow-list of clients (JOURNAL_SMTP_USER/JOURNAL_SMTP_PASSWORD_FILE, JOURNAL_SMTP_ALLOW)`);
  }
}

export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<RunningServer> {
  const { pipeline, logger } = options;
  const access: SmtpAccess = options.access ?? { requireTls: !isLoopback(options.host), allow: [], journalAddresses: [DEFAULT_JOURNAL_ADDRESS] };
  checkAccess(options.host, access);
  let ownSpool: string | undefined;
  const gate = options.gate ?? createIntakeGate({ spoolDir: (ownSpool = mkdtempSync(join(tmpdir(), "journal-smtp-spool-"))) });

  const allowList = new ClientAllowList(access.allow);
  const journalAddresses = new Set(access.journalAddresses.map((a) => a.toLowerCase()));
  const credentials = access.credentials && {
    username: createHash("sha256").update(access.credentials.username, "utf8").digest(),
    password: createHash("sha256").update(access.credentials.password, "utf8").digest(),
  };
  // When sender identity is configured it is required; with neither (loopback only) mail is taken untrusted.
  const identityRequired = Boolean(credentials) || allowList.size > 0;
  const trusted = (session: SMTPServerSession): boolean => Boolean(session.user) || allowList.allows(session.remoteAddress);

  // Per connection, by session id: its claimed transfer slot, and its failed AUTH attempts.
  const transfers = new Map<string, Transfer>();
  const authFailures = new Map<string, number>();

  const server = new SMTPServer({
    key: options.tls.key,
    cert: options.tls.cert,
    minVersion: "TLSv1.2",
    size: options.maxMessageBytes,
    maxClients: options.maxClients ?? DEFAULT_SMTP_MAX_CLIENTS,
    authMethods: ["PLAIN", "LOGIN"],
    // Our own checks at MAIL FROM decide; an allow-listed client delivers without AUTH.
    authOptional: true,
    disabledCommands: credentials ? [] : ["AUTH"],
    banner: "email-journal archive",
    logger: false,
    disableReverseLookup: true,
    onConnect(session, callback) {
      if (identityRequired && !credentials && !allowList.allows(session.remoteAddress)) {
        // Only the allow-list can admit this client and it is not on it: nothing to talk about.
        logger.log("warn", "smtp connection refused: client not on the allow-list", { source: "smtp" });
        return callback(new SmtpReply("5.7.1 This client is not allowed to deliver here (JOURNAL_SMTP_ALLOW)", 554));
      }
      // AUTH is neither offered nor accepted until the connection is encrypted.
      session.disabledCommands = ["AUTH"];
      callback();
    },
    onSecure(_socket, session, callback) {
      session.disabledCommands = credentials ? [] : ["AUTH"];
      callback();
    },
    onAuth(auth: SMTPServerAuthentication, session, callback) {
      // Both comparisons always run, so timing does not say which one failed.
      const userOk = credentials !== undefined && sameSecret(auth.username ?? "", credentials.username);
      const passwordOk = credentials !== undefined && sameSecret(auth.password ?? "", credentials.password);
      if (session.secure && userOk && passwordOk) {
        authFailures.delete(session.id);
        return callback(null, { user: "journal-sender" });
      }
      const failures = (authFailures.get(session.id) ?? 0) + 1;
      authFailures.set(session.id, failures);
      // Neither the user name nor the password goes to the log: a password typed as a user name is still a secret.
      logger.log("warn", "smtp authentication refused", { source: "smtp", count: failures });
      if (failures >= MAX_AUTH_FAILURES) return callback(new SmtpReply("4.7.0 Too many failed authentication attempts", 421));
      callback(new SmtpReply("5.7.8 Authentication credentials invalid", 535));
    },
    onMailFrom(_address, session, callback) {
      if (access.requireTls && !session.secure) return callback(new SmtpReply("5.7.0 Must issue a STARTTLS command first", 530));
      if (identityRequired && !trusted(session)) {
        return callback(new SmtpReply("5.7.0 Authentication required: AUTH after STARTTLS, or deliver from an allowed address", 530));
      }
      // A transfer slot per transaction, claimed before any data so a busy archive costs the sender nothing to hear.
      if (!transfers.has(session.id)) {
        const transfer = gate.tryBeginTransfer();
        if (!transfer) {
          logger.log("warn", "smtp transaction deferred: transfer limit reached", { source: "smtp", count: gate.load.transfers });
          return callback(new SmtpReply(`4.3.2 ${TRY_LATER}`, 451));
        }
        transfers.set(session.id, transfer);
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (journalAddresses.has(address.address.toLowerCase())) return callback();
      // The address is not echoed back: the rule is what the sender needs to know.
      callback(new SmtpReply("5.1.1 Recipient not accepted: this archive takes mail for its journal addresses only (JOURNAL_ADDRESSES)", 550));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const transfer = transfers.get(session.id);
      transfers.delete(session.id);
      if (!transfer) {
        stream.resume();
        return callback(new SmtpReply(`4.3.2 ${TRY_LATER}`, 451));
      }
      const envelope = session.envelope;
      const context = {
        source: "smtp" as const,
        envelopeSender: envelope.mailFrom ? envelope.mailFrom.address : "",
        envelopeRecipients: envelope.rcptTo.map((rcpt) => rcpt.address),
        senderTrusted: trusted(session),
      };
      receive(stream, transfer).then(
        async (complete) => {
          if (!complete) {
            await transfer.discard();
            logger.log("warn", "smtp message refused: over the size limit", { source: "smtp", size: options.maxMessageBytes });
            return callback(new SmtpReply(`Message exceeds the ${options.maxMessageBytes}-byte limit`, 552));
          }
          const receivedAt = new Date();
          const result = await transfer.ingest((bytes) => pipeline.ingest(bytes, { ...context, receivedAt }));
          callback(null, `${result.status} ${result.sha256}`);
        },
      ).catch(async (err: unknown) => {
        await transfer.discard().catch(() => undefined);
        if (stream.destroyed && !stream.readableEnded) {
          logger.log("warn", "smtp client left in the middle of a message; nothing kept", { source: "smtp" });
          return callback(new SmtpReply("Connection closed before the message was received in full", 451));
        }
        if (err instanceof IntakeBusyError) {
          logger.log("warn", "smtp message deferred: the pipeline is busy", { source: "smtp", reason: err.message });
          return callback(new SmtpReply(`4.3.2 ${TRY_LATER}`, 451));
        }
        logger.log("error", "smtp message not archived; told the sender to retry", { source: "smtp", error: describeError(err) });
        callback(new SmtpReply("Archive temporarily unavailable, try again later", 451));
      });
    },
    onClose(session) {
      authFailures.delete(session.id);
      const transfer = transfers.get(session.id);
      transfers.delete(session.id);
      void transfer?.discard().catch((err: unknown) => logger.log("error", "smtp spool clean-up failed", { source: "smtp", error: describeError(err) }));
    },
  });
  server.on("error", (err) => logger.log("error", "smtp server error", { source: "smtp", error: describeError(err) }));
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          if (ownSpool) rmSync(ownSpool, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

/**
 * Copies the DATA stream into the transfer. Past the size limit the rest is read and dropped;
 * resolves false then, and the sender gets 552 and keeps the message.
 */
async function receive(stream: SMTPServerDataStream, transfer: Transfer): Promise<boolean> {
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (!stream.sizeExceeded) await transfer.write(chunk);
  }
  return !stream.sizeExceeded;
}
