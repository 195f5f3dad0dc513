// The header budget in front of the MIME splitter (functions/core/headerBudget.ts): what it passes
// is still a well-formed header block, the body is untouched, and it says what it cut.
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { HeaderBudget, LINE_MIN_COST } from "../../../functions/core/headerBudget";

const KEEP = new Set(["from", "to", "subject"]);

/** Runs `input`, split into the given chunks, through a budget; returns what came out and the budget. */
async function run(chunks: string[], options: Partial<{ soft: number; hard: number; maxLine: number }> = {}) {
  const budget = new HeaderBudget({ soft: 1000, hard: 2000, maxLine: 500, keep: KEEP, ...options });
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks.map((c) => Buffer.from(c, "latin1"))), budget, new Writable({ write: (chunk, _e, done) => (out.push(chunk), done()) }));
  return { text: Buffer.concat(out).toString("latin1"), budget };
}

/** Every way of cutting `text` into two chunks. */
const splits = (text: string) => Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);

describe("HeaderBudget", () => {
  it("passes a message under budget byte for byte, however the input is chunked", async () => {
    const message = "From: a@example.com\r\nTo: b@example.com,\r\n c@example.com\r\n\r\nbody\r\n\r\nmore\r\n";
    for (const chunks of splits(message)) {
      const { text, budget } = await run(chunks);
      expect(text).toBe(message);
      expect(budget.cutFields.size).toBe(0);
      expect(budget.othersCut).toBe(false);
    }
  });

  it("past the soft budget drops the fields the archive does not read, and keeps those it does", async () => {
    // Each short line costs LINE_MIN_COST: 20 of them reach the soft budget of 1000.
    const noise = Array.from({ length: 40 }, (_, i) => `X-N${i}: v\r\n`).join("");
    const { text, budget } = await run([noise + "Subject: kept\r\nX-Late: dropped\r\n\r\nbody"]);
    const passed = text.split("\r\n\r\n")[0].split("\r\n");
    expect(passed).toHaveLength(Math.ceil(1000 / LINE_MIN_COST) + 1);
    expect(passed.at(-1)).toBe("Subject: kept");
    expect(text.endsWith("\r\n\r\nbody")).toBe(true);
    expect(budget.othersCut).toBe(true);
    expect(budget.cutFields.size).toBe(0);
  });

  it("cuts a line over the line limit where the limit is, keeps its line break, and names the field", async () => {
    const { text, budget } = await run([`To: ${"a".repeat(2000)}\r\n continued\r\nFrom: x@example.com\r\n\r\nbody`]);
    const [head] = text.split("\r\n\r\n");
    expect(head.split("\r\n")).toEqual([`To: ${"a".repeat(496)}`, "From: x@example.com"]);
    expect([...budget.cutFields]).toEqual(["to"]);
  });

  it("never passes a lone line break inside the header block: a line it cannot start is dropped whole", async () => {
    // The first field fills the hard budget; its continuation line has no room left at all.
    const { text } = await run([`Subject: ${"s".repeat(1990)}\r\n more\r\nFrom: x@example.com\r\n\r\nbody`], { maxLine: 5000 });
    expect(text.split("\r\n\r\n")).toHaveLength(2);
    expect(text.endsWith("\r\n\r\nbody")).toBe(true);
  });

  it("recognises the blank line that ends the block even when its CR and LF arrive apart", async () => {
    const noise = Array.from({ length: 40 }, (_, i) => `X-N${i}: v\r\n`).join("");
    const { text } = await run([noise + "\r", "\nX-Body-Line: stays\r\n"]);
    expect(text.endsWith("\r\n\r\nX-Body-Line: stays\r\n")).toBe(true);
  });

  it("keeps a copy of the header block it passed, for a headers-only reading", async () => {
    const { budget } = await run(["From: a@example.com\r\n\r\nbody"]);
    expect(budget.headerBlock().toString()).toBe("From: a@example.com\r\n\r\n");
  });
});
