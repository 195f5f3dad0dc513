// The local audit trail as an adversary and a crash see it: lines edited, removed, swapped or
// cut, the head rewritten, garbage or gone; a kill between the log and its head; a torn write.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditEvent } from "../../../functions/core/types";
import { openLocalArchive, type LocalArchive } from "../../../functions/local/archive";
import { headAnchor, headPath, logPath, verifyAuditTrail } from "../../../functions/local/auditLog";
import { FaultyIo, type Verdict } from "../../helpers/faultyIo";

let dir: string;
let archive: LocalArchive;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "journal-trail-"));
  archive = await openLocalArchive({ dir });
});

afterEach(async () => {
  await archive.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const event = (n: number): AuditEvent => ({ action: "read", at: new Date(0).toISOString(), sha256: "a".repeat(64), key: `messages/2026/01/01/${"a".repeat(63)}${n % 10}.eml`, actor: `test-${n}` });
const rows = () => readFileSync(logPath(dir), "utf8").trimEnd().split("\n");
const save = (lines: string[]) => writeFileSync(logPath(dir), lines.join("\n") + "\n");
const verify = () => verifyAuditTrail(dir, archive.keyring);

async function appendN(n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await archive.audit.append(event(i));
}

async function reopen(): Promise<LocalArchive> {
  await archive.close().catch(() => undefined);
  archive = await openLocalArchive({ dir });
  return archive;
}

describe("the chain and its authenticated head", () => {
  it("verifies an untouched chain, continued across a restart, with the head at its last line", async () => {
    await appendN(3);
    await reopen();
    await archive.audit.append(event(4));
    const verdict = await verify();
    expect(verdict).toMatchObject({ ok: true, count: 4, notes: [] });
    expect(verdict.head).toMatchObject({ seq: 4, size: statSync(logPath(dir)).size });
  });

  it("keeps concurrent appends in one unbroken chain", async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => archive.audit.append(event(i))));
    expect(await verify()).toMatchObject({ ok: true, count: 25 });
  });

  it.each([
    ["an edited line", (lines: string[]) => { lines[1] = lines[1].replace('"actor":"test-2"', '"actor":"mallory"'); }, 2, /altered/],
    ["a removed middle line", (lines: string[]) => { lines.splice(1, 1); }, 2, /removed, inserted or reordered/],
    ["two swapped lines", (lines: string[]) => { [lines[1], lines[2]] = [lines[2], lines[1]]; }, 2, /removed, inserted or reordered/],
    ["an inserted copy of a line", (lines: string[]) => { lines.splice(2, 0, lines[1]); }, 3, /removed, inserted or reordered/],
    ["a cut-off last line", (lines: string[]) => { lines.pop(); }, 4, /cut off the end/],
  ])("names the first bad line after %s", async (_what, tamper, seq, reason) => {
    await appendN(4);
    const lines = rows();
    tamper(lines);
    save(lines);
    const verdict = await verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBad!.seq).toBe(seq);
    expect(verdict.firstBad!.reason).toMatch(reason);
  });

  it("detects a chain rewritten without the key", async () => {
    await appendN(2);
    const lines = rows().map((row) => JSON.parse(row));
    lines[0].actor = "mallory";
    lines[0].mac = createHash("sha256").update(JSON.stringify(lines[0])).digest("hex");
    save(lines.map((row) => JSON.stringify(row)));
    expect((await verify()).firstBad).toEqual({ seq: 1, reason: "MAC does not match: the line was altered" });
  });

  it("detects the last line dropped and the head rewritten to the new last line: the head is authenticated", async () => {
    await appendN(3);
    const lines = rows();
    const kept = lines.slice(0, 2);
    save(kept);
    const last = JSON.parse(kept[1]);
    const head = JSON.parse(readFileSync(headPath(dir), "utf8"));
    writeFileSync(headPath(dir), JSON.stringify({ ...head, seq: 2, mac: last.mac, size: Buffer.byteLength(kept.join("\n") + "\n") }));
    const verdict = await verify();
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBad!.reason).toMatch(/audit\.head is not authenticated under the archive's keys: it was altered/);
    // And the archive will not start on it.
    await archive.close();
    await expect(openLocalArchive({ dir })).rejects.toThrow(/audit\.head is not authenticated/);
  });

  it("explains a garbage head instead of printing a parse error, and refuses to start on it", async () => {
    await appendN(1);
    writeFileSync(headPath(dir), "{not json");
    expect((await verify()).firstBad!.reason).toBe("audit.head is not readable (not the JSON the archive writes): it was altered or damaged");
    await archive.close();
    await expect(openLocalArchive({ dir })).rejects.toThrow(/audit\.head is not readable/);
  });

  it("detects the whole trail removed (log and head together)", async () => {
    await appendN(2);
    await archive.close();
    rmSync(logPath(dir));
    rmSync(headPath(dir));
    const verdict = await verifyAuditTrail(dir, archive.keyring);
    expect(verdict.firstBad!.reason).toMatch(/audit\.head is missing/);
  });

  it("passes an anchor the trail still holds, and names a rewrite or a cut since the anchor was taken", async () => {
    await appendN(3);
    const anchor = headAnchor(archive.audit.currentHead);
    await archive.audit.append(event(4));
    expect(await verifyAuditTrail(dir, archive.keyring, { expectHead: { seq: 3, mac: anchor.split(":")[1] } })).toMatchObject({ ok: true, count: 4 });
    expect((await verifyAuditTrail(dir, archive.keyring, { expectHead: { seq: 3, mac: "f".repeat(64) } })).firstBad!.reason).toMatch(/not the line the recorded anchor names/);
    expect((await verifyAuditTrail(dir, archive.keyring, { expectHead: { seq: 9, mac: "f".repeat(64) } })).firstBad!.reason).toMatch(/cut off since the anchor was taken/);
  });
});

describe("a crash between the log and its head, or during a write", () => {
  it("rolls a complete, authenticated line past the head forward at start, and audits the recovery", async () => {
    await appendN(2);
    const before = readFileSync(headPath(dir));
    await archive.audit.append(event(3));
    // As if killed after the line was synced but before the head was replaced.
    writeFileSync(headPath(dir), before);
    const during = await verify();
    expect(during.ok).toBe(true);
    expect(during.notes.join()).toMatch(/1 authenticated line\(s\) past the head/);
    await reopen();
    expect(archive.recovery).toEqual(["rolled forward 1 complete audit line past the head (lines 3-3)"]);
    const after = await verify();
    expect(after).toMatchObject({ ok: true, count: 4, notes: [] });
    expect(JSON.parse(rows()[3])).toMatchObject({ action: "recovered", reason: expect.stringMatching(/rolled forward 1/) });
  });

  it("cuts, rather than rolls forward, a line past the head whose records never reached the disk", async () => {
    await appendN(2);
    const before = readFileSync(headPath(dir));
    const good = statSync(logPath(dir)).size;
    // As if killed after the line was synced but before the message's bytes were: the head never covered it.
    await archive.audit.append({ action: "ingested", at: new Date(0).toISOString(), sha256: "b".repeat(64), key: `messages/2026/01/01/${"b".repeat(64)}.eml`, actor: "intake:smtp" });
    writeFileSync(headPath(dir), before);
    await reopen();
    expect(archive.recovery).toEqual([expect.stringMatching(/^cut \d+ bytes after audit line 2: a torn write, or lines whose records never reached the disk; none was acknowledged$/)]);
    expect(readFileSync(logPath(dir), "utf8")).not.toContain("b".repeat(64));
    expect(statSync(logPath(dir)).size).toBeGreaterThan(good);
    expect(await verify()).toMatchObject({ ok: true, count: 3 });
  });

  it("cuts a torn tail back to the last good line at start, audits it, and verifies", async () => {
    await appendN(2);
    const good = statSync(logPath(dir)).size;
    appendFileSync(logPath(dir), rows()[1].slice(0, 40));
    const during = await verify();
    expect(during.ok).toBe(true);
    expect(during.notes.join()).toMatch(/torn or unauthenticated tail after line 2/);
    await reopen();
    expect(archive.recovery).toEqual(["cut 40 bytes after audit line 2: a torn write, or lines whose records never reached the disk; none was acknowledged"]);
    expect(statSync(logPath(dir)).size).toBeGreaterThan(good);
    expect(await verify()).toMatchObject({ ok: true, count: 3, notes: [] });
  });

  it("refuses to start on a log shorter than its head records: that is not a crash", async () => {
    await appendN(3);
    await archive.close();
    truncateSync(logPath(dir), statSync(logPath(dir)).size - 10);
    await expect(openLocalArchive({ dir })).rejects.toThrow(/lines were cut off the end/);
  });

  it("replaces the head by a new file, synced, renamed and the folder synced; never in place", async () => {
    await archive.close();
    const io = new FaultyIo();
    archive = await openLocalArchive({ dir, io });
    io.ops.length = 0;
    await archive.audit.append(event(1));
    const ops = io.ops.map((op) => `${op.kind} ${op.path.replace(dir, "")}`);
    const at = (op: string) => ops.indexOf(op);
    // The line and the next head are written and synced (at once), then the head is renamed into place, then its folder synced.
    expect(ops).toEqual(expect.arrayContaining(["write /audit/audit.log", "datasync /audit/audit.log", "open /audit.head.tmp", "write /audit.head.tmp", "datasync /audit.head.tmp", "rename /audit.head", "syncFolder "]));
    expect(at("rename /audit.head")).toBeGreaterThan(at("datasync /audit/audit.log"));
    expect(at("rename /audit.head")).toBeGreaterThan(at("datasync /audit.head.tmp"));
    expect(at("syncFolder ")).toBeGreaterThan(at("rename /audit.head"));
    // Never written in place.
    expect(ops.filter((op) => op.endsWith(" /audit.head") && op !== "rename /audit.head")).toEqual([]);
    expect(existsSync(`${headPath(dir)}.tmp`)).toBe(false);
  });

  it("starts and verifies after a kill at any step of an append, and keeps every acknowledged line", async () => {
    await appendN(2);
    await archive.close();
    for (let step = 1; step <= 7; step++) {
      const io = new FaultyIo();
      archive = await openLocalArchive({ dir, io });
      const acknowledgedBefore = archive.audit.currentHead.seq;
      io.crashAt(io.ops.length + step);
      await archive.audit.append(event(100 + step)).catch(() => undefined);
      await archive.close().catch(() => undefined);
      archive = await openLocalArchive({ dir });
      const verdict = await verify();
      expect(verdict.ok, `kill at step ${step}: ${verdict.firstBad?.reason}`).toBe(true);
      expect(verdict.count).toBeGreaterThanOrEqual(acknowledgedBefore);
      await archive.close();
    }
    archive = await openLocalArchive({ dir });
  });
});

describe("a full disk", () => {
  it("leaves the log at its last good byte after a short write and ENOSPC, and works once space returns", async () => {
    await appendN(2);
    await archive.close();
    let full = true;
    // The disk fills during the line: part of it is written, then nothing more fits.
    let logWrites = 0;
    const io = new FaultyIo((op): Verdict => (full && op.kind === "write" && op.path.endsWith("audit.log") ? (++logWrites % 2 ? { short: 17 } : { fail: "ENOSPC" }) : "run"));
    archive = await openLocalArchive({ dir, io });
    const good = statSync(logPath(dir)).size;
    await expect(archive.audit.append(event(3))).rejects.toThrow(/ENOSPC/);
    expect(statSync(logPath(dir)).size).toBe(good);
    expect(await verify()).toMatchObject({ ok: true, count: 2 });
    full = false;
    await archive.audit.append(event(4));
    await reopen();
    expect(archive.recovery).toEqual([]);
    expect(await verify()).toMatchObject({ ok: true, count: 3 });
  });
});
