// A single streaming pass over a message: root headers, attachment hashes and sizes,
// sensitive-data flags, and the embedded messages (journal originals) scanned in turn.
// Built on mailsplit and libmime, the primitives mailparser uses, but without
// mailparser's text/HTML conversions: an archive needs facts about the bytes, not a
// rendering of them, and skipping the rendering is what keeps the pipeline fast.
//
// Huge headers: mailsplit refuses a MIME node whose header block costs more than its
// `maxHeadSize` (1 MiB by default, every line counted as at least 64 bytes), and a refusal
// used to send valid mail with 50,000 addresses in To:, a 1 MB header line or 100,000
// header fields to quarantine. Now each message's own header block is trimmed to a budget
// first (headerBudget.ts: what the archive reads is kept longest), the splitter's limit is
// raised above that budget, and what was cut is reported so that the sidecar can say so.
// If the splitter still gives up (a MIME part's own header over its limit, more parts than
// it takes), the message is read from its header block alone and marked incomplete.
import { createHash, type Hash } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline as pipe } from "node:stream/promises";
import { Splitter } from "@zone-eu/mailsplit";
import libmime from "libmime";
import { decode as decodeCharset } from "libmime/lib/charset";
import addressparser from "nodemailer/lib/addressparser";
import { createDetectorScanner } from "./detectors";
import { HeaderBudget } from "./headerBudget";
import { journalHeaderOf } from "./journal";
import { readTnef, type TnefMessage } from "./tnef";
import type { AttachmentInfo, DetectorName } from "./types";

/** Embedded messages deeper than this are hashed as attachments, not parsed (torture tests nest endlessly). */
const MAX_EMBED_DEPTH = 8;

const MiB = 1024 * 1024;

/**
 * The budget for one message's own header block (the root's, and each embedded message's).
 * Every field passes until the block has cost 4 MiB (65,536 short lines); then only the
 * fields in READ_FIELDS, until 8 MiB; no physical line passes longer than 2 MiB. A header
 * with 100,000 fields, 50,000 addresses in To: (one line or folded) or a 1 MB line is
 * therefore read whole as far as the sidecar is concerned. Memory stays near 40 bytes of
 * parsed header per byte of budget, whatever the input.
 */
const HEADER_BUDGET = { soft: 4 * MiB, hard: 8 * MiB, maxLine: 2 * MiB } as const;

/**
 * mailsplit's `maxHeadSize`, per MIME node. A message's own header block reaches the splitter
 * already under HEADER_BUDGET.hard (plus one line break), so this only stops a MIME part
 * whose own header is this large, which then reads the message from its header block alone.
 */
const SPLITTER_MAX_HEAD = 2 * HEADER_BUDGET.hard;

/**
 * mailsplit's `maxChildNodes` (1,000 by default): a message with more MIME parts than this is
 * read from its header block alone and marked incomplete. Each part costs a node object and a
 * hash, linearly; 10,000 is far more attachments than any mail system sends.
 */
const SPLITTER_MAX_NODES = 10_000;

/**
 * How deep MIME parts may nest, counted across embedded messages (a part of a message attached
 * at depth 3 starts at depth 4). mailsplit checks every body line that starts with "--" against
 * the boundary of each open multipart, and an embedded message's lines pass through the
 * splitter of each message around it: a line costs one comparison per level of nesting. The
 * limit bounds that factor, so that 150 MB of such lines under deep nesting cannot take minutes
 * (measured: 0.4 s per 10 MB at depth 1, 1.5 s at 32, 6 s at 128). Real mail nests a handful of
 * levels; a deeper message is read from its header block alone and marked incomplete.
 */
const MAX_MIME_DEPTH = 32;

/** An envelope part is a few KB; keep at most this much of the text parts of a journal report. */
const MAX_TEXT_BYTES = 1 * MiB;
/** How many text parts of a journal report are kept as envelope candidates. */
const MAX_TEXT_PARTS = 4;
/** A TNEF-wrapped journal report carries its envelope and original inside; keep at most this much of it. */
const MAX_TNEF_BYTES = 64 * MiB;

/**
 * Header fields the archive reads (metadata.ts, journal.ts): these are the last to be cut
 * from an oversized header block.
 */
export const READ_FIELDS: ReadonlySet<string> = new Set([
  "from", "sender", "to", "cc", "bcc", "subject", "date", "message-id",
  "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
  "received", "return-path", "delivered-to", "x-gm-original-to",
  "x-ms-journal-report", "x-ms-exchange-organization-journal-report", "content-identifier", "content-identifer",
]);

export interface HeaderView {
  /** Every value of a header, unfolded, with encoded words left as they are. */
  get(name: string): string[];
  /** First value with RFC 2047 encoded words decoded, or undefined. */
  first(name: string): string | undefined;
}

/** A text part of a journal report, as a candidate for its envelope. */
export interface TextPart {
  readonly contentType: "text/plain" | "text/html";
  /** Decoded text (charset applied), at most MAX_TEXT_BYTES of the part. */
  readonly text: string;
  /** Whether the part was longer than what `text` holds. */
  readonly truncated: boolean;
}

export interface ScannedMessage {
  readonly headers: HeaderView;
  /** Number of header fields in the root header block; 0 means this is not an email. */
  readonly headerCount: number;
  readonly attachments: AttachmentInfo[];
  /** For a journal report: its text parts, in order, outside embedded messages (the envelope is one). */
  readonly texts: readonly TextPart[];
  /** For a journal report: whether it came wrapped in TNEF (application/ms-tnef), its envelope and original read from inside. */
  readonly tnef?: true;
  /** Messages attached as message/rfc822, in order, with the hash of their raw bytes. */
  readonly embedded: EmbeddedMessage[];
  /** Sensitive-data detector hits over every text leaf, embedded messages included. */
  readonly flags: Set<DetectorName>;
  /** READ_FIELDS names of this message's header that were cut to fit the header budget. */
  readonly headersCut: ReadonlySet<string>;
  /**
   * Why the body could not be read to its end, when it could not: the message was then read from
   * its header block alone (no attachments, no embedded messages, flags only as far as it got).
   */
  readonly incomplete?: string;
}

export interface EmbeddedMessage {
  readonly sha256: string;
  readonly size: number;
  readonly message: ScannedMessage;
}

interface MailsplitNode {
  type: "node";
  root: boolean;
  parentNode: MailsplitNode | false;
  multipart: string | false;
  contentType: string | false;
  charset: string | false;
  disposition: string | false;
  filename: string | false;
  headers: { get(key: string): string[]; getFirst(key: string): string; getList(): unknown[] };
  getDecoder(): NodeJS.ReadWriteStream;
}

type SplitterChunk = MailsplitNode | { type: "body" | "data"; node: MailsplitNode; value: Buffer };

/** Scans a whole message. Rejects only when not even its header block can be read. */
export async function scanMessage(input: Buffer | Readable, detectors: readonly DetectorName[]): Promise<ScannedMessage> {
  const source = Buffer.isBuffer(input) ? Readable.from(chunksOf(crOnly(input) ? withCrlf(input) : input)) : input;
  return scanStream(source, detectors, { embed: 0, mime: 0 }, createDetectorScanner(detectors));
}

/** Old Mac mail ends lines with a bare CR, which MIME splitters do not see as line ends. */
function crOnly(raw: Buffer): boolean {
  const head = raw.subarray(0, 4096);
  return head.includes(13) && !head.includes(10);
}

/** A CRLF copy to parse; the archive keeps the bytes as received. */
function withCrlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString("latin1").replace(/\r/g, "\r\n"), "latin1");
}

/** Feeds a Buffer in slices so that no copy of it is made. */
function* chunksOf(buffer: Buffer, size = 256 * 1024): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) {
    yield buffer.subarray(offset, Math.min(offset + size, buffer.length));
  }
}

type Detector = ReturnType<typeof createDetectorScanner>;

/** Where a message sits: how many messages enclose it, and how deep in MIME parts it starts. */
interface Level {
  readonly embed: number;
  readonly mime: number;
}

/**
 * Scans one message (the root, or an embedded one). When the full split fails, falls back to
 * its header block, which the budget kept; rejects only when that cannot be read either.
 */
async function scanStream(source: Readable, detectors: readonly DetectorName[], level: Level, detector: Detector): Promise<ScannedMessage> {
  const budget = new HeaderBudget({ ...HEADER_BUDGET, keep: READ_FIELDS });
  try {
    return await splitAndScan(source, budget, detectors, level, detector);
  } catch (err) {
    const block = budget.headerBlock();
    if (block.length === 0) throw err;
    const headersOnly = await splitAndScan(Readable.from([block, Buffer.from("\r\n\r\n")]), new HeaderBudget({ ...HEADER_BUDGET, keep: READ_FIELDS }), detectors, { embed: MAX_EMBED_DEPTH, mime: 0 }, createDetectorScanner([]));
    return {
      ...headersOnly,
      attachments: [],
      texts: [],
      embedded: [],
      flags: new Set(detector.flags()),
      headersCut: budget.cutFields,
      incomplete: err instanceof Error ? err.message : String(err),
    };
  }
}

async function splitAndScan(source: Readable, budget: HeaderBudget, detectors: readonly DetectorName[], level: Level, detector: Detector): Promise<ScannedMessage> {
  const splitter = new Splitter({ ignoreEmbedded: true, maxHeadSize: SPLITTER_MAX_HEAD, maxChildNodes: SPLITTER_MAX_NODES });
  const attachments: AttachmentInfo[] = [];
  const embedded: EmbeddedMessage[] = [];
  const pending: Promise<void>[] = [];
  const texts: TextCollector[] = [];
  let tnef: Collector | undefined;
  let rootHeaders: MailsplitNode["headers"] | undefined;
  let headerCount = 0;
  let journal = false;
  let current: LeafSink | undefined;
  const nodeDepth = new WeakMap<MailsplitNode, number>();

  const finishLeaf = () => {
    if (current) {
      current.end();
      current = undefined;
    }
  };

  const sink = new Writable({
    objectMode: true,
    write(chunk: SplitterChunk, _enc, done) {
      if (chunk.type === "node") {
        finishLeaf();
        const node = chunk;
        const parentDepth = node.parentNode ? nodeDepth.get(node.parentNode) : undefined;
        const mimeDepth = parentDepth === undefined ? level.mime : parentDepth + 1;
        nodeDepth.set(node, mimeDepth);
        if (mimeDepth > MAX_MIME_DEPTH) return done(new Error(`MIME parts nested more than ${MAX_MIME_DEPTH} levels deep`));
        if (node.root) {
          rootHeaders = node.headers;
          headerCount = node.headers.getList().length;
          journal = journalHeaderOf(headerView(node.headers)) !== undefined;
        }
        if (node.multipart) return done();
        const contentType = node.contentType || "text/plain";
        const isAttachment = node.disposition === "attachment" || Boolean(node.filename) || !/^text\/(plain|html)$/.test(contentType);
        // A journal report's envelope is one of its text parts (plain or HTML, inline or attached).
        const text = journal && texts.length < MAX_TEXT_PARTS && /^text\/(plain|html)$/.test(contentType) ? new TextCollector(contentType as TextPart["contentType"], node.charset, MAX_TEXT_BYTES - collected(texts)) : undefined;
        if (text) texts.push(text);
        const wrapped = journal && !tnef && /^application\/(vnd\.)?ms-tnef$/.test(contentType) ? (tnef = new Collector(MAX_TNEF_BYTES)) : undefined;
        current = new LeafSink(node, {
          attachment: isAttachment,
          scanText: !isAttachment || /^text\//.test(contentType),
          detector,
          collect: text || wrapped ? (bytes) => (text ?? wrapped)!.push(bytes) : undefined,
          embed:
            contentType === "message/rfc822" && level.embed < MAX_EMBED_DEPTH
              ? (stream) => scanStream(stream, detectors, { embed: level.embed + 1, mime: mimeDepth + 1 }, detector)
              : undefined,
          onDone: (info, nested) => {
            if (nested) embedded.push({ sha256: info.sha256, size: info.size, message: nested });
            // An attached message is an attachment too: listed with its hash, whether or not it was read.
            if (isAttachment) attachments.push(info);
          },
        });
        pending.push(current.finished);
        // Awaited below; if the split fails first, a leaf left unfinished must not surface as unhandled.
        current.finished.catch(() => undefined);
        return done();
      }
      if (chunk.type === "body" && current) {
        return current.write(chunk.value, done);
      }
      done();
    },
    final(done) {
      finishLeaf();
      done();
    },
  });

  await pipe(source, budget, splitter, sink);
  await Promise.all(pending);
  // A journal report wrapped in TNEF: its envelope and original are inside the TNEF part.
  const wrapped = journal && tnef && !tnef.truncated && embedded.length === 0 ? readTnef(tnef.bytes()) : undefined;
  const unwrapped = wrapped ? await unwrapTnef(wrapped, (bytes) => scanStream(Readable.from([bytes]), detectors, { embed: level.embed + 1, mime: level.mime + 1 }, detector)) : undefined;
  return {
    headers: headerView(rootHeaders),
    headerCount,
    attachments,
    embedded: unwrapped?.original ? [...embedded, unwrapped.original] : embedded,
    flags: new Set(detector.flags()),
    texts: [...texts.map((t) => t.result()), ...(unwrapped?.texts ?? [])],
    ...(unwrapped ? { tnef: true as const } : {}),
    headersCut: budget.cutFields,
  };
}

/**
 * The envelope and the original of a TNEF-wrapped journal report: the TNEF body, and the first
 * attachment that is a message, either RFC 822 bytes (hashed and scanned as they are) or an
 * embedded MAPI message, read from the internet headers it kept (PR_TRANSPORT_MESSAGE_HEADERS)
 * and its body, and hashed as the TNEF bytes that carry it.
 */
async function unwrapTnef(report: TnefMessage, scan: (bytes: Buffer) => Promise<ScannedMessage>): Promise<{ texts: TextPart[]; original?: EmbeddedMessage }> {
  const texts: TextPart[] = report.body !== undefined ? [{ contentType: "text/plain", text: report.body.slice(0, MAX_TEXT_BYTES), truncated: report.body.length > MAX_TEXT_BYTES }] : [];
  for (const attachment of report.attachments) {
    const rfc822 = attachment.data && (attachment.mimeTag?.toLowerCase() === "message/rfc822" || /\.eml$/i.test(attachment.title ?? ""));
    if (rfc822 && attachment.data) return { texts, original: { sha256: sha256(attachment.data), size: attachment.data.length, message: await scan(attachment.data) } };
    if (attachment.message?.transportHeaders && attachment.messageBytes) {
      const rebuilt = Buffer.from(`${withoutTrailingBreaks(attachment.message.transportHeaders)}\r\n\r\n${attachment.message.body ?? ""}`, "utf8");
      return { texts, original: { sha256: sha256(attachment.messageBytes), size: attachment.messageBytes.length, message: await scan(rebuilt) } };
    }
  }
  return { texts };
}

/** The text without the line breaks it ends with (a loop: a regular expression here could backtrack on a run of them). */
function withoutTrailingBreaks(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === "\n" || text[end - 1] === "\r")) end--;
  return text.slice(0, end);
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function collected(texts: readonly TextCollector[]): number {
  return texts.reduce((sum, t) => sum + t.length, 0);
}

/** Keeps the first `limit` bytes pushed, and whether there were more. */
class Collector {
  private readonly chunks: Buffer[] = [];
  length = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(bytes: Buffer): void {
    const room = this.limit - this.length;
    if (bytes.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.chunks.push(Buffer.from(kept));
    this.length += kept.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

class TextCollector extends Collector {
  constructor(
    private readonly contentType: TextPart["contentType"],
    private readonly charset: string | false,
    limit: number,
  ) {
    super(Math.max(0, limit));
  }

  result(): TextPart {
    return { contentType: this.contentType, text: decodeCharset(this.bytes(), this.charset || "utf-8"), truncated: this.truncated };
  }
}

interface LeafOptions {
  attachment: boolean;
  scanText: boolean;
  detector: Detector;
  collect?: (decoded: Buffer) => void;
  embed?: (decoded: Readable) => Promise<ScannedMessage>;
  onDone: (info: AttachmentInfo, nested?: ScannedMessage) => void;
}

/** Decodes one leaf's transfer encoding and hashes, sizes and scans what comes out. */
class LeafSink {
  readonly finished: Promise<void>;
  private readonly decoder: NodeJS.ReadWriteStream;

  constructor(node: MailsplitNode, options: LeafOptions) {
    this.decoder = node.getDecoder();
    const hash: Hash = createHash("sha256");
    let size = 0;
    const nestedInput = options.embed ? new Readable({ read: () => void this.decoder.resume() }) : undefined;
    // A nested scan that stops reading (it failed, or read only the header block it needed)
    // must not hold this leaf's decoder paused: from then on, this leaf decodes on its own.
    let nestedGone = false;
    nestedInput?.once("close", () => {
      nestedGone = true;
      this.decoder.resume();
    });
    // Handled from the start: a nested scan can fail before this leaf ends. An embedded
    // message that cannot be read at all is still an attachment with a hash.
    const nested = nestedInput && options.embed ? options.embed(nestedInput).catch(() => undefined) : undefined;

    this.finished = new Promise<void>((resolve, reject) => {
      this.decoder.on("data", (decoded: Buffer) => {
        hash.update(decoded);
        size += decoded.length;
        // Digits and IBAN letters are ASCII in every charset mail uses, so latin1 is enough and never throws.
        if (options.scanText) options.detector.push(decoded.toString("latin1"));
        options.collect?.(decoded);
        // Backpressure: stop decoding while the nested scan catches up, so an attached
        // original is never buffered whole.
        if (nestedInput && !nestedGone && !nestedInput.push(decoded)) this.decoder.pause();
      });
      this.decoder.on("error", reject);
      this.decoder.on("end", () => {
        if (nestedInput && !nestedGone) nestedInput.push(null);
        // A line break between leaves keeps digits of two parts from joining into one number.
        if (options.scanText) options.detector.push("\n");
        const info: AttachmentInfo = {
          contentType: node.contentType || "text/plain",
          size,
          sha256: hash.digest("hex"),
          ...(node.filename ? { filename: decodeWords(node.filename) } : {}),
        };
        if (!nested) {
          options.onDone(info);
          return resolve();
        }
        void nested.then((message) => {
          options.onDone(info, message);
          resolve();
        });
      });
    });
  }

  write(chunk: Buffer, done: (err?: Error | null) => void): void {
    if (this.decoder.write(chunk)) done();
    else this.decoder.once("drain", () => done());
  }

  end(): void {
    this.decoder.end();
  }
}

function headerView(headers: MailsplitNode["headers"] | undefined): HeaderView {
  return {
    get: (name) => (headers ? headers.get(name).map(unfold) : []),
    first: (name) => {
      if (!headers) return undefined;
      const value = headers.getFirst(name);
      return value === "" ? undefined : decodeWords(value);
    },
  };
}

/** mailsplit keeps `Name: value` lines folded; strip the name and unfold. */
function unfold(line: string): string {
  const colon = line.indexOf(":");
  return (colon >= 0 ? line.slice(colon + 1) : line).replace(/\r?\n[ \t]+/g, " ").trim();
}

export function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** Every address in the given header values, lower-cased, groups flattened. */
export function addresses(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const entry of addressparser(value, { flatten: true })) {
      const address = (entry.address || "").trim().toLowerCase();
      if (address) out.push(address);
    }
  }
  return out;
}
