// Seeded fuzzing of the real pipeline into a real local archive. From the project's fixtures and
// (when present) messages of the shared corpus, it makes damaged inputs: truncations, byte flips,
// broken MIME boundaries, huge headers, deep nesting, CR-only and mixed line ends, NULs, invalid
// charsets. Each must end archived, duplicate or quarantined, read back byte for byte, and never
// crash or hang. The seed is fixed (FUZZ_SEED overrides it) and every failure message names it.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipeline, type Pipeline } from "../../../functions/core/pipeline";
import type { IngestResult, MessageMetadata } from "../../../functions/core/types";
import { openLocalArchive, type LocalArchive } from "../../../functions/local/archive";
import { verifyArchive } from "../../../functions/local/verify";
import { CORPUS_DIR, corpusFiles } from "../../helpers/corpus";
import { seeded } from "../../helpers/seeded";

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026);
/** Corpus messages mutated per run: enough variety, and the file stays well under 30 s on two cores. */
const CORPUS_SAMPLE = 24;
/** No single input may take longer than this: past it, the pipeline is taken to hang. */
const DEADLINE_MS = 15_000;

/** The seeded sequence with the picks the mutations use: the same seed gives the same inputs everywhere. */
function generator(seed: number) {
  const next = seeded(seed);
  return { next, int: (max: number) => Math.floor(next() * max), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] };
}
type Random = ReturnType<typeof generator>;

interface Source {
  readonly name: string;
  readonly bytes: Buffer;
}

interface Case {
  readonly label: string;
  readonly bytes: Buffer;
}

const FIXTURES = join(__dirname, "..", "..", "fixtures");
const fixtureSources: Source[] = readdirSync(FIXTURES, { recursive: true, encoding: "utf8" })
  .filter((path) => /\.(eml|bin|txt)$/.test(path))
  .sort()
  .map((path) => ({ name: `fixtures/${path}`, bytes: readFileSync(join(FIXTURES, path)) }));

const corpus = corpusFiles();
if (corpus.length === 0) console.warn(`fuzz: corpus inputs skipped: no .eml files under ${CORPUS_DIR} (set JOURNAL_CORPUS_DIR to point at the shared corpus); fixtures are fuzzed all the same`);

function corpusSources(random: Random): Source[] {
  const chosen = new Set<string>();
  while (chosen.size < Math.min(CORPUS_SAMPLE, corpus.length)) chosen.add(random.pick(corpus));
  return [...chosen].sort().map((path) => ({ name: `corpus/${relative(CORPUS_DIR, path)}`, bytes: readFileSync(path) }));
}

// ---- mutators: each returns damaged bytes from a source -------------------------------------

const latin1 = (bytes: Buffer) => bytes.toString("latin1");
const bytesOf = (text: string) => Buffer.from(text, "latin1");

function truncate(random: Random, bytes: Buffer): Buffer {
  return bytes.subarray(0, random.int(bytes.length + 1));
}

function flipBytes(random: Random, bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const flips = 1 + random.int(8);
  for (let i = 0; i < flips && out.length > 0; i++) out[random.int(out.length)] ^= 1 << random.int(8);
  return out;
}

/** Damages the delimiter lines of one of the message's MIME boundaries (or invents a bad one). */
function damageBoundary(random: Random, bytes: Buffer): Buffer {
  const text = latin1(bytes);
  const boundaries = [...text.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((m) => m[1]);
  if (boundaries.length === 0) return bytesOf(text.replace(/\r?\n\r?\n/, '\r\nContent-Type: multipart/mixed; boundary="never"\r\n\r\n--never\r\n'));
  const boundary = random.pick(boundaries);
  const delimiter = `--${boundary}`;
  switch (random.int(5)) {
    case 0: // the closing delimiter removed
      return bytesOf(text.split(`${delimiter}--`).join(""));
    case 1: // every delimiter of it removed
      return bytesOf(text.split(delimiter).join(""));
    case 2: // one delimiter line altered by a character
      return bytesOf(text.replace(delimiter, `--${boundary.slice(0, -1)}#`));
    case 3: // the boundary parameter itself emptied
      return bytesOf(text.replace(`boundary="${boundary}"`, 'boundary=""').replace(`boundary=${boundary}`, "boundary="));
    default: // delimiters doubled, and one with trailing junk
      return bytesOf(text.split(delimiter).join(`${delimiter}\r\n${delimiter}`).replace(delimiter, `${delimiter}  junk`));
  }
}

function hugeHeaders(random: Random, bytes: Buffer): Buffer {
  const n = 20_000 + random.int(80_000);
  switch (random.int(4)) {
    case 0:
      return Buffer.concat([bytesOf(Array.from({ length: n }, (_, i) => `X-Fuzz-${i}: ${i}`).join("\r\n") + "\r\n"), bytes]);
    case 1:
      return Buffer.concat([bytesOf(`To: ${Array.from({ length: n }, (_, i) => `u${i}@example.org`).join(",\r\n ")}\r\n`), bytes]);
    case 2:
      return Buffer.concat([bytesOf(`X-Long: ${"x".repeat(n * 20)}\r\n`), bytes]);
    default:
      return Buffer.concat([bytesOf(`Subject: ${"=?utf-8?q?=C3=A9?= ".repeat(n / 4)}\r\n`), bytes]);
  }
}

/** The source inside `levels` message/rfc822 wrappers. */
function nestMessages(bytes: Buffer, levels: number): Buffer {
  let out = bytes;
  for (let i = 0; i < levels; i++) {
    out = Buffer.concat([bytesOf(`From: wrap${i}@example.com\r\nSubject: level ${i}\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n`), out]);
  }
  return out;
}

/** A message of multiparts nested `levels` deep around one text leaf. */
function nestMultiparts(levels: number): Buffer {
  const open = Array.from({ length: levels }, (_, i) => `--b${i - 1}\r\nContent-Type: multipart/mixed; boundary="b${i}"\r\n\r\n`);
  open[0] = `From: deep@example.com\r\nSubject: ${levels} levels\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n`;
  const close = Array.from({ length: levels }, (_, i) => `--b${levels - 1 - i}--\r\n`);
  return bytesOf(open.join("") + `--b${levels - 1}\r\nContent-Type: text/plain\r\n\r\nleaf 4111 1111 1111 1111\r\n` + close.join(""));
}

function lineEnds(random: Random, bytes: Buffer): Buffer {
  const text = latin1(bytes);
  if (random.int(2) === 0) return bytesOf(text.replace(/\r\n/g, "\r")); // old Mac: CR only
  return bytesOf(text.replace(/\r\n/g, () => random.pick(["\r\n", "\n", "\r", "\r\r\n", "\n\r"])));
}

function insertNuls(random: Random, bytes: Buffer): Buffer {
  const text = latin1(bytes);
  if (random.int(2) === 0) return bytesOf(text.replace(/^([A-Za-z-]+):/gm, (m, name: string) => (random.int(3) === 0 ? `${name}\0:` : m)));
  const out = Buffer.from(bytes);
  for (let i = 0; i < 1 + random.int(32) && out.length > 0; i++) out[random.int(out.length)] = 0;
  return out;
}

const BAD_CHARSETS = ["x-unknown-🙂", "utf-7", "", "iso-2022-jp", "utf-16", "binary", "\0", "x".repeat(300)];

function invalidCharsets(random: Random, bytes: Buffer): Buffer {
  const charset = random.pick(BAD_CHARSETS);
  let text = latin1(bytes).replace(/charset="?[^";\r\n]*"?/gi, `charset="${charset}"`);
  text = text.replace(/^Subject: (.*)$/m, (_m, subject: string) => `Subject: =?${charset}?B?${Buffer.from(subject).toString("base64")}?= =?utf-8?Q?=FF=FE=?=`);
  // Undecodable transfer encodings as well: base64 with junk, quoted-printable with broken escapes.
  text = text.replace(/Content-Transfer-Encoding: base64\r?\n\r?\n/i, (m) => `${m}!!@@##\r\n`).replace(/=([0-9A-F]{2})/, "=Z$1");
  return bytesOf(text);
}

// ---- the cases ---------------------------------------------------------------------------------

function buildCases(): Case[] {
  const random = generator(SEED);
  const sources = [...fixtureSources, ...corpusSources(random)].filter((s) => s.bytes.length > 0);
  const mutators: Array<[string, (r: Random, b: Buffer) => Buffer, number]> = [
    ["truncated", truncate, 2],
    ["byte flips", flipBytes, 2],
    ["boundary damage", damageBoundary, 2],
    ["line ends", lineEnds, 1],
    ["NULs", insertNuls, 1],
    ["invalid charsets", invalidCharsets, 1],
  ];
  const cases: Case[] = [];
  for (const source of sources) {
    for (const [name, mutate, times] of mutators) {
      for (let i = 0; i < times; i++) cases.push({ label: `${name} of ${source.name} (#${i})`, bytes: mutate(random, source.bytes) });
    }
  }
  // Huge headers on mail that is archived as it stands: the result must still be archived.
  const mail = fixtureSources.filter((s) => /^fixtures\/(plain|workspace|journal)\//.test(s.name) && !s.name.includes("broken"));
  for (let i = 0; i < 8; i++) {
    const source = random.pick(mail);
    cases.push({ label: `huge headers on ${source.name} (#${i})`, bytes: hugeHeaders(random, source.bytes) });
  }
  const journal = fixtureSources.find((s) => s.name.endsWith("journal/exchange-online.eml"))!;
  for (const levels of [12, 60, 400]) cases.push({ label: `journal report inside ${levels} message/rfc822 levels`, bytes: nestMessages(journal.bytes, levels) });
  for (const levels of [50, 2_000, 11_000]) cases.push({ label: `multipart nested ${levels} levels`, bytes: nestMultiparts(levels) });
  return cases;
}

const CASES = buildCases();

describe(`fuzzing the pipeline into a local archive (seed ${SEED}, ${CASES.length} inputs)`, () => {
  let dir: string;
  let archive: LocalArchive;
  let pipeline: Pipeline;
  const results: Array<{ label: string; bytes: Buffer; result: IngestResult }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "journal-fuzz-"));
    archive = await openLocalArchive({ dir });
    pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 1 });
  });

  afterAll(async () => {
    await archive?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("ingests every input to archived, duplicate or quarantined, each within its deadline", async () => {
    for (const { label, bytes } of CASES) {
      const why = `seed ${SEED}: ${label}`;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${why}: no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
      });
      const result = await Promise.race([pipeline.ingest(bytes, { source: "file" }), deadline]).finally(() => clearTimeout(timer));
      expect(["archived", "duplicate", "quarantined"], why).toContain(result.status);
      results.push({ label, bytes, result });
    }
  }, 120_000);

  it("reads every input back byte for byte, with its sidecar or quarantine record", async () => {
    expect(results.length, `seed ${SEED}: the ingest test did not run to the end`).toBe(CASES.length);
    for (const { label, bytes, result } of results) {
      const why = `seed ${SEED}: ${label}`;
      const stored = await archive.store.get(result.key);
      expect(stored?.equals(bytes), why).toBe(true);
      const record = JSON.parse((await archive.store.get(result.metaKey))!.toString("utf8")) as MessageMetadata & { reason?: string };
      expect(record.sha256, why).toBe(result.sha256);
      if (result.status === "quarantined") expect(record.reason, why).toMatch(/\S/);
      else expect(Array.isArray(record.attachments), why).toBe(true);
    }
  });

  it("reads what can be read: nested and huge-header inputs are archived, not quarantined", () => {
    for (const { label, result } of results.filter((r) => /^(huge headers|journal report inside|multipart nested)/.test(r.label))) {
      expect(result.status, `seed ${SEED}: ${label}: ${result.reason ?? ""}`).not.toBe("quarantined");
    }
  });

  it("leaves an archive that verifies: every object, and an audit line per input", async () => {
    const verdict = await verifyArchive(archive);
    expect(verdict.ok, `seed ${SEED}: ${JSON.stringify(verdict).slice(0, 2000)}`).toBe(true);
  });
});
