// The auditor's commands on a real local archive, as an auditor runs them: search, hold, export,
// verify --store and retention through `npm run journal`, and the library calls behind them where a
// fault has to be injected (an export interrupted half way). Every act is audited exactly once.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCase, mboxEntry, type ExportTarget } from "../../../functions/auditor/export";
import { clearHolds, listHolds, setHolds } from "../../../functions/auditor/holds";
import { LocalAuditorStore } from "../../../functions/auditor/local/localStore";
import type { AuditorStore } from "../../../functions/auditor/store";
import { createPipeline } from "../../../functions/core/pipeline";
import { openLocalArchive } from "../../../functions/local/archive";
import { logPath } from "../../../functions/local/auditLog";
import { UsageError } from "../../../functions/auditor/cli/args";
import { exportCaseCommand } from "../../../functions/auditor/cli/exportCommand";
import { holdCommand } from "../../../functions/auditor/cli/hold";
import { searchCommand } from "../../../functions/auditor/cli/search";
import { retentionCommand, storeVerifyCommand } from "../../../functions/auditor/cli/storeCommands";
import { CLI } from "../../helpers/localServer";
import { rfc822 } from "../../helpers/messages";
import { buildArchive, type Built } from "./archives";
import { readZip } from "./zipReader";

const run = promisify(execFile);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
let pristine: string;
let built: Built[];
const dirs: string[] = [];

beforeAll(async () => {
  pristine = mkdtempSync(join(tmpdir(), "journal-commands-"));
  dirs.push(pristine);
  built = await buildArchive(pristine);
  // A body line mbox must quote, and one it must quote again.
  const archive = await openLocalArchive({ dir: pristine });
  const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30 });
  const result = await pipeline.ingest(rfc822({ from: "alice@example.com", to: "mbox@example.org", messageId: "<mbox@example.com>", body: "From the desk:\r\n>From earlier\r\nbye\r\n" }), { source: "file", receivedAt: new Date("2026-11-26T10:00:00Z") });
  built.push({ name: "mbox", result });
  await archive.close();
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the archive for a test that changes it. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), "journal-commands-copy-"));
  cpSync(pristine, dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

function out(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "journal-export-"));
  dirs.push(dir);
  return join(dir, name);
}

const cli = (dir: string, args: string[]) =>
  run(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, JOURNAL_DIR: dir }, maxBuffer: 64 * 1024 * 1024 }).then(
    (o) => ({ code: 0, stdout: o.stdout, stderr: o.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );

/** Runs a command in this process, as `npm run journal` would, and captures what it prints. */
async function inProcess(command: (args: string[]) => Promise<number>, args: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await command(args), stdout: chunks.join("") };
  } finally {
    process.stdout.write = write;
  }
}

interface Line {
  readonly action: string;
  readonly sha256?: string;
  readonly key?: string;
  readonly case?: string;
  readonly query?: string;
  readonly count?: number;
  readonly actor: string;
}
const trail = (dir: string): Line[] => readFileSync(logPath(dir), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Line);
const auditorLines = (dir: string) => trail(dir).filter((l) => !["ingested", "duplicate", "quarantined", "recovered"].includes(l.action));
const record = (name: string) => built.find((b) => b.name === name)!.result;

describe("journal search", () => {
  it("answers as a table, JSON and CSV, sorted by date, says which engine answered, and audits each search once", async () => {
    const dir = copy();
    const json = await cli(dir, ["search", "--from", "alice@example.com", "--format", "json"]);
    const table = await inProcess(searchCommand, ["--archive", dir, "--from", "alice@example.com"]);
    const csv = await inProcess(searchCommand, ["--archive", dir, "--from", "alice@example.com", "--format", "csv"]);
    for (const r of [table, json, csv]) expect(r.code).toBe(0);
    const answer = JSON.parse(json.stdout) as { engine: string; total: number; hits: Array<{ sha256: string; date: string; sidecar: { from: string[] } }>; possible: unknown[] };
    expect(answer.engine).toBe("index");
    expect(answer.total).toBe(answer.hits.length);
    expect(answer.hits.map((h) => h.date)).toEqual([...answer.hits.map((h) => h.date)].sort());
    expect(answer.hits.map((h) => h.sha256)).toContain(record("figures").sha256);
    for (const hit of answer.hits) expect(hit.sidecar.from).toContain("alice@example.com");
    expect(table.stdout).toMatch(new RegExp(`${answer.total} message\\(s\\) matched; engine: index; query: from=alice@example.com`));
    const rows = csv.stdout.trim().split("\r\n");
    expect(rows[0]).toBe("date,sha256,key,from,recipients,subject,reason,size,source,flags,match,notes");
    // Hits, then the possible hits, each row saying which.
    expect(rows.slice(1).map((row) => row.split(",")[10])).toEqual([...answer.hits.map(() => "yes"), ...answer.possible.map(() => "possible")]);
    const searched = auditorLines(dir);
    expect(searched).toHaveLength(3);
    for (const line of searched) expect(line).toMatchObject({ action: "searched", query: "from=alice@example.com", count: answer.total, actor: expect.stringMatching(/^cli:/) });
  });

  it("searches quarantined input by reason and size", async () => {
    const dir = copy();
    const r = await inProcess(searchCommand, ["--archive", dir, "--quarantined", "--reason", "not an email", "--max-size", "1000", "--format", "json"]);
    const answer = JSON.parse(r.stdout) as { total: number; hits: Array<{ key: string; reason: string; size: number }> };
    expect(answer.total).toBe(2);
    for (const hit of answer.hits) expect(hit).toMatchObject({ key: expect.stringMatching(/^quarantine\//), reason: expect.stringMatching(/^not an email/) });
  });

  it("refuses what it cannot search, naming the option and what is allowed", async () => {
    const dir = copy();
    const cases: Array<[(args: string[]) => Promise<number>, string[], RegExp]> = [
      [searchCommand, ["--from", "not-an-address"], /--from must be one email address/],
      [searchCommand, ["--since", "2026-02-30"], /not a calendar date/],
      [searchCommand, ["--flag", "passport"], /--flag must be one of card, ssn, iban or any/],
      [searchCommand, ["--quarantined", "--subject", "x"], /--subject does not apply to --quarantined/],
      [searchCommand, ["--archive", "./a", "--stack", "prod"], /give --archive or --stack, not both/],
      [holdCommand, ["set", "--case", "bad case!", record("figures").sha256], /--case must name the legal matter/],
      [holdCommand, ["freeze"], /hold needs set, clear or list/],
      [exportCaseCommand, ["--case", "C-1", "--from", "alice@example.com"], /--out must name the folder/],
    ];
    for (const [command, args, message] of cases) {
      const refused = inProcess(command, [...args, "--archive", dir]);
      await expect(refused, args.join(" ")).rejects.toThrow(message);
      await expect(refused).rejects.toBeInstanceOf(UsageError);
    }
    // From the shell: exit 2 with the command's usage; --help prints it, exit 0.
    const [unknown, help] = await Promise.all([cli(dir, ["search", "--colour", "red"]), cli(dir, ["hold", "--help"])]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--colour'[\s\S]*usage: npm run journal -- search/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run journal -- hold/);
    // Nothing refused was audited.
    expect(auditorLines(dir)).toEqual([]);
  });
});

describe("legal holds by case", () => {
  it("keeps the store's hold while another case holds the message, releases it with the last case, never shortens retention", async () => {
    const dir = copy();
    const store = new LocalAuditorStore({ dir });
    const target = record("figures");
    const sidecar = target.metaKey;
    const before = (await store.state(target.key))!;
    try {
      expect((await setHolds(store, "CASE-A", [target])).map((c) => c.outcome)).toEqual(["set"]);
      expect((await setHolds(store, "CASE-A", [target])).map((c) => c.outcome)).toEqual(["already"]);
      expect((await setHolds(store, "CASE-B", [target]))[0]).toMatchObject({ outcome: "set", otherCases: ["CASE-A"] });
      expect((await clearHolds(store, "CASE-A"))[0]).toMatchObject({ outcome: "kept", otherCases: ["CASE-B"] });
      expect((await store.state(target.key))!.legalHold).toBe(true);
      expect((await store.state(sidecar))!.legalHold).toBe(true);
      const listedA = await listHolds(store, "CASE-A");
      expect(listedA).toEqual([expect.objectContaining({ key: target.key, active: false, storeHold: true, otherCases: ["CASE-B"], clearedBy: expect.stringMatching(/^cli:/) })]);
      expect((await clearHolds(store, "CASE-B", [target]))[0]).toMatchObject({ outcome: "cleared" });
      const after = (await store.state(target.key))!;
      expect(after.legalHold).toBe(false);
      expect((await store.state(sidecar))!.legalHold).toBe(false);
      expect(after.retainUntil).toEqual(before.retainUntil);
      expect((await clearHolds(store, "CASE-B", [target]))[0]).toMatchObject({ outcome: "not-held" });
    } finally {
      await store.close();
    }
    // One line per change, naming the case and the person; nothing for what changed nothing.
    expect(auditorLines(dir).map((l) => [l.action, l.case, l.sha256])).toEqual([
      ["hold-set", "CASE-A", target.sha256],
      ["hold-set", "CASE-B", target.sha256],
      ["hold-cleared", "CASE-A", target.sha256],
      ["hold-cleared", "CASE-B", target.sha256],
    ]);
  });

  it("holds a search's hits from the command line, and lists them with the store's hold read back", async () => {
    const dir = copy();
    const set = await cli(dir, ["hold", "set", "--case", "MATTER-7", "--to", "ceo@example.com"]);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/1 held now/);
    const listed = await inProcess(holdCommand, ["list", "--archive", dir, "--case", "MATTER-7", "--json"]);
    const holds = (JSON.parse(listed.stdout) as { holds: Array<{ sha256: string; active: boolean; storeHold: boolean }> }).holds;
    expect(holds).toEqual([expect.objectContaining({ sha256: record("forged-envelope").sha256, active: true, storeHold: true })]);
    expect(auditorLines(dir).map((l) => l.action)).toEqual(["searched", "hold-set"]);
  });
});

async function collectExported(dir: string) {
  return auditorLines(dir).filter((l) => l.action === "exported");
}

/** The store, failing the `failAt`-th message read as a killed export would stop there. */
function interrupted(store: AuditorStore, failAt: number): AuditorStore {
  let reads = 0;
  return Object.assign(Object.create(store) as AuditorStore, {
    location: store.location,
    get: async (key: string) => {
      if (key.startsWith("messages/") && ++reads >= failAt) throw new Error("interrupted");
      return store.get(key);
    },
  });
}

describe("exports for a case", () => {
  it("writes the raw bytes exactly as archived, a manifest, a chain of custody naming the manifest's hash, and an mbox", async () => {
    const dir = copy();
    const folder = out("case-x");
    const r = await inProcess(exportCaseCommand, ["--archive", dir, "--case", "CASE-X", "--from", "alice@example.com", "--out", folder, "--mbox"]);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(folder, "manifest.json"), "utf8")) as { count: number; messages: Array<{ file: string; sha256: string; key: string; size: number; retainUntil: string; legalHold: boolean; from: string }> };
    const store = new LocalAuditorStore({ dir: pristine });
    for (const row of manifest.messages) {
      const bytes = readFileSync(join(folder, row.file));
      expect(bytes.equals((await store.get(row.key))!), row.key).toBe(true);
      expect(sha256(bytes)).toBe(row.sha256);
      expect(row.size).toBe(bytes.length);
      expect(row.from).toContain("alice@example.com");
    }
    const custody = JSON.parse(readFileSync(join(folder, "custody.json"), "utf8")) as { case: string; exportedBy: string; archive: string; query: string; count: number; manifest: Record<string, string> };
    expect(custody).toMatchObject({ case: "CASE-X", archive: dir, query: "from=alice@example.com", count: manifest.count, exportedBy: expect.stringMatching(/^cli:/) });
    expect(custody.manifest["manifest.json"]).toBe(sha256(readFileSync(join(folder, "manifest.json"))));
    expect(custody.manifest["manifest.csv"]).toBe(sha256(readFileSync(join(folder, "manifest.csv"))));
    expect(r.stdout).toContain(`manifest.json SHA-256: ${custody.manifest["manifest.json"]}`);
    expect(readFileSync(join(folder, "manifest.csv"), "utf8").trim().split("\r\n")).toHaveLength(manifest.count + 1);
    // mboxrd: one separator per message, body lines that look like one quoted once more.
    const mbox = readFileSync(join(folder, "messages.mbox"), "latin1");
    expect(mbox.match(/^From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/gm)).toHaveLength(manifest.count);
    expect(mbox).toContain("\n>From the desk:\r\n>>From earlier\r\n");
    const exported = await collectExported(dir);
    expect(exported.map((l) => l.sha256).sort()).toEqual(manifest.messages.map((m) => m.sha256).sort());
    for (const line of exported) expect(line).toMatchObject({ case: "CASE-X", query: "from=alice@example.com" });
    // A finished export is never overwritten.
    await expect(inProcess(exportCaseCommand, ["--archive", dir, "--case", "CASE-X", "--from", "alice@example.com", "--out", folder])).rejects.toThrow(/already exists and is not empty/);
    expect((await collectExported(dir)).length).toBe(exported.length);
    expect(auditorLines(dir).filter((l) => l.action === "searched")).toHaveLength(2);
  });

  it("resumes after an interruption: files already there are checked by hash, only the missing or damaged are read again", async () => {
    const dir = copy();
    const folder = out("resume");
    const store = new LocalAuditorStore({ dir });
    const targets: ExportTarget[] = built.filter((b) => b.result.status === "archived").map((b) => ({ key: b.result.key, sha256: b.result.sha256 }));
    try {
      await expect(exportCase({ store: interrupted(store, 6), caseId: "CASE-R", query: "ids", targets, out: folder })).rejects.toThrow("interrupted");
      const first = await collectExported(dir);
      expect(first).toHaveLength(5);
      expect(existsSync(join(folder, "manifest.json"))).toBe(false);
      // One file damaged and one removed while the export was stopped.
      const files = readdirSync(join(folder, "messages")).filter((n) => n.endsWith(".eml"));
      writeFileSync(join(folder, "messages", files[0]), "not the message");
      unlinkSync(join(folder, "messages", files[1]));
      const summary = await exportCase({ store, caseId: "CASE-R", query: "ids", targets, out: folder });
      expect(summary).toMatchObject({ count: targets.length, read: targets.length - 3 });
    } finally {
      await store.close();
    }
    const exported = await collectExported(dir);
    // Each read audited once: 5 before, then all but the 3 intact ones.
    expect(exported).toHaveLength(5 + targets.length - 3);
    for (const t of targets) expect(readFileSync(join(folder, "messages", `${t.sha256}.eml`)).equals((await new LocalAuditorStore({ dir: pristine }).get(t.key))!)).toBe(true);
    expect(existsSync(join(folder, ".export-state.jsonl"))).toBe(false);
  });

  it("streams a zip that an independent reader opens, and resumes a zip cut short", async () => {
    const dir = copy();
    const zipPath = out("case.zip");
    const store = new LocalAuditorStore({ dir });
    const targets: ExportTarget[] = built.filter((b) => b.result.status !== "duplicate").map((b) => ({ key: b.result.key, sha256: b.result.sha256 }));
    try {
      await expect(exportCase({ store: interrupted(store, 4), caseId: "CASE-Z", query: "ids", targets, out: zipPath, mbox: true })).rejects.toThrow("interrupted");
      expect(existsSync(zipPath)).toBe(false);
      const summary = await exportCase({ store, caseId: "CASE-Z", query: "ids", targets, out: zipPath, mbox: true });
      expect(summary.read).toBe(targets.length - 3);
      const entries = readZip(zipPath);
      const names = entries.map((e) => e.name);
      expect(names).toEqual([...targets.map((t) => `${t.key.startsWith("quarantine/") ? "quarantine" : "messages"}/${t.sha256}.eml`), "messages.mbox", "manifest.json", "manifest.csv", "custody.json"]);
      for (const t of targets) expect(sha256(entries.find((e) => e.name.endsWith(`${t.sha256}.eml`))!.data)).toBe(t.sha256);
      const custody = JSON.parse(entries.find((e) => e.name === "custody.json")!.data.toString("utf8")) as { manifest: Record<string, string> };
      expect(custody.manifest["manifest.json"]).toBe(sha256(entries.find((e) => e.name === "manifest.json")!.data));
      expect(summary.manifestSha256).toBe(custody.manifest["manifest.json"]);
    } finally {
      await store.close();
    }
    expect(await collectExported(dir)).toHaveLength(3 + targets.length - 3);
  });

  it("quotes mbox From lines per mboxrd, and separates messages with a blank line", () => {
    const entry = mboxEntry({ from: "a@example.com b@example.com", receivedAt: "2026-11-24T09:05:03Z" }, Buffer.from("Subject: x\n\nFrom here\n>From there\nFromage\nend"));
    expect(entry.toString()).toBe("From a@example.com Tue Nov 24 09:05:03 2026\nSubject: x\n\n>From here\n>>From there\nFromage\nend\n\n");
  });
});

describe("verify over the store, and retention", () => {
  it("says a whole archive is intact, names a missing sidecar and what the DR copy lacks, samples, and audits the verify", async () => {
    const dir = copy();
    const whole = await inProcess(storeVerifyCommand, ["--archive", dir, "--json"]);
    expect(whole.code).toBe(0);
    const verdict = JSON.parse(whole.stdout) as { ok: boolean; listed: { messages: number }; worm: { retained: number; onHold: number } };
    expect(verdict.ok).toBe(true);
    expect(verdict.worm.retained).toBeGreaterThan(0);
    const peer = copy();
    const gone = record("lunch-october");
    unlinkSync(join(peer, "objects", ...gone.key.split("/")));
    unlinkSync(join(dir, "objects", ...record("figures").metaKey.split("/")));
    const bad = await cli(dir, ["verify", "--sample", "3", "--peer", peer]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`PROBLEM  ${record("figures").key}: its sidecar ${record("figures").metaKey} is missing`);
    expect(bad.stdout).toContain(`PROBLEM  ${gone.key}: the DR copy ${peer} does not have it`);
    expect(bad.stdout).toMatch(/a sample of 3 messages/);
    expect(auditorLines(dir).map((l) => l.action)).toEqual(["verified", "verified"]);
  });

  it("counts by retain-until year and tier, what is held, and what is past the maximum awaiting lifecycle deletion", async () => {
    const dir = mkdtempSync(join(tmpdir(), "journal-retention-"));
    dirs.push(dir);
    // Written 40 days ago with 30 days' retention: retention over, older than a 35-day maximum.
    const then = new Date(Date.now() - 40 * 86_400_000);
    const archive = await openLocalArchive({ dir, now: () => then });
    const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30, now: () => then });
    const old = [];
    for (let i = 0; i < 3; i++) old.push(await pipeline.ingest(rfc822({ messageId: `<old-${i}@example.com>` }), { source: "file" }));
    await archive.close();
    const store = new LocalAuditorStore({ dir });
    await setHolds(store, "CASE-T", [old[0]]);
    await store.close();
    const r = await inProcess(retentionCommand, ["--archive", dir, "--maximum-days", "35", "--json"]);
    const report = JSON.parse(r.stdout) as { objects: number; byYearAndTier: Array<{ year: string; tier: string; count: number }>; onHold: { count: number }; pastMaximum: { awaitingDeletion: { count: number }; kept: { count: number } } };
    expect(report.objects).toBe(6);
    expect(report.byYearAndTier).toEqual([expect.objectContaining({ year: String(new Date(then.getTime() + 30 * 86_400_000).getUTCFullYear()), tier: "-", count: 6 })]);
    // The held message and its sidecar are kept past the maximum; the rest await deletion.
    expect(report.onHold.count).toBe(2);
    expect(report.pastMaximum.kept.count).toBe(2);
    expect(report.pastMaximum.awaitingDeletion.count).toBe(4);
    const within = JSON.parse((await inProcess(retentionCommand, ["--archive", dir, "--maximum-days", "60", "--json"])).stdout) as typeof report;
    expect(within.pastMaximum.awaitingDeletion.count + within.pastMaximum.kept.count).toBe(0);
  });
});
