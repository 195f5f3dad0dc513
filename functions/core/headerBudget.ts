// Bounds the header block of a message before the MIME splitter sees it, so that a message
// with a huge header is still read (what fits is indexed, the sidecar says what was cut)
// instead of failing the splitter's limit and landing in quarantine. Linear in the input:
// each header line is looked at once, the body passes through untouched.
import { Transform, type TransformCallback } from "node:stream";

/**
 * What one header line costs against the budget: its bytes, and never less than 64. This is
 * how mailsplit counts against its `maxHeadSize` (HEADER_LINE_MIN_COST in its mime-node.js),
 * so that a budget below the splitter's limit can never trip it, and so that 100,000 short
 * lines cost what their parsed form costs in memory rather than their few bytes.
 */
export const LINE_MIN_COST = 64;

export interface HeaderBudgetOptions {
  /** Until the block has cost this much, every field passes. */
  readonly soft: number;
  /** Past `soft`, only these fields (lower-case names) pass, until the block has cost this much. */
  readonly hard: number;
  /** A longer physical line is cut here (its line break is kept). */
  readonly maxLine: number;
  /** The fields that still pass between `soft` and `hard`: those the archive reads. */
  readonly keep: ReadonlySet<string>;
}

/** A field name is at most this long (RFC 5322 leaves it unbounded; nothing real comes close). */
const MAX_NAME = 256;

const LF = 0x0a;
const CR = 0x0d;

type LineFate = "pass" | "drop";

export class HeaderBudget extends Transform {
  /** Names (lower case) of kept-list fields that lost a line or part of one. */
  readonly cutFields = new Set<string>();
  /** Whether any field outside the kept list lost a line or part of one. */
  othersCut = false;

  private inHeader = true;
  private cost = 0;
  /** Bytes of the current physical line passed on. */
  private linePassed = 0;
  /** What happens to the rest of the current line; undefined while its start is held. */
  private fate: LineFate | undefined;
  /** A cut line whose LF has not arrived yet still needs its line break when it does. */
  private pendingBreak = false;
  /** The field the current line belongs to, and what happens to that field's lines. */
  private field = "";
  private fieldFate: LineFate = "pass";
  /** The start of a line, held until it is known to be the blank line or whose field it is. */
  private held: Buffer[] = [];
  /** The header block as passed on, for a headers-only reading when the full scan fails. */
  private readonly block: Buffer[] = [];

  constructor(private readonly options: HeaderBudgetOptions) {
    super();
  }

  /** The header block as passed on (bounded by `hard` plus one cut line). */
  headerBlock(): Buffer {
    return Buffer.concat(this.block);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length && this.inHeader) {
      const lf = chunk.indexOf(LF, start);
      const end = lf < 0 ? chunk.length : lf + 1;
      this.takeLinePart(chunk.subarray(start, end), lf >= 0);
      start = end;
    }
    if (start < chunk.length) this.push(start === 0 ? chunk : chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    // Input that ends inside a header line: decide on what was held, as the splitter would see it.
    if (this.inHeader && this.held.length > 0) this.decide(Buffer.concat(this.held), true);
    done();
  }

  /** Part of one physical line; `complete` when it ends with its LF. */
  private takeLinePart(part: Buffer, complete: boolean): void {
    if (this.fate !== undefined) {
      this.pass(part, complete);
      if (complete) this.endLine();
      return;
    }
    this.held.push(part);
    const line = this.held.length === 1 ? part : Buffer.concat(this.held);
    if (complete && isBlankLine(line)) {
      // The empty line ends the header block; everything after it is body.
      this.held = [];
      this.forward(line);
      this.inHeader = false;
      return;
    }
    if (!complete && line.length === 1 && line[0] === CR) return; // may yet be the blank line
    this.decide(line, complete);
  }

  /** Decides the fate of a held line start, if its field is known yet, and passes it on. */
  private decide(line: Buffer, complete: boolean): void {
    const continuation = line[0] === 0x20 || line[0] === 0x09;
    if (!continuation) {
      const name = fieldName(line, complete);
      if (name === undefined) return; // the name is still coming (held bytes stay under MAX_NAME)
      this.field = name;
      const within = this.cost < this.options.soft || (this.options.keep.has(name) && this.cost < this.options.hard);
      this.fieldFate = within ? "pass" : "drop";
    }
    this.fate = this.fieldFate;
    this.held = [];
    this.pass(line, complete);
    if (complete) this.endLine();
  }

  /** Passes what the line's fate and the budgets allow; records what they did not. */
  private pass(part: Buffer, complete: boolean): void {
    if (this.fate === "drop") {
      this.noteCut();
      return;
    }
    const room = Math.min(this.options.maxLine, this.options.hard - this.cost) - this.linePassed;
    const body = complete ? part.subarray(0, part.length - lineBreakLength(part)) : part;
    if (body.length <= room) {
      this.forward(part);
      this.linePassed += part.length;
      return;
    }
    // Cut: what fits, then the line break that ends it, so that the splitter still sees one line.
    if (room > 0) {
      this.forward(body.subarray(0, room));
      this.linePassed += room;
    }
    this.noteCut();
    this.fate = "drop";
    this.fieldFate = "drop";
    // A line of which nothing passed is dropped whole: a lone line break would end the block.
    if (this.linePassed === 0) return;
    if (complete) this.forward(CRLF);
    else this.pendingBreak = true;
  }

  private endLine(): void {
    if (this.pendingBreak) {
      this.forward(CRLF);
      this.pendingBreak = false;
    }
    if (this.linePassed > 0) this.cost += Math.max(this.linePassed, LINE_MIN_COST);
    this.linePassed = 0;
    this.fate = undefined;
  }

  private noteCut(): void {
    if (this.options.keep.has(this.field)) this.cutFields.add(this.field);
    else this.othersCut = true;
  }

  private forward(bytes: Buffer): void {
    this.block.push(bytes);
    this.push(bytes);
  }
}

const CRLF = Buffer.from("\r\n");

function isBlankLine(line: Buffer): boolean {
  return (line.length === 1 && line[0] === LF) || (line.length === 2 && line[0] === CR && line[1] === LF);
}

function lineBreakLength(line: Buffer): number {
  if (line[line.length - 1] !== LF) return 0;
  return line.length > 1 && line[line.length - 2] === CR ? 2 : 1;
}

/**
 * The lower-cased field name at the start of `line`, "" when it has none (no colon within
 * MAX_NAME bytes, or the line ended first), undefined while more bytes may still name it.
 */
function fieldName(line: Buffer, complete: boolean): string | undefined {
  const colon = line.subarray(0, MAX_NAME).indexOf(0x3a);
  if (colon >= 0) return line.subarray(0, colon).toString("latin1").trim().toLowerCase();
  return complete || line.length >= MAX_NAME ? "" : undefined;
}
