// npm run bench [-- --json]   (-- --search: the auditor's search index, bench/search.ts)
// The whole pipeline (parse, hash, encrypt, fsync'd write-once store, audit chain, into a
// local archive) against plain mailparser simpleParser over the same bytes: the corpus plus
// a generated 40 MB message. Each run is a fresh process, so its peak RSS is its own.
// Runs one delivery at a time, and 8 in flight as an intake serving several senders does.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusFiles, CORPUS_DIR } from "../test/helpers/corpus";
import { BUNDLE_TARGET } from "../infra/aws/ingest";
import { AZURE_BUNDLE_TARGET, AZURE_ENTRY, AZURE_EXTERNALS } from "../infra/azure/functionPackage";
import { GCP_BUNDLE_TARGET, GCP_ENTRY, GCP_EXTERNALS } from "../infra/gcp/functionSource";
import { measureBundle } from "./bundles";
import { largeMessage } from "./generate";
import { runSearchBench } from "./search";
import { runSmtpMemoryBench } from "./smtpMemory";
import type { WorkerResult } from "./worker";

const MiB = 1024 * 1024;
const CONCURRENT = 8;
const round = (n: number) => Math.round(n * 100) / 100;

interface Figures {
  readonly messagesPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Throughput over `seconds`; latency percentiles over the chosen messages. */
function figures(result: WorkerResult, indexes: number[], seconds: number): Figures {
  const sorted = indexes.map((i) => result.latenciesMs[i]).sort((a, b) => a - b);
  const megabytes = indexes.reduce((sum, i) => sum + result.bytes[i], 0) / MiB;
  return {
    messagesPerSecond: round(indexes.length / seconds),
    megabytesPerSecond: round(megabytes / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
  };
}

function runWorker(mode: string, listFile: string, concurrency: number): WorkerResult {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "worker.ts"), mode, listFile, String(concurrency)], {
    encoding: "utf8",
    maxBuffer: 64 * MiB,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out.trim().split("\n").pop()!) as WorkerResult;
}

/** Each cloud function as it is deployed. Targets: under 1.5 MB, init under 250 ms. */
function measureBundles() {
  return [
    measureBundle("aws/handler.ts", BUNDLE_TARGET),
    measureBundle(AZURE_ENTRY, AZURE_BUNDLE_TARGET, AZURE_EXTERNALS),
    // The Functions Framework is installed by Cloud Functions' build and loads the bundle: its load is counted, its size not.
    measureBundle(GCP_ENTRY, GCP_BUNDLE_TARGET, GCP_EXTERNALS),
  ];
}

function printBundles(bundles: ReturnType<typeof measureBundles>): void {
  for (const b of bundles) {
    console.log(
      `\nbundle ${b.entry}: ${(b.bundleBytes / 1e6).toFixed(2)} MB, ${(b.zippedBytes / 1e6).toFixed(2)} MB zipped (target < 1.5), cold init median ${b.initMsMedian} ms of ${b.initRunsMs.length} fresh processes (target < 250)`,
    );
    console.log(`  largest parts: ${b.largestInputs.map((i) => `${i.path.replace(/^node_modules\//, "")} ${Math.round(i.bytes / 1e3)} KB`).join(", ")}`);
  }
}

function main(): void {
  const json = process.argv.includes("--json");
  // --smtp-memory: the SMTP intake's memory under 16 concurrent 120 MiB senders (bench/smtpMemory.ts).
  if (process.argv.includes("--smtp-memory")) {
    runSmtpMemoryBench(json).catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
    return;
  }
  // --search: the auditor's local search index at 1,000,000 sidecars, and export throughput (bench/search.ts).
  if (process.argv.includes("--search")) {
    runSearchBench(process.argv.slice(2), json).catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
    return;
  }
  // --bundles: only the function bundles, in seconds rather than minutes.
  if (process.argv.includes("--bundles")) {
    const bundles = measureBundles();
    if (json) process.stdout.write(JSON.stringify({ bundles }) + "\n");
    else printBundles(bundles);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), "journal-bench-input-"));
  try {
    const corpus = corpusFiles();
    if (corpus.length === 0) process.stderr.write(`corpus not found at ${CORPUS_DIR}: measuring the generated message only\n`);
    const large = largeMessage();
    const largePath = join(work, "large-40MB.eml");
    writeFileSync(largePath, large);
    const inputs = [...corpus, largePath];
    const listFile = join(work, "inputs.txt");
    writeFileSync(listFile, inputs.join("\n"));
    const all = inputs.map((_, i) => i);
    const corpusOnly = all.slice(0, corpus.length);
    const largeOnly = [inputs.length - 1];

    const runs = [
      { name: "pipeline", mode: "pipeline", concurrency: 1 },
      { name: "simpleParser", mode: "simpleParser", concurrency: 1 },
      { name: `pipeline x${CONCURRENT}`, mode: "pipeline", concurrency: CONCURRENT },
      { name: `simpleParser x${CONCURRENT}`, mode: "simpleParser", concurrency: CONCURRENT },
    ].map((run) => {
      const result = runWorker(run.mode, listFile, run.concurrency);
      const sumSeconds = (indexes: number[]) => indexes.reduce((sum, i) => sum + result.latenciesMs[i], 0) / 1000;
      return {
        ...run,
        // Overall throughput is over wall time; the slices (one at a time only) over their own processing time.
        all: figures(result, all, result.wallMs / 1000),
        corpus: run.concurrency === 1 ? figures(result, corpusOnly, sumSeconds(corpusOnly)) : undefined,
        large40MB: run.concurrency === 1 ? figures(result, largeOnly, sumSeconds(largeOnly)) : undefined,
        peakRssMiB: Math.round(result.peakRssBytes / MiB),
        baselineRssMiB: Math.round(result.baselineRssBytes / MiB),
        statuses: result.statuses,
      };
    });

    const byName = Object.fromEntries(runs.map((run) => [run.name, run]));
    const bundles = measureBundles();
    const largestMiB = large.length / MiB;
    const pipeline = byName.pipeline;
    const summary = {
      inputs: { corpusMessages: corpus.length, largestMessageMiB: round(largestMiB), totalMiB: round(inputs.reduce((sum, path) => sum + statSync(path).size, 0) / MiB) },
      runs,
      bundles,
      ratios: {
        // > 1: the whole pipeline is faster than simpleParser alone.
        sequential: round(pipeline.all.megabytesPerSecond / byName.simpleParser.all.megabytesPerSecond),
        [`concurrent x${CONCURRENT}`]: round(byName[`pipeline x${CONCURRENT}`].all.megabytesPerSecond / byName[`simpleParser x${CONCURRENT}`].all.megabytesPerSecond),
        large40MB: round(pipeline.large40MB!.megabytesPerSecond / byName.simpleParser.large40MB!.megabytesPerSecond),
        pipelinePeakRssOverLargestMessage: round(pipeline.peakRssMiB / largestMiB),
        pipelinePeakRssAboveBaselineOverLargestMessage: round((pipeline.peakRssMiB - pipeline.baselineRssMiB) / largestMiB),
      },
    };
    if (json) {
      process.stdout.write(JSON.stringify(summary) + "\n");
      return;
    }
    console.log(`inputs: ${corpus.length} corpus messages from ${CORPUS_DIR} + one generated ${largestMiB.toFixed(1)} MiB message (${summary.inputs.totalMiB} MiB)\n`);
    const header = ["run", "msg/s", "MB/s", "p50 ms", "p99 ms", "peak RSS MiB", "ready RSS MiB"];
    console.log(header.map((h, i) => (i === 0 ? h.padEnd(20) : h.padStart(13))).join(""));
    for (const run of runs) {
      const cells = [run.all.messagesPerSecond, run.all.megabytesPerSecond, run.all.p50Ms, run.all.p99Ms, run.peakRssMiB, run.baselineRssMiB];
      console.log(run.name.padEnd(20) + cells.map((c) => String(c).padStart(13)).join(""));
    }
    for (const slice of ["corpus", "large40MB"] as const) {
      const p = pipeline[slice]!;
      const s = byName.simpleParser[slice]!;
      console.log(`\n${slice}, one at a time: pipeline ${p.megabytesPerSecond} MB/s (p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms) vs simpleParser ${s.megabytesPerSecond} MB/s (p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms)`);
    }
    console.log(`\npipeline outcomes: ${JSON.stringify(pipeline.statuses)}`);
    console.log(`throughput pipeline/simpleParser (target >= 1): sequential ${summary.ratios.sequential}, x${CONCURRENT} ${summary.ratios[`concurrent x${CONCURRENT}`]}, 40 MB message ${summary.ratios.large40MB}`);
    printBundles(bundles);
    console.log(
      `pipeline peak RSS / largest message (target < 3): ${summary.ratios.pipelinePeakRssOverLargestMessage} whole process; ${summary.ratios.pipelinePeakRssAboveBaselineOverLargestMessage} above the ready process (modules loaded, archive open)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
