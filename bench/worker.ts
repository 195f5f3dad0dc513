// One side of the benchmark, in a fresh process so that its peak RSS is its own.
// Usage: tsx bench/worker.ts <pipeline|simpleParser> <file with one input path per line>
// Prints one JSON line: per-message latencies, bytes, and peak RSS.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { createPipeline } from "../functions/core/pipeline";
import { openLocalArchive } from "../functions/local/archive";

export interface WorkerResult {
  readonly mode: string;
  readonly latenciesMs: number[];
  readonly bytes: number[];
  readonly statuses: Record<string, number>;
  readonly peakRssBytes: number;
  readonly baselineRssBytes: number;
}

type Process = (raw: Buffer) => Promise<string>;

async function processorFor(mode: string, dir: string): Promise<Process> {
  if (mode === "simpleParser") {
    return async (raw) => {
      await simpleParser(raw);
      return "parsed";
    };
  }
  if (mode === "pipeline") {
    const archive = await openLocalArchive({ dir });
    const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 2557 });
    return async (raw) => (await pipeline.ingest(raw, { source: "file" })).status;
  }
  throw new Error(`mode must be "pipeline" or "simpleParser", got "${mode}"`);
}

async function main(): Promise<void> {
  const [mode, listFile] = process.argv.slice(2);
  const paths = readFileSync(listFile, "utf8").split("\n").filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), "journal-bench-"));
  try {
    const baselineRssBytes = process.memoryUsage().rss;
    const run = await processorFor(mode, dir);
    const result: WorkerResult = { mode, latenciesMs: [], bytes: [], statuses: {}, peakRssBytes: 0, baselineRssBytes };
    for (const path of paths) {
      // Read outside the timed section: both sides are measured on bytes already in memory.
      const raw = readFileSync(path);
      const started = process.hrtime.bigint();
      let status: string;
      try {
        status = await run(raw);
      } catch {
        status = "error";
      }
      result.latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      result.bytes.push(raw.length);
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
    }
    // maxRSS is in kilobytes.
    process.stdout.write(JSON.stringify({ ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
