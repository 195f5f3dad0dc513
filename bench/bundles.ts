// Bundle size and cold module initialisation of each cloud function, as the Pulumi program builds it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFunction } from "../infra/bundle";
import { zip } from "../infra/zip";

export interface BundleFigures {
  readonly entry: string;
  readonly bundleBytes: number;
  /** The bundle deflated in a zip, as the platforms receive it. */
  readonly zippedBytes: number;
  readonly initMsMedian: number;
  readonly initRunsMs: number[];
  /** The largest inputs, for when the size needs explaining. */
  readonly largestInputs: { path: string; bytes: number }[];
}

const RUNS = 7;

export function measureBundle(entry: string, target: string, external: readonly string[] = []): BundleFigures {
  const bundle = bundleFunction(entry, target, external);
  const dir = mkdtempSync(join(tmpdir(), "journal-bundle-"));
  try {
    const file = join(dir, "index.js");
    writeFileSync(file, bundle.code);
    // A fresh node process per run: the cost a cold Lambda or Functions worker pays to load the module.
    const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    // Externals (what the platform provides) resolve from the project's node_modules, and their load counts too.
    const env = { ...process.env, NODE_PATH: join(__dirname, "..", "node_modules") };
    const runs = Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, ["-e", probe], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env })));
    const sorted = [...runs].sort((a, b) => a - b);
    const inputs = Object.values(bundle.metafile.outputs)[0].inputs;
    const largestInputs = Object.entries(inputs)
      .map(([path, info]) => ({ path, bytes: info.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 5);
    const zippedBytes = zip([{ name: "index.js", data: Buffer.from(bundle.code) }]).length;
    return { entry, bundleBytes: Buffer.byteLength(bundle.code), zippedBytes, initMsMedian: Math.round(sorted[RUNS >> 1] * 10) / 10, initRunsMs: runs.map((r) => Math.round(r * 10) / 10), largestInputs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
