// One writer per archive, as processes meet it: a second `npm start`, the journal commands run
// from another terminal while the server runs, a wrong master key, an export onto a file.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLocalArchive } from "../../../functions/local/archive";
import { logPath } from "../../../functions/local/auditLog";
import { ArchiveBusyError } from "../../../functions/local/writerLock";
import { CLI, startServer, type LocalServer } from "../../helpers/localServer";
import { rfc822 } from "../../helpers/messages";

const run = promisify(execFile);
const KEY = Buffer.alloc(32, 3).toString("base64");
let dir: string;
let servers: LocalServer[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "journal-writer-"));
  servers = [];
});

afterEach(async () => {
  for (const server of servers) {
    server.process.kill("SIGTERM");
    await server.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function serve(env: Record<string, string> = {}): Promise<LocalServer> {
  const server = await startServer(dir, env);
  servers.push(server);
  return server;
}

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, JOURNAL_DIR: dir, ...env } }).then(
    (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

async function ingest(server: LocalServer, body: Buffer): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${server.httpPort}/ingest`, { method: "POST", body, headers: { authorization: `Bearer ${server.token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { sha256: string }).sha256;
}

const auditActions = () => readFileSync(logPath(dir), "utf8").trim().split("\n").map((line) => JSON.parse(line).action as string);

describe("one writer per archive", () => {
  it("refuses a second server on the same folder, naming the first one's pid", async () => {
    const first = await serve();
    await expect(startServer(dir)).rejects.toThrow(new RegExp(`already open for writing by process ${first.process.pid}`));
  });

  it("refuses a second writer in the same process too, and frees the lock when the first closes", async () => {
    const first = await openLocalArchive({ dir });
    await expect(openLocalArchive({ dir })).rejects.toThrow(ArchiveBusyError);
    await first.close();
    const second = await openLocalArchive({ dir });
    await second.close();
  });

  it("frees the lock when the writer is killed: no stale lock to clear", async () => {
    const first = await serve();
    first.process.kill("SIGKILL");
    await first.exited;
    servers = [];
    const second = await serve();
    expect(second.httpPort).toBeGreaterThan(0);
  });

  it("lets verify, head and list run beside the server without the lock, and export through it: one unbroken chain", async () => {
    const server = await serve();
    const shas = [];
    for (let i = 0; i < 3; i++) shas.push(await ingest(server, rfc822({ messageId: `<side-${i}@example.com>` })));
    const [verify, head] = await Promise.all([cli(["verify"]), cli(["head", "--json"])]);
    expect(verify).toMatchObject({ code: 0 });
    expect(JSON.parse(head.stdout).seq).toBe(3);
    // A list is a search: audited, its line written by the server.
    const list = await cli(["list", "--json"]);
    expect(JSON.parse(list.stdout)).toHaveLength(3);
    expect(auditActions()).toContain("searched");
    // Exports from another terminal while the server ingests: the server writes their lines.
    const exports = await Promise.all(shas.map((sha, i) => cli(["export", sha, "--out", join(dir, `copy-${i}.eml`)])));
    expect(exports.map((e) => e.code)).toEqual([0, 0, 0]);
    await ingest(server, rfc822({ messageId: "<after@example.com>" }));
    expect(auditActions().filter((a) => a === "exported")).toHaveLength(3);
    const lines = readFileSync(logPath(dir), "utf8").trim().split("\n").map((line) => JSON.parse(line).seq);
    expect(lines).toEqual(lines.map((_, i) => i + 1));
    expect((await cli(["verify"])).code).toBe(0);
  });
});

describe("keys and audit lines only for what happened", () => {
  it("refuses a master key that is not the archive's before writing anything, and the archive still verifies", async () => {
    const server = await serve({ JOURNAL_MASTER_KEY: KEY });
    const sha = await ingest(server, rfc822());
    server.process.kill("SIGTERM");
    await server.exited;
    servers = [];
    const before = statSync(logPath(dir)).size;
    const wrong = Buffer.alloc(32, 4).toString("base64");
    const refused = await cli(["export", sha, "--out", join(dir, "x.eml")], { JOURNAL_MASTER_KEY: wrong });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/audit\.head is signed by master key [0-9a-f]{16}, which this process does not have: JOURNAL_MASTER_KEY \(or the keys folder\) is not this archive's/);
    expect(statSync(logPath(dir)).size).toBe(before);
    expect(existsSync(join(dir, "x.eml"))).toBe(false);
    await expect(startServer(dir, { JOURNAL_MASTER_KEY: wrong })).rejects.toThrow(/this process does not have/);
    expect((await cli(["verify"], { JOURNAL_MASTER_KEY: KEY })).code).toBe(0);
  });

  it("refuses JOURNAL_MASTER_KEY on an archive that keeps its own key files, instead of signing with a key it never saved", async () => {
    const server = await serve();
    const sha = await ingest(server, rfc822());
    const refused = await cli(["export", sha], { JOURNAL_MASTER_KEY: KEY });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/JOURNAL_MASTER_KEY \(key [0-9a-f]{16}\) is not one of this archive's keys/);
    expect(auditActions()).toEqual(["ingested"]);
  });

  it("never overwrites an export's target, and writes no audit line for an export that did not happen", async () => {
    const server = await serve();
    const sha = await ingest(server, rfc822());
    const target = join(dir, "taken.eml");
    writeFileSync(target, "already here");
    const refused = await cli(["export", sha, "--out", target]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/taken\.eml already exists: export never overwrites a file/);
    expect(readFileSync(target, "utf8")).toBe("already here");
    expect(auditActions()).toEqual(["ingested"]);
  });
});
