// `npm run bench`: what the archive costs, against plain mailparser simpleParser over the same bytes.
// The local pipeline (parse, hash, encrypt, synced write-once store, audit trail) with the same sync
// discipline as `npm start`, on the corpus one delivery at a time and 8 in flight, and on a generated
// 40 MB message; the syncs it makes per message; each cloud function's per-message work behind its SDK
// stand-in; the function bundles. Every run of the local pipeline is a fresh process, so its peak RSS
// is its own. Figures are printed, never asserted.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { corpusFiles, CORPUS_DIR } from "../test/helpers/corpus";
import { largeMessage } from "./generate";
import type { WorkerResult } from "./worker";
// The bundles, handlers, search and SMTP benchmarks are imported when asked for: the infra constants
// alone load Pulumi and a provider, which --help and a typo should not wait for.

const USAGE = `usage: npm run bench -- [--json] [--bundles | --handlers | --smtp-memory | --search [--records N]]
  (no option)    the local pipeline against simpleParser (corpus one at a time and 8 in flight, a
                 40 MB message, peak RSS, syncs per message), the cloud functions' per-message work,
                 and the bundles; several minutes
  --bundles      the cloud function bundles only: size and cold start
  --handlers     each cloud function's per-message work behind its SDK stand-in
  --smtp-memory  peak RSS with 16 concurrent 120 MiB SMTP senders
  --search       the auditor's local index over --records generated sidecars (default 1,000,000)
  --json         one JSON document instead of the table`;

const MiB = 1024 * 1024;
const CONCURRENT = 8;
const round = (n: number) => Math.round(n * 100) / 100;

interface Figures {
  readonly messages: number;
  readonly messagesPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssMiB: number;
  readonly readyRssMiB: number;
  /** fdatasync and folder fsync calls per message (the pipeline only). */
  readonly syncsPerMessage?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** One side, over one list of inputs, in a fresh process. */
function run(mode: "pipeline" | "simpleParser", paths: readonly string[], concurrency: number, work: string): Figures {
  const listFile = join(work, `${mode}-${concurrency}-${paths.length}.txt`);
  writeFileSync(listFile, paths.join("\n"));
  const out = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "worker.ts"), mode, listFile, String(concurrency)], {
    encoding: "utf8",
    maxBuffer: 64 * MiB,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const result = JSON.parse(out.trim().split("\n").pop()!) as WorkerResult;
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const seconds = result.wallMs / 1000;
  return {
    messages: paths.length,
    messagesPerSecond: round(paths.length / seconds),
    megabytesPerSecond: round(result.bytes.reduce((sum, b) => sum + b, 0) / MiB / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    peakRssMiB: Math.round(result.peakRssBytes / MiB),
    readyRssMiB: Math.round(result.baselineRssBytes / MiB),
    ...(result.syncs !== undefined ? { syncsPerMessage: round(result.syncs / paths.length) } : {}),
  };
}

/** Each cloud function as it is deployed. Targets: under 1.5 MB, init under 250 ms. */
async function measureBundles() {
  const [{ measureBundle }, { BUNDLE_TARGET }, { AZURE_BUNDLE_TARGET, AZURE_ENTRY, AZURE_EXTERNALS }, { GCP_BUNDLE_TARGET, GCP_ENTRY, GCP_EXTERNALS }] = await Promise.all([
    import("./bundles"),
    import("../infra/aws/ingest"),
    import("../infra/azure/functionPackage"),
    import("../infra/gcp/functionSource"),
  ]);
  return [
    measureBundle("aws/handler.ts", BUNDLE_TARGET),
    measureBundle(AZURE_ENTRY, AZURE_BUNDLE_TARGET, AZURE_EXTERNALS),
    // The Functions Framework is installed by Cloud Functions' build and loads the bundle: its load is counted, its size not.
    measureBundle(GCP_ENTRY, GCP_BUNDLE_TARGET, GCP_EXTERNALS),
  ];
}

function printBundles(bundles: Awaited<ReturnType<typeof measureBundles>>): void {
  for (const b of bundles) {
    console.log(`bundle ${b.entry}: ${(b.bundleBytes / 1e6).toFixed(2)} MB, ${(b.zippedBytes / 1e6).toFixed(2)} MB zipped (target < 1.5), cold init median ${b.initMsMedian} ms of ${b.initRunsMs.length} fresh processes (target < 250)`);
    console.log(`  largest parts: ${b.largestInputs.map((i) => `${i.path.replace(/^node_modules\//, "")} ${Math.round(i.bytes / 1e3)} KB`).join(", ")}`);
  }
}

async function handlerFigures(corpus: readonly string[]) {
  // Every fourth corpus message, or generated mail without the corpus: enough for a stable mean.
  const messages = corpus.length > 0 ? corpus.filter((_, i) => i % 4 === 0).map((path) => readFileSync(path)) : [];
  return messages.length > 0 ? (await import("./handlers")).measureHandlers(messages) : [];
}

function printHandlers(handlers: Awaited<ReturnType<typeof handlerFigures>>): void {
  if (handlers.length === 0) return console.log("cloud functions: n/a (no corpus)");
  for (const h of handlers) console.log(`cloud function ${h.cloud}: ${h.meanMs} ms per message vs simpleParser ${h.simpleParserMeanMs} ms (ratio ${h.ratio}), ${h.messages} corpus messages, ${h.stand_in}`);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { json: { type: "boolean" }, bundles: { type: "boolean" }, handlers: { type: "boolean" }, "smtp-memory": { type: "boolean" }, search: { type: "boolean" }, records: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const json = values.json === true;
  if (values.records !== undefined && !values.search) {
    console.error(`--records goes with --search\n\n${USAGE}`);
    return 2;
  }
  if (values["smtp-memory"]) return (await import("./smtpMemory")).runSmtpMemoryBench(json).then(() => 0);
  if (values.search) return (await import("./search")).runSearchBench(values.records !== undefined ? ["--records", values.records] : [], json).then(() => 0);
  if (values.bundles) {
    const bundles = await measureBundles();
    if (json) console.log(JSON.stringify({ bundles }));
    else printBundles(bundles);
    return 0;
  }
  const corpus = corpusFiles();
  if (values.handlers) {
    const handlers = await handlerFigures(corpus);
    if (json) console.log(JSON.stringify({ handlers }));
    else printHandlers(handlers);
    return 0;
  }

  const work = mkdtempSync(join(tmpdir(), "journal-bench-input-"));
  try {
    if (corpus.length === 0) console.error(`corpus not found at ${CORPUS_DIR} (JOURNAL_CORPUS_DIR): the corpus figures are n/a, the 40 MB message is measured`);
    const large = largeMessage();
    const largePath = join(work, "large-40MB.eml");
    writeFileSync(largePath, large);
    const largestMiB = large.length / MiB;
    const measured = {
      corpus: corpus.length > 0 ? { pipeline: run("pipeline", corpus, 1, work), simpleParser: run("simpleParser", corpus, 1, work) } : undefined,
      [`corpus x${CONCURRENT}`]: corpus.length > 0 ? { pipeline: run("pipeline", corpus, CONCURRENT, work), simpleParser: run("simpleParser", corpus, CONCURRENT, work) } : undefined,
      large40MB: { pipeline: run("pipeline", [largePath], 1, work), simpleParser: run("simpleParser", [largePath], 1, work) },
    };
    const ratio = (pair: { pipeline: Figures; simpleParser: Figures } | undefined) => (pair ? round(pair.pipeline.megabytesPerSecond / pair.simpleParser.megabytesPerSecond) : null);
    const big = measured.large40MB.pipeline;
    const summary = {
      machine: { cpus: cpus().length, loadAverage: loadavg().map(round) },
      inputs: { corpusMessages: corpus.length, largestMessageMiB: round(largestMiB) },
      measured,
      ratios: {
        // Above 1: the whole pipeline is faster than simpleParser alone (targets: ≥ 0.8, ≥ 1.2, ≥ 1.5).
        corpusSequential: ratio(measured.corpus),
        [`corpus x${CONCURRENT}`]: ratio(measured[`corpus x${CONCURRENT}`]),
        large40MB: ratio(measured.large40MB),
        // Target < 2.5: what the largest message adds to the ready process, in multiples of its size.
        peakRssAboveReadyOverLargestMessage: round((big.peakRssMiB - big.readyRssMiB) / largestMiB),
      },
      handlers: await handlerFigures(corpus),
      bundles: await measureBundles(),
    };
    if (json) {
      console.log(JSON.stringify(summary));
      return 0;
    }
    console.log(`machine: ${summary.machine.cpus} CPUs, load average ${summary.machine.loadAverage.join(" ")}; inputs: ${corpus.length} corpus messages, one generated ${largestMiB.toFixed(1)} MiB message\n`);
    const header = ["run", "msgs", "msg/s", "MB/s", "p50 ms", "p99 ms", "peak RSS", "ready RSS", "syncs/msg"];
    console.log(header.map((h, i) => (i === 0 ? h.padEnd(30) : h.padStart(10))).join(""));
    for (const [name, pair] of Object.entries(measured)) {
      if (!pair) {
        console.log(`${name.padEnd(30)}n/a (no corpus)`);
        continue;
      }
      for (const [side, f] of Object.entries(pair)) {
        const cells = [f.messages, f.messagesPerSecond, f.megabytesPerSecond, f.p50Ms, f.p99Ms, f.peakRssMiB, f.readyRssMiB, f.syncsPerMessage ?? "-"];
        console.log(`${`${name} ${side}`.padEnd(30)}${cells.map((c) => String(c).padStart(10)).join("")}`);
      }
    }
    const r = summary.ratios;
    console.log(`\npipeline / simpleParser throughput: corpus one at a time ${r.corpusSequential ?? "n/a"} (target >= 0.8), corpus x${CONCURRENT} ${r[`corpus x${CONCURRENT}`] ?? "n/a"} (target >= 1.2), 40 MB message ${r.large40MB} (target >= 1.5)`);
    console.log(`peak RSS above the ready process / largest message: ${r.peakRssAboveReadyOverLargestMessage} (target < 2.5)\n`);
    printHandlers(summary.handlers);
    console.log();
    printBundles(summary.bundles);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
