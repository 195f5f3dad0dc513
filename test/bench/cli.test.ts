// `npm run bench` as a person meets it: help and typos answered at once, never the full benchmark,
// and no NaN where the corpus is missing.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const BENCH = join(__dirname, "..", "..", "bench", "run.ts");
const bench = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ["--import", "tsx", BENCH, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }).then(
    (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

describe("npm run bench", () => {
  it("prints its usage for --help, and refuses a typo with the usage, exit 2, without running anything", async () => {
    const [help, typo, stray] = await Promise.all([bench(["--help"]), bench(["--bundle"]), bench(["--records", "5000"])]);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toMatch(/^usage: npm run bench -- /);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/Unknown option '--bundle'[\s\S]*usage: npm run bench/);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("--records goes with --search");
  });

  it("says n/a rather than NaN when there is no corpus", async () => {
    const result = await bench(["--handlers"], { JOURNAL_CORPUS_DIR: join(__dirname, "no-such-corpus") });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("cloud functions: n/a (no corpus)");
    expect(result.stdout).not.toContain("NaN");
  });
});
