// SMTP intake for journaling MTAs: STARTTLS, SIZE announced and enforced (552), the
// envelope captured, and 250 only once the message is in the archive. A failure to
// archive is 451, a temporary error, so the sending MTA keeps the message and retries.
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { describeError, type Logger } from "../core/log";
import type { Pipeline } from "../core/pipeline";

export interface SmtpIntakeOptions {
  readonly pipeline: Pipeline;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  /** Announced with SIZE; a larger message is refused with 552. */
  readonly maxMessageBytes: number;
  readonly tls: { readonly key: Buffer; readonly cert: Buffer };
  readonly logger: Logger;
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

export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<RunningServer> {
  const { pipeline, logger } = options;
  const server = new SMTPServer({
    key: options.tls.key,
    cert: options.tls.cert,
    size: options.maxMessageBytes,
    authOptional: true,
    disabledCommands: ["AUTH"],
    banner: "email-journal archive",
    logger: false,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => {
        // Past the limit the rest is read and dropped; the sender gets 552 and keeps the message.
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          logger.log("warn", "smtp message refused: over the size limit", { source: "smtp", size: options.maxMessageBytes });
          return callback(new SmtpReply(`Message exceeds the ${options.maxMessageBytes}-byte limit`, 552));
        }
        const envelope = session.envelope;
        pipeline
          .ingest(Buffer.concat(chunks), {
            source: "smtp",
            envelopeSender: envelope.mailFrom ? envelope.mailFrom.address : "",
            envelopeRecipients: envelope.rcptTo.map((rcpt) => rcpt.address),
            receivedAt: new Date(),
          })
          .then(
            (result) => callback(null, `${result.status} ${result.sha256}`),
            (err: unknown) => {
              logger.log("error", "smtp message not archived; told the sender to retry", { source: "smtp", error: describeError(err) });
              callback(new SmtpReply("Archive temporarily unavailable, try again later", 451));
            },
          );
      });
    },
  });
  server.on("error", (err) => logger.log("error", "smtp server error", { source: "smtp", error: describeError(err) }));
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
