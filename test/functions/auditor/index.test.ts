// The local search index: blind (no plaintext of what the archive encrypts), complete from the trail
// whoever wrote the mail, caught up by the running server, replayed safely after a crash, and rebuilt
// when it cannot be trusted.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catchUp, rebuild } from "../../../functions/auditor/local/indexer";
import { indexEngine } from "../../../functions/auditor/local/indexEngine";
import { INDEX_FOLDER, SearchIndex } from "../../../functions/auditor/local/searchIndex";
import type { Query } from "../../../functions/auditor/query";
import { createPipeline } from "../../../functions/core/pipeline";
import { openArchiveReader, openLocalArchive } from "../../../functions/local/archive";
import { CLI, startServer } from "../../helpers/localServer";
import { rfc822 } from "../../helpers/messages";
import { buildArchive, type Built } from "./archives";

const run = promisify(execFile);
const dirs: string[] = [];
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `journal-index-${name}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const cli = (dir: string, args: string[]) =>
  run(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, JOURNAL_DIR: dir } }).then(
    (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

function openIndex(dir: string) {
  const reader = openArchiveReader({ dir });
  const index = SearchIndex.open(dir, reader.keyring);
  return { reader, index, engine: indexEngine(index, (key) => reader.store.get(key)) };
}

const shas = async (engine: ReturnType<typeof indexEngine>, query: Query) => (await engine.search(query)).hits.map((h) => h.sha256);

describe("a blind index", () => {
  let dir: string;
  let built: Built[];
  beforeAll(async () => {
    dir = tempDir("blind");
    built = await buildArchive(dir);
    const { reader, index, engine } = openIndex(dir);
    await catchUp(index, reader);
    // Searches work: the index holds what it needs.
    expect(await shas(engine, { area: "messages", from: "alice@example.com" })).not.toEqual([]);
    index.close();
  });

  it("holds no address, domain, subject word, Message-ID, attachment name or hash in plaintext, in any of its files", () => {
    const files = readdirSync(join(dir, INDEX_FOLDER)).map((name) => readFileSync(join(dir, INDEX_FOLDER, name)));
    const all = Buffer.concat(files);
    // Control: the grep sees the file's content (the record's own SHA-256 is stored, as every object's file name is).
    expect(all.includes(Buffer.from(built[0].result.sha256, "hex"))).toBe(true);
    for (const secret of [
      "alice@example.com",
      "chris@contoso.com",
      "sales@contoso.com",
      "anna@contoso.com",
      "contoso.com",
      "example.net",
      "Quarterly",
      "quarterly",
      "allocation",
      "Settlement",
      "needle",
      "q3-figures@example.com",
      "alloc-2026-11-24@contoso.com",
      "figures q3.xlsx",
      "Figures Q3.xlsx",
      "settlement.csv",
      "not an email",
    ]) {
      expect(all.includes(Buffer.from(secret, "utf8")), secret).toBe(false);
      expect(all.includes(Buffer.from(secret, "utf16le")), `${secret} (UTF-16)`).toBe(false);
    }
  });

  it("is emptied and rebuilt, never trusted, under a master key the archive does not have", async () => {
    const other = tempDir("other-key");
    await buildArchive(other);
    // This archive's index, copied under another archive (another master key).
    mkdirSync(join(other, INDEX_FOLDER));
    copyFileSync(SearchIndex.path(dir), join(other, INDEX_FOLDER, "search.sqlite"));
    const { reader, index } = openIndex(other);
    expect(index.count).toBe(0);
    await catchUp(index, reader);
    expect(index.count).toBe(built.length);
    index.close();
  });
});

describe("kept complete from the trail", () => {
  it("replays lines after a crash mid-update without doubling anything, and restarts on a trail it did not follow", async () => {
    const dir = tempDir("replay");
    const built = await buildArchive(dir);
    const { reader, index, engine } = openIndex(dir);
    await catchUp(index, reader);
    const before = await shas(engine, { area: "messages", to: "bob@example.org" });
    // The position as if the last transactions never committed: every line is read again.
    const db = new Database(SearchIndex.path(dir));
    db.prepare("DELETE FROM settings WHERE name = 'trail'").run();
    const again = await catchUp(index, reader);
    expect(again.added).toBe(0);
    expect(index.count).toBe(built.length);
    expect(await shas(engine, { area: "messages", to: "bob@example.org" })).toEqual(before);
    // A position whose line is not in this trail (the trail was replaced): the index starts again.
    db.prepare("UPDATE settings SET value = json_set(value, '$.mac', ?) WHERE name = 'trail'").run("f".repeat(64));
    db.close();
    const restarted = await catchUp(index, reader);
    expect(restarted.restarted).toBe(true);
    expect(index.count).toBe(built.length);
    expect(await shas(engine, { area: "messages", to: "bob@example.org" })).toEqual(before);
    index.close();
  });

  it("finds mail another process archived after the index was last read", async () => {
    const dir = tempDir("later");
    await buildArchive(dir);
    const { reader, index, engine } = openIndex(dir);
    await catchUp(index, reader);
    const archive = await openLocalArchive({ dir });
    const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30 });
    const late = await pipeline.ingest(rfc822({ from: "late@example.com", messageId: "<late@example.com>" }), { source: "file" });
    await archive.close();
    expect(await shas(engine, { area: "messages", from: "late@example.com" })).toEqual([]);
    await catchUp(index, reader);
    expect(await shas(engine, { area: "messages", from: "late@example.com" })).toEqual([late.sha256]);
    index.close();
  });

  it("rebuilds from the sidecars (journal reindex) to the same answers", async () => {
    const dir = tempDir("rebuild");
    const built = await buildArchive(dir);
    const { reader, index, engine } = openIndex(dir);
    await catchUp(index, reader);
    const query: Query = { area: "messages", domain: "contoso.com" };
    const before = await shas(engine, query);
    expect(await rebuild(index, reader)).toBe(built.length);
    expect(await shas(engine, query)).toEqual(before);
    index.close();
    rmSync(join(dir, INDEX_FOLDER), { recursive: true });
    const reindexed = await cli(dir, ["reindex"]);
    expect(reindexed.code).toBe(0);
    expect(reindexed.stdout).toMatch(new RegExp(`index rebuilt: ${built.length} records`));
    const searched = await cli(dir, ["search", "--domain", "contoso.com", "--format", "json"]);
    expect((JSON.parse(searched.stdout) as { hits: Array<{ sha256: string }> }).hits.map((h) => h.sha256)).toEqual(before);
  });
});

describe("the running server", () => {
  it("indexes each delivery as it is archived, and a search beside it is audited through it", async () => {
    const dir = tempDir("server");
    const server = await startServer(dir);
    try {
      const res = await fetch(`http://127.0.0.1:${server.httpPort}/ingest`, { method: "POST", body: rfc822({ from: "live@example.com", messageId: "<live@example.com>" }), headers: { authorization: `Bearer ${server.token}` } });
      const { sha256 } = (await res.json()) as { sha256: string };
      // The server's own index has it, without any command having run.
      const deadline = Date.now() + 10_000;
      let found: string[] = [];
      while (Date.now() < deadline) {
        const db = new Database(SearchIndex.path(dir), { readonly: true });
        found = (db.prepare("SELECT hex(sha256) AS sha FROM records").all() as Array<{ sha: string }>).map((r) => r.sha.toLowerCase());
        db.close();
        if (found.includes(sha256)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(found).toContain(sha256);
      const searched = await cli(dir, ["search", "--from", "live@example.com", "--format", "json"]);
      expect(searched.code).toBe(0);
      const answer = JSON.parse(searched.stdout) as { engine: string; total: number; hits: Array<{ sha256: string }> };
      expect(answer).toMatchObject({ engine: "index", total: 1 });
      expect(answer.hits[0].sha256).toBe(sha256);
      const trail = readFileSync(join(dir, "audit", "audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { action: string; query?: string; count?: number });
      expect(trail.filter((l) => l.action === "searched")).toEqual([expect.objectContaining({ query: "from=live@example.com", count: 1 })]);
    } finally {
      server.process.kill("SIGTERM");
      await server.exited;
    }
  });
});
