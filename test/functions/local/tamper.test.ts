// The tamper suite: a real archive of the project's fixtures (journal reports, plain mail,
// quarantined input), then each kind of tampering an independent tester tried, each on its own
// copy. `verify` must fail naming the record every time, in words, never an OpenSSL error.
import { execFile } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipeline } from "../../../functions/core/pipeline";
import type { IngestResult } from "../../../functions/core/types";
import { openArchiveReader, openLocalArchive } from "../../../functions/local/archive";
import { headAnchor, headPath, logPath } from "../../../functions/local/auditLog";
import { verifyArchive, type ArchiveVerdict } from "../../../functions/local/verify";

const FIXTURES = join(__dirname, "..", "..", "fixtures");
const CLI = join(__dirname, "..", "..", "..", "functions", "local", "cli.ts");
const run = promisify(execFile);

let pristine: string;
let anchor: string;
const records: IngestResult[] = [];
const copies: string[] = [];

beforeAll(async () => {
  pristine = mkdtempSync(join(tmpdir(), "journal-tamper-"));
  const archive = await openLocalArchive({ dir: pristine });
  const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30 });
  for (const folder of ["plain", "journal", "workspace", "malformed"]) {
    for (const name of readdirSync(join(FIXTURES, folder)).sort()) {
      records.push(await pipeline.ingest(readFileSync(join(FIXTURES, folder, name)), { source: "file", receivedAt: new Date("2026-11-24T12:00:00Z") }));
    }
  }
  anchor = headAnchor(archive.audit.currentHead);
  await archive.close();
});

afterAll(() => {
  for (const dir of [pristine, ...copies]) rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the archive to tamper with. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), "journal-tampered-"));
  cpSync(pristine, dir, { recursive: true });
  copies.push(dir);
  return dir;
}

const file = (dir: string, key: string) => join(dir, "objects", ...key.split("/"));
const sidecarOf = (key: string) => key.replace(/^messages\//, "meta/").replace(/\.eml$/, ".json");
const archived = () => records.filter((r) => r.status === "archived");
const quarantined = () => records.filter((r) => r.status === "quarantined");

function writable(path: string): string {
  chmodSync(path, 0o644);
  return path;
}

async function verdictOf(dir: string, expectHead?: string): Promise<ArchiveVerdict> {
  const [seq, mac] = (expectHead ?? "").split(":");
  return verifyArchive(openArchiveReader({ dir }), expectHead ? { expectHead: { seq: Number(seq), mac } } : {});
}

async function cli(dir: string, args: string[]) {
  return run(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, JOURNAL_DIR: dir } }).then(
    (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe("the pristine archive", () => {
  it("holds archived and quarantined records and verifies whole", async () => {
    expect(archived().length).toBeGreaterThan(5);
    expect(quarantined().length).toBeGreaterThan(1);
    const verdict = await verdictOf(pristine, anchor);
    expect(verdict).toMatchObject({ ok: true, problems: [] });
    expect(verdict.auditLines).toBe(records.length);
  });
});

type Tamper = (dir: string) => void | { record: string };

const cases: Array<[string, Tamper, () => string, RegExp]> = [
  ["an archived .eml deleted", (dir) => unlinkSync(file(dir, archived()[0].key)), () => archived()[0].key, /audit line \d+ records it, but it is missing/],
  ["a sidecar deleted", (dir) => unlinkSync(file(dir, sidecarOf(archived()[1].key))), () => sidecarOf(archived()[1].key), /records it, but it is missing/],
  ["a quarantine record deleted", (dir) => unlinkSync(file(dir, quarantined()[0].metaKey)), () => quarantined()[0].metaKey, /records it, but it is missing/],
  [
    "every object under messages/, meta/ and quarantine/ deleted",
    (dir) => ["messages", "meta", "quarantine"].forEach((area) => rmSync(join(dir, "objects", area), { recursive: true, force: true })),
    () => records[0].key,
    /records it, but it is missing/,
  ],
  [
    "audit.log and audit.head deleted together",
    (dir) => {
      unlinkSync(logPath(dir));
      unlinkSync(headPath(dir));
    },
    () => "audit line 0",
    /audit\.head is missing/,
  ],
  [
    "the last audit line dropped and audit.head rewritten to the new last line",
    (dir) => {
      const lines = readFileSync(logPath(dir), "utf8").trimEnd().split("\n");
      lines.pop();
      writeFileSync(logPath(dir), lines.join("\n") + "\n");
      const head = JSON.parse(readFileSync(headPath(dir), "utf8"));
      writeFileSync(headPath(dir), JSON.stringify({ ...head, seq: lines.length, mac: JSON.parse(lines.at(-1)!).mac, size: Buffer.byteLength(lines.join("\n") + "\n") }));
    },
    () => "audit line 0",
    /not authenticated under the archive's keys/,
  ],
  ["garbage in audit.head", (dir) => writeFileSync(headPath(dir), "\u0000\u0001garbage"), () => "audit line 0", /audit\.head is not readable/],
  [
    "an audit line edited",
    (dir) => writeFileSync(logPath(dir), readFileSync(logPath(dir), "utf8").replace('"actor":"intake:file"', '"actor":"intake:smtp"')),
    () => "audit line 1",
    /MAC does not match/,
  ],
  [
    "two audit lines reordered",
    (dir) => {
      const lines = readFileSync(logPath(dir), "utf8").trimEnd().split("\n");
      [lines[2], lines[3]] = [lines[3], lines[2]];
      writeFileSync(logPath(dir), lines.join("\n") + "\n");
    },
    () => "audit line 3",
    /removed, inserted or reordered/,
  ],
  [
    "a sidecar copied over another",
    (dir) => writeFileSync(writable(file(dir, sidecarOf(archived()[2].key))), readFileSync(file(dir, sidecarOf(archived()[3].key)))),
    () => sidecarOf(archived()[2].key),
    /written as meta\/.*: a file was copied or moved over this name/,
  ],
  [
    "a sidecar copied over a quarantine record",
    (dir) => writeFileSync(writable(file(dir, quarantined()[0].metaKey)), readFileSync(file(dir, sidecarOf(archived()[0].key)))),
    () => quarantined()[0].metaKey,
    /a file was copied or moved over this name/,
  ],
  [
    "two messages swapped",
    (dir) => {
      const [a, b] = [file(dir, archived()[0].key), file(dir, archived()[1].key)];
      renameSync(a, `${a}.x`);
      renameSync(b, a);
      renameSync(`${a}.x`, b);
    },
    () => [archived()[0].key, archived()[1].key].sort()[0],
    /content hash .* is not the one its name gives/,
  ],
  [
    "a byte of a message's ciphertext flipped",
    (dir) => {
      const path = writable(file(dir, archived()[4].key));
      const bytes = readFileSync(path);
      bytes[bytes.length - 30] ^= 1;
      writeFileSync(path, bytes);
    },
    () => archived()[4].key,
    /^the encrypted content or its header was altered \(the authentication tag does not match\)$/,
  ],
  [
    "a message's retain-until shortened in its header",
    (dir) => {
      const path = writable(file(dir, archived()[5].key));
      writeFileSync(path, readFileSync(path, "latin1").replace(/"retainUntil":"2026/, '"retainUntil":"2020'), "latin1");
    },
    () => archived()[5].key,
    /the encrypted content or its header was altered/,
  ],
  [
    "a foreign message put into the archive under a name of its own",
    (dir) => {
      const source = file(dir, archived()[0].key);
      const target = source.replace("/2026/", "/2025/");
      cpSync(source.slice(0, source.lastIndexOf("/")), target.slice(0, target.lastIndexOf("/")), { recursive: true });
    },
    () => archived()[0].key.replace("/2026/", "/2025/"),
    /no audit line created it/,
  ],
];

describe.each(cases)("after %s", (_what, tamper, record, reason) => {
  it("verify fails, naming the record and why", async () => {
    const dir = copy();
    tamper(dir);
    const verdict = await verdictOf(dir);
    expect(verdict.ok).toBe(false);
    const named = verdict.problems.find((p) => p.record === record());
    expect(named, JSON.stringify(verdict.problems.slice(0, 3))).toBeDefined();
    expect(named!.reason).toMatch(reason);
    expect(JSON.stringify(verdict.problems)).not.toMatch(/Unsupported state|Unexpected token|SyntaxError/);
  });
});

describe("the verify command", () => {
  it("exits 1 naming the first bad record, in words, for a tampered object, a deleted message and a garbage head", async () => {
    const flipped = copy();
    cases[12][1](flipped);
    const deleted = copy();
    cases[0][1](deleted);
    const garbage = copy();
    cases[6][1](garbage);
    const results = await Promise.all([flipped, deleted, garbage].map((dir) => cli(dir, ["verify"])));
    expect(results.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(results[0].stderr).toContain(`archive NOT intact: first bad record ${archived()[4].key}: the encrypted content or its header was altered`);
    expect(results[1].stderr).toContain(`first bad record ${archived()[0].key}: audit line`);
    expect(results[2].stderr).toContain("first bad record audit line 0: audit.head is not readable");
    for (const r of results) expect(r.stderr).not.toMatch(/Unsupported state|at .*\.ts:\d+|SyntaxError/);
  });

  it("lists a record whose message was deleted as missing, not as if it could be exported", async () => {
    const dir = copy();
    cases[0][1](dir);
    const listed = await cli(dir, ["list", "--json"]);
    expect(listed.code).toBe(0);
    const entry = JSON.parse(listed.stdout).find((m: { key: string }) => m.key === archived()[0].key);
    expect(entry).toMatchObject({ missing: true });
  });

  it("proves a rollback to an older, internally consistent copy with the anchor recorded later", async () => {
    // An insider restores yesterday's archive: it verifies on its own, the anchor exposes it.
    const older = copy();
    const archive = await openLocalArchive({ dir: pristine });
    await archive.audit.append({ action: "read", at: new Date().toISOString(), sha256: records[0].sha256, key: records[0].key, actor: "test" });
    const later = headAnchor(archive.audit.currentHead);
    await archive.close();
    expect((await verdictOf(older)).ok).toBe(true);
    const result = await cli(older, ["verify", "--expect-head", later]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the recorded anchor names line \d+, but the trail ends at line \d+: lines were cut off since the anchor was taken/);
    expect((await cli(pristine, ["verify", "--expect-head", later])).code).toBe(0);
    expect(existsSync(older)).toBe(true);
  });
});
