// The fault-injection suite: a full disk (ENOSPC, short writes), I/O errors (EIO) and kills
// injected at each file operation of an ingestion, through the archive's file layer. Nothing
// acknowledged is lost, nothing unaudited is served, and once the fault clears the archive
// takes the delivery again and verifies.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../functions/core/log";
import { createPipeline, type Pipeline } from "../../../functions/core/pipeline";
import { openLocalArchive, type LocalArchive } from "../../../functions/local/archive";
import { startHttpIntake } from "../../../functions/local/http";
import { verifyArchive } from "../../../functions/local/verify";
import { FaultyIo, type Verdict } from "../../helpers/faultyIo";
import { rfc822 } from "../../helpers/messages";

const FIXTURES = join(__dirname, "..", "..", "fixtures");
let dir: string;
let archive: LocalArchive;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "journal-faults-"));
});

afterEach(async () => {
  await archive?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function open(io?: FaultyIo): Promise<{ archive: LocalArchive; pipeline: Pipeline }> {
  archive = await openLocalArchive({ dir, ...(io ? { io } : {}) });
  return { archive, pipeline: createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30 }) };
}

/** A different small message per step, and a large one that takes the staged path's chunked writes. */
const message = (step: number) =>
  step % 5 === 0 ? rfc822({ messageId: `<big-${step}@example.com>`, body: `${"x".repeat(76)}\r\n`.repeat(40_000) }) : rfc822({ messageId: `<step-${step}@example.com>` });

/** How many file operations one ingestion takes, counted on a clean run. */
async function countOpsPerIngest(): Promise<number> {
  const probe = new FaultyIo();
  const { pipeline } = await open(probe);
  const before = probe.ops.length;
  await pipeline.ingest(message(1), { source: "file" });
  await archive.close();
  return probe.ops.length - before;
}

const staged = () => readdirSync(join(dir, "objects", ".staging")).length;

describe.each<[string, (op: number) => Verdict]>([
  ["a full disk (ENOSPC)", () => ({ fail: "ENOSPC" })],
  ["a short write, then a full disk", (op) => (op % 2 ? { short: 5 } : { fail: "ENOSPC" })],
  ["an I/O error (EIO)", () => ({ fail: "EIO" })],
])("%s at each operation of an ingestion", (_what, fault) => {
  it("loses nothing acknowledged, acknowledges nothing it lost, and verifies once the fault clears", async () => {
    const opsPerIngest = await countOpsPerIngest();
    expect(opsPerIngest).toBeGreaterThan(10);

    const acknowledged = new Map<string, Buffer>();
    for (let step = 1; step <= opsPerIngest; step++) {
      let faulty = false;
      let counted = 0;
      const io = new FaultyIo(() => (faulty && ++counted === step ? fault(step) : "run"));
      const { pipeline } = await open(io);
      faulty = true;
      const raw = message(step + 1);
      const first = await pipeline.ingest(raw, { source: "file" }).then((r) => r, () => undefined);
      if (first) acknowledged.set(first.key, raw);
      faulty = false;
      // The sender retries what was not acknowledged; once space returns it is taken.
      const again = await pipeline.ingest(raw, { source: "file" });
      acknowledged.set(again.key, raw);
      await archive.close();
    }
    const { archive: reopened } = await open();
    const verdict = await verifyArchive(reopened);
    expect(verdict.ok, JSON.stringify(verdict.problems.slice(0, 3))).toBe(true);
    for (const [key, raw] of acknowledged) expect((await reopened.store.get(key))?.equals(raw), key).toBe(true);
    expect(staged()).toBe(0);
  });
});

describe("a kill at each operation of an ingestion", () => {
  it("always restarts, keeps every acknowledged message, and verifies", async () => {
    const opsPerIngest = await countOpsPerIngest();

    const acknowledged = new Map<string, Buffer>();
    const recoveries: string[] = [];
    for (let step = 1; step <= opsPerIngest; step++) {
      const io = new FaultyIo();
      const { pipeline } = await open(io);
      io.crashAt(io.ops.length + step);
      const raw = message(step + 1);
      const result = await pipeline.ingest(raw, { source: "file" }).then((r) => r, () => undefined);
      if (result) acknowledged.set(result.key, raw);
      await archive.close().catch(() => undefined);
      // Restart on the same folder: recovery settles what the kill left.
      const { archive: restarted } = await open();
      recoveries.push(...restarted.recovery);
      const verdict = await verifyArchive(restarted);
      expect(verdict.ok, `kill at operation ${step}: ${JSON.stringify(verdict.problems.slice(0, 2))}`).toBe(true);
      expect(staged(), `kill at operation ${step}`).toBe(0);
      for (const [key, bytes] of acknowledged) expect((await restarted.store.get(key))?.equals(bytes), `${key} after kill at ${step}`).toBe(true);
      await restarted.close();
    }
    // The kills fell on both sides of the audit line: staged objects were linked and removed.
    expect(recoveries.some((r) => /^linked \d+ staged object/.test(r))).toBe(true);
    expect(recoveries.some((r) => /^removed \d+ staged object/.test(r))).toBe(true);
  });
});

describe("reads and intake over HTTP while the disk is full", () => {
  it("refuses a read it cannot audit with 503 and says why, takes nothing it cannot keep, and works once space returns", async () => {
    let full = false;
    const io = new FaultyIo((op) => (full && op.kind === "write" ? { fail: "ENOSPC" } : "run"));
    const { pipeline } = await open(io);
    const token = "fault-test-token-0123456789";
    const server = await startHttpIntake({ pipeline, archive, port: 0, host: "127.0.0.1", token, maxMessageBytes: 1 << 20, logger: silentLogger });
    const call = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${server.port}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });
    try {
      const raw = readFileSync(join(FIXTURES, "plain", "simple-crlf.eml"));
      const stored = (await (await call("/ingest", { method: "POST", body: raw })).json()) as { sha256: string };
      full = true;
      const read = await call(`/messages/${stored.sha256}`);
      expect(read.status).toBe(503);
      expect(await read.json()).toEqual({ error: expect.stringMatching(/the audit log cannot be written .* so the read is refused: every read must be audited/) });
      const refused = await call("/ingest", { method: "POST", body: rfc822({ messageId: "<while-full@example.com>" }) });
      expect(refused.status).toBe(503);
      full = false;
      const served = await call(`/messages/${stored.sha256}`);
      expect(served.status).toBe(200);
      expect(Buffer.from(await served.arrayBuffer()).equals(raw)).toBe(true);
      expect((await call("/ingest", { method: "POST", body: rfc822({ messageId: "<while-full@example.com>" }) })).status).toBe(200);
    } finally {
      await server.close();
    }
    await archive.close();
    const { archive: reopened } = await open();
    const verdict = await verifyArchive(reopened);
    expect(verdict.ok, JSON.stringify(verdict.problems)).toBe(true);
    const actions = readFileSync(join(dir, "audit", "audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l).action);
    // One read served, one read refused and not recorded: every served read has its line, and only those.
    expect(actions.filter((a) => a === "read")).toHaveLength(1);
  });
});
