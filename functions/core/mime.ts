// A single streaming pass over a message: root headers, attachment hashes and sizes,
// sensitive-data flags, and the embedded messages (journal originals) scanned in turn.
// Built on mailsplit and libmime, the primitives mailparser uses, but without
// mailparser's text/HTML conversions: an archive needs facts about the bytes, not a
// rendering of them, and skipping the rendering is what keeps the pipeline fast.
import { createHash, type Hash } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline as pipe } from "node:stream/promises";
import { Splitter } from "@zone-eu/mailsplit";
import libmime from "libmime";
import { decode as decodeCharset } from "libmime/lib/charset";
import addressparser from "nodemailer/lib/addressparser";
import { createDetectorScanner } from "./detectors";
import type { AttachmentInfo, DetectorName } from "./types";

/** Embedded messages deeper than this are hashed as attachments, not parsed (torture tests nest endlessly). */
const MAX_EMBED_DEPTH = 8;
/** The journal envelope part is a few KB; keep at most this much of a first text part. */
const MAX_FIRST_TEXT_BYTES = 1024 * 1024;

export interface HeaderView {
  /** Every value of a header, unfolded, with encoded words left as they are. */
  get(name: string): string[];
  /** First value with RFC 2047 encoded words decoded, or undefined. */
  first(name: string): string | undefined;
}

export interface ScannedMessage {
  readonly headers: HeaderView;
  /** Number of header fields in the root header block; 0 means this is not an email. */
  readonly headerCount: number;
  readonly attachments: AttachmentInfo[];
  /** Decoded text of the first text/plain leaf directly in the root (a journal envelope lives there). */
  readonly firstText?: string;
  /** Messages attached as message/rfc822, in order, with the hash of their raw bytes. */
  readonly embedded: EmbeddedMessage[];
  /** Sensitive-data detector hits over every text leaf, embedded messages included. */
  readonly flags: Set<DetectorName>;
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

/** Scans a whole message. Rejects only when the bytes cannot be split at all. */
export async function scanMessage(input: Buffer | Readable, detectors: readonly DetectorName[]): Promise<ScannedMessage> {
  const source = Buffer.isBuffer(input) ? Readable.from(chunksOf(crOnly(input) ? withCrlf(input) : input)) : input;
  return scanStream(source, detectors, 0, createDetectorScanner(detectors));
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

async function scanStream(source: Readable, detectors: readonly DetectorName[], depth: number, detector: Detector): Promise<ScannedMessage> {
  const splitter = new Splitter({ ignoreEmbedded: true });
  const attachments: AttachmentInfo[] = [];
  const embedded: EmbeddedMessage[] = [];
  const pending: Promise<void>[] = [];
  let rootHeaders: MailsplitNode["headers"] | undefined;
  let headerCount = 0;
  let firstText: Buffer[] | undefined;
  let firstTextCharset: string | false = false;
  let firstTextLength = 0;
  let current: LeafSink | undefined;

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
        if (node.root) {
          rootHeaders = node.headers;
          headerCount = node.headers.getList().length;
        }
        if (node.multipart) return done();
        const contentType = node.contentType || "text/plain";
        const isAttachment = node.disposition === "attachment" || Boolean(node.filename) || !/^text\/(plain|html)$/.test(contentType);
        const wantsFirstText = firstText === undefined && contentType === "text/plain" && !isAttachment && isDirectChildOfRoot(node);
        if (wantsFirstText) {
          firstText = [];
          firstTextCharset = node.charset;
        }
        current = new LeafSink(node, {
          attachment: isAttachment,
          scanText: !isAttachment || /^text\//.test(contentType),
          detector,
          collect: wantsFirstText
            ? (bytes) => {
                if (firstTextLength < MAX_FIRST_TEXT_BYTES) {
                  firstText!.push(bytes);
                  firstTextLength += bytes.length;
                }
              }
            : undefined,
          embed:
            contentType === "message/rfc822" && depth < MAX_EMBED_DEPTH
              ? (stream) => scanStream(stream, detectors, depth + 1, detector)
              : undefined,
          onDone: (info, nested) => {
            if (nested) embedded.push({ sha256: info.sha256, size: info.size, message: nested });
            else if (isAttachment) attachments.push(info);
          },
        });
        pending.push(current.finished);
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

  await pipe(source, splitter, sink);
  await Promise.all(pending);
  const headers = headerView(rootHeaders);
  return {
    headers,
    headerCount,
    attachments,
    embedded,
    flags: new Set(detector.flags()),
    firstText: firstText ? decodeCharset(Buffer.concat(firstText), firstTextCharset || "utf-8") : undefined,
  };
}

function isDirectChildOfRoot(node: MailsplitNode): boolean {
  if (node.root) return true;
  const parent = node.parentNode;
  return parent !== false && parent.root;
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
    // Handled from the start: a nested scan can fail before this leaf ends. An embedded
    // message that cannot be split is still an attachment with a hash.
    let nestedFailed = false;
    const nested =
      nestedInput && options.embed
        ? options.embed(nestedInput).catch(() => {
            // It stopped reading: stop feeding it, and let this leaf's decoder run to its end.
            nestedFailed = true;
            this.decoder.resume();
            return undefined;
          })
        : undefined;

    this.finished = new Promise<void>((resolve, reject) => {
      this.decoder.on("data", (decoded: Buffer) => {
        hash.update(decoded);
        size += decoded.length;
        // Digits and IBAN letters are ASCII in every charset mail uses, so latin1 is enough and never throws.
        if (options.scanText) options.detector.push(decoded.toString("latin1"));
        options.collect?.(decoded);
        // Backpressure: stop decoding while the nested scan catches up, so an attached
        // original is never buffered whole.
        if (nestedInput && !nestedFailed && !nestedInput.push(decoded)) this.decoder.pause();
      });
      this.decoder.on("error", reject);
      this.decoder.on("end", () => {
        nestedInput?.push(null);
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
