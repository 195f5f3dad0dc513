// npm run bench [-- --json]
// The whole pipeline (parse, hash, encrypt, write, audit into a local archive) against
// plain mailparser simpleParser over the same bytes: the corpus plus a generated 40 MB
// message. Each side runs in its own fresh process so that peak RSS is its own.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corpusFiles, CORPUS_DIR } from "../test/helpers/corpus";
import { largeMessage } from "./generate";
import type { WorkerResult } from "./worker";

interface Figures {
  readonly messages: number;
  readonly megabytes: number;
  readonly messagesPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssMiB: number;
  readonly statuses: Record<string, number>;
}

const MiB = 1024 * 1024;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function figures(result: WorkerResult, indexes: number[]): Omit<Figures, "peakRssMiB" | "statuses"> {
  const latencies = indexes.map((i) => result.latenciesMs[i]);
  const seconds = latencies.reduce((a, b) => a + b, 0) / 1000;
  const megabytes = indexes.reduce((sum, i) => sum + result.bytes[i], 0) / MiB;
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    messages: indexes.length,
    megabytes: round(megabytes),
    messagesPerSecond: round(indexes.length / seconds),
    megabytesPerSecond: round(megabytes / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
  };
}

function runWorker(mode: string, listFile: string): WorkerResult {
  const out = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "worker.ts"), mode, listFile], {
    encoding: "utf8",
    maxBuffer: 64 * MiB,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out.trim().split("\n").pop()!) as WorkerResult;
}

function main(): void {
  const json = process.argv.includes("--json");
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

    const sides = { pipeline: runWorker("pipeline", listFile), simpleParser: runWorker("simpleParser", listFile) };
    const all = inputs.map((_, i) => i);
    const corpusOnly = all.slice(0, corpus.length);
    const largeOnly = [inputs.length - 1];
    const report = Object.fromEntries(
      Object.entries(sides).map(([name, result]) => [
        name,
        {
          all: { ...figures(result, all), peakRssMiB: Math.round(result.peakRssBytes / MiB), statuses: result.statuses },
          corpus: figures(result, corpusOnly),
          large40MB: figures(result, largeOnly),
          baselineRssMiB: Math.round(result.baselineRssBytes / MiB),
        },
      ]),
    );
    const largestMiB = large.length / MiB;
    const summary = {
      inputs: { corpusMessages: corpus.length, largestMessageMiB: Math.round(largestMiB * 100) / 100 },
      ...report,
      ratio: {
        // > 1 means the whole pipeline is faster than simpleParser alone.
        throughputPipelineOverSimpleParser: Math.round((report.pipeline.all.megabytesPerSecond / report.simpleParser.all.megabytesPerSecond) * 100) / 100,
        pipelinePeakRssOverLargestMessage: Math.round((report.pipeline.all.peakRssMiB / largestMiB) * 100) / 100,
      },
    };
    if (json) {
      process.stdout.write(JSON.stringify(summary) + "\n");
      return;
    }
    const rows: [string, (f: Figures) => string][] = [
      ["messages", (f) => String(f.messages)],
      ["MB", (f) => f.megabytes.toFixed(1)],
      ["messages/s", (f) => f.messagesPerSecond.toFixed(1)],
      ["MB/s", (f) => f.megabytesPerSecond.toFixed(1)],
      ["p50 ms", (f) => f.p50Ms.toFixed(2)],
      ["p99 ms", (f) => f.p99Ms.toFixed(2)],
      ["peak RSS MiB", (f) => String(f.peakRssMiB)],
    ];
    const p = report.pipeline.all as Figures;
    const s = report.simpleParser.all as Figures;
    console.log(`corpus: ${corpus.length} messages from ${CORPUS_DIR}; plus one generated ${largestMiB.toFixed(1)} MiB message\n`);
    console.log(`${"".padEnd(14)}${"pipeline".padStart(12)}${"simpleParser".padStart(14)}`);
    for (const [label, cell] of rows) console.log(`${label.padEnd(14)}${cell(p).padStart(12)}${cell(s).padStart(14)}`);
    for (const slice of ["corpus", "large40MB"] as const) {
      const a = report.pipeline[slice];
      const b = report.simpleParser[slice];
      console.log(`\n${slice}: pipeline ${a.megabytesPerSecond} MB/s (p50 ${a.p50Ms} ms, p99 ${a.p99Ms} ms) vs simpleParser ${b.megabytesPerSecond} MB/s (p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms)`);
    }
    console.log(`\noutcomes: ${JSON.stringify(p.statuses)}`);
    console.log(`throughput ratio pipeline/simpleParser: ${summary.ratio.throughputPipelineOverSimpleParser} (target >= 1)`);
    console.log(
      `pipeline peak RSS / largest message: ${summary.ratio.pipelinePeakRssOverLargestMessage} (target < 3; idle process baseline ${report.pipeline.baselineRssMiB} MiB)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
