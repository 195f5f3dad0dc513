// One side of the benchmark, in a fresh process so that its peak RSS is its own.
// Usage: tsx bench/worker.ts <pipeline|simpleParser> <file with one input path per line> <concurrency>
// Prints one JSON line: per-message latencies, bytes, wall time and peak RSS.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface WorkerResult {
  readonly mode: string;
  readonly latenciesMs: number[];
  readonly bytes: number[];
  readonly statuses: Record<string, number>;
  readonly wallMs: number;
  readonly peakRssBytes: number;
  readonly baselineRssBytes: number;
  /** fdatasync and folder fsync calls while the messages were processed (the pipeline only). */
  readonly syncs?: number;
}

type Process = (raw: Buffer) => Promise<string>;

/** Syncs the archive made, counted through its file layer: the same calls `npm start` makes. */
const counted = { syncs: 0 };

// Each side loads only its own modules, so that its baseline RSS is its own.
async function processorFor(mode: string, dir: string): Promise<Process> {
  if (mode === "simpleParser") {
    const { simpleParser } = await import("mailparser");
    return async (raw) => {
      await simpleParser(raw);
      return "parsed";
    };
  }
  if (mode === "pipeline") {
    const { createPipeline } = await import("../functions/core/pipeline");
    const { openLocalArchive } = await import("../functions/local/archive");
    const { realFileIo } = await import("../functions/local/fileIo");
    const io = {
      ...realFileIo,
      datasync: (file: Parameters<typeof realFileIo.datasync>[0]) => (counted.syncs++, realFileIo.datasync(file)),
      syncFolder: (path: string) => (counted.syncs++, realFileIo.syncFolder(path)),
    };
    const archive = await openLocalArchive({ dir, io });
    const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 2557 });
    return async (raw) => (await pipeline.ingest(raw, { source: "file" })).status;
  }
  throw new Error(`mode must be "pipeline" or "simpleParser", got "${mode}"`);
}

async function main(): Promise<void> {
  const [mode, listFile, concurrencyArg] = process.argv.slice(2);
  const concurrency = Number(concurrencyArg ?? "1");
  const paths = readFileSync(listFile, "utf8").split("\n").filter(Boolean);
  const dir = mkdtempSync(join(tmpdir(), "journal-bench-"));
  try {
    const run = await processorFor(mode, dir);
    // Idle with its modules loaded and its archive open: what the messages themselves add is measured above this.
    const baselineRssBytes = process.memoryUsage().rss;
    const latenciesMs: number[] = new Array(paths.length);
    const bytes: number[] = new Array(paths.length);
    const statuses: Record<string, number> = {};
    let next = 0;
    counted.syncs = 0;
    const started = process.hrtime.bigint();
    // `concurrency` deliveries in flight, as an intake serving several senders has.
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < paths.length) {
          const i = next++;
          // Read outside the timed section: both sides are measured on bytes already in memory.
          const raw = readFileSync(paths[i]);
          const t0 = process.hrtime.bigint();
          let status: string;
          try {
            status = await run(raw);
          } catch {
            status = "error";
          }
          latenciesMs[i] = Number(process.hrtime.bigint() - t0) / 1e6;
          bytes[i] = raw.length;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const result: WorkerResult = { mode, latenciesMs, bytes, statuses, wallMs, peakRssBytes: 0, baselineRssBytes, ...(mode === "pipeline" ? { syncs: counted.syncs } : {}) };
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
