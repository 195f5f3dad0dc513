// The journal commands as a shell uses them: output into a pipe, the head anchor, bad arguments.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipeline } from "../../../functions/core/pipeline";
import { openLocalArchive } from "../../../functions/local/archive";
import { CLI } from "../../helpers/localServer";
import { rfc822 } from "../../helpers/messages";

const run = promisify(execFile);
let dir: string;
const COUNT = 150;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "journal-cli-"));
  const archive = await openLocalArchive({ dir });
  const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30 });
  for (let i = 0; i < COUNT; i++) {
    await pipeline.ingest(rfc822({ messageId: `<pipe-${i}@example.com>`, subject: `Board minutes, part ${i} ${"of the long series ".repeat(8)}`, to: `r${i}@example.org` }), { source: "file" });
  }
  await archive.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) =>
  run(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, JOURNAL_DIR: dir }, maxBuffer: 64 * 1024 * 1024 }).then(
    (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

describe("journal list", () => {
  it("writes all of its JSON into a pipe read slowly, well past 64 KiB, before it exits", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "list", "--json"], { env: { ...process.env, JOURNAL_DIR: dir }, stdio: ["ignore", "pipe", "ignore"] });
    // A slow reader, as `| jq` can be: the pipe fills and the writer must wait for it before it exits.
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 25);
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    const text = Buffer.concat(chunks).toString("utf8");
    expect(code).toBe(0);
    expect(text.length).toBeGreaterThan(128 * 1024);
    expect(JSON.parse(text)).toHaveLength(COUNT);
  });
});

describe("journal head", () => {
  it("prints the authenticated head and an anchor that verify --expect-head accepts", async () => {
    const head = await cli(["head", "--json"]);
    expect(head.code).toBe(0);
    const parsed = JSON.parse(head.stdout) as { seq: number; mac: string; at: string; anchor: string };
    // One line per ingestion, and one for the `list` above: a list is a search, and every search is audited.
    expect(parsed).toMatchObject({ seq: COUNT + 1, anchor: `${COUNT + 1}:${parsed.mac}` });
    expect(parsed.mac).toMatch(/^[0-9a-f]{64}$/);
    const verified = await cli(["verify", "--expect-head", parsed.anchor]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(new RegExp(`the anchor ${COUNT + 1}:${parsed.mac.slice(0, 12)}… is in the trail`));
  });

  it("refuses an anchor that is not SEQ:MAC with the usage, exit 2", async () => {
    const bad = await cli(["verify", "--expect-head", "yesterday"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--expect-head must be the anchor `head` printed, SEQ:MAC/);
  });
});
