// HTTP intake and read API.
//   POST /ingest              raw RFC 822 body → {sha256, key, status}     (bearer token)
//   GET  /messages/<sha256>   the original bytes, decrypted; audited as a read (bearer token)
//   GET  /health              liveness: 200 {"status":"ok"}, no token, nothing else revealed
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ingestAnswer, RETRY_LATER } from "../core/httpAnswer";
import { isSha256 } from "../core/layout";
import { describeError, type Logger } from "../core/log";
import type { Pipeline } from "../core/pipeline";
import type { LocalArchive } from "./archive";
import { createIntakeGate, IntakeBusyError, type IntakeGate } from "./intakeGate";
import type { RunningServer } from "./smtp";

export interface HttpIntakeOptions {
  readonly pipeline: Pipeline;
  readonly archive: LocalArchive;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  readonly token: string;
  /** A larger body is refused with 413 before it is read. */
  readonly maxMessageBytes: number;
  readonly logger: Logger;
  /** Connections held at once; more are refused by the socket layer. Default 256. */
  readonly maxConnections?: number;
  /** A request whose headers have not all arrived by then is dropped (408). Default 30 s. */
  readonly headersTimeoutMs?: number;
  /** A request not wholly received by then is dropped (408): a slow or stalled upload. Default 10 min. */
  readonly requestTimeoutMs?: number;
  /** The limiter and spool shared with the SMTP intake; default: one of its own spooling to `<archive>/spool`. */
  readonly gate?: IntakeGate;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startHttpIntake(options: HttpIntakeOptions): Promise<RunningServer> {
  const { pipeline, archive, logger } = options;
  const gate = options.gate ?? createIntakeGate({ spoolDir: join(archive.dir, "spool") });
  const expected = createHash("sha256").update(options.token).digest();

  const authorised = (req: IncomingMessage): boolean => {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    // Compare fixed-length digests so that timing says nothing about the token.
    return match !== null && timingSafeEqual(createHash("sha256").update(match[1]).digest(), expected);
  };

  async function ingest(req: IncomingMessage): Promise<object> {
    const declared = Number(req.headers["content-length"]);
    const tooLarge = () => new HttpError(413, `message body is over the ${options.maxMessageBytes}-byte limit (JOURNAL_MAX_BYTES)`);
    if (declared > options.maxMessageBytes) throw tooLarge();
    const transfer = gate.tryBeginTransfer();
    if (!transfer) throw new HttpError(503, RETRY_LATER);
    try {
      for await (const chunk of req) {
        if (transfer.size + (chunk as Buffer).length > options.maxMessageBytes) throw tooLarge();
        await transfer.write(chunk as Buffer);
      }
    } catch (err) {
      await transfer.discard();
      throw err;
    }
    let result;
    try {
      // The caller holds the token: a journal report it sends has a trusted envelope.
      result = await transfer.ingest((bytes) => pipeline.ingest(bytes, { source: "http", receivedAt: new Date(), senderTrusted: true }));
    } catch (err) {
      if (!(err instanceof IntakeBusyError)) logger.log("error", "http message not archived; told the client to retry", { source: "http", error: describeError(err) });
      throw new HttpError(503, RETRY_LATER);
    }
    return ingestAnswer(result);
  }

  async function read(sha256: string, res: ServerResponse): Promise<void> {
    if (!isSha256(sha256)) throw new HttpError(400, `message id must be a SHA-256 digest: 64 lower-case hex characters, got "${sha256.slice(0, 80)}"`);
    // Whichever intake took the message, the store knows its key.
    const key = await archive.store.locate(sha256);
    const bytes = key ? await archive.store.get(key) : undefined;
    if (!key || !bytes) throw new HttpError(404, `no message with sha256 ${sha256} in this archive`);
    try {
      await archive.audit.append({ action: "read", at: new Date().toISOString(), sha256, key, actor: "http:bearer", size: bytes.length });
    } catch (err) {
      // Never served unaudited.
      logger.log("error", "read refused: the audit log cannot be written", { sha256, error: describeError(err) });
      throw new HttpError(503, "the audit log cannot be written (is the disk full?), so the read is refused: every read must be audited; try again later");
    }
    res.writeHead(200, { "content-type": key.startsWith("quarantine/") ? "application/octet-stream" : "message/rfc822", "content-length": bytes.length });
    res.end(bytes);
  }

  const server = createServer((req, res) => {
    const reply = (status: number, body: object): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body) + "\n");
    };
    const url = new URL(req.url ?? "/", "http://local");
    const route = async (): Promise<void> => {
      if (url.pathname === "/health" && req.method === "GET") return reply(200, { status: "ok" });
      if (!authorised(req)) throw new HttpError(401, "missing or wrong bearer token: send `Authorization: Bearer <JOURNAL_TOKEN>`");
      if (url.pathname === "/ingest") {
        if (req.method !== "POST") throw new HttpError(405, "POST a raw RFC 822 message to /ingest");
        return reply(200, await ingest(req));
      }
      const message = /^\/messages\/([^/]+)$/.exec(url.pathname);
      if (message) {
        if (req.method !== "GET") throw new HttpError(405, "use GET /messages/<sha256>");
        return read(message[1], res);
      }
      throw new HttpError(404, "routes: POST /ingest, GET /messages/<sha256>, GET /health");
    };
    route().catch((err: unknown) => {
      if (err instanceof HttpError) {
        reply(err.status, { error: err.message });
        // Stop reading an oversize or unauthorised upload; the client has its answer.
        if (err.status === 413 || err.status === 401) req.destroy();
        return;
      }
      logger.log("error", "http request failed", { error: describeError(err) });
      reply(500, { error: "internal error; see the server log" });
    });
  });
  server.maxConnections = options.maxConnections ?? 256;
  server.headersTimeout = options.headersTimeoutMs ?? 30_000;
  server.requestTimeout = options.requestTimeoutMs ?? 10 * 60_000;
  // An idle keep-alive connection is closed after 5 s, so idle clients cannot hold connections.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
