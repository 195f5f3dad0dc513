// Every real third-party message in ../shared/corpus through the real local archive:
// each ends archived or quarantined, nothing is lost, and each reads back byte for byte.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipeline } from "../../functions/core/pipeline";
import type { IngestResult } from "../../functions/core/types";
import { openLocalArchive, type LocalArchive } from "../../functions/local/archive";
import { verifyArchive } from "../../functions/local/verify";
import { CORPUS_DIR, corpusFiles } from "../helpers/corpus";

const files = corpusFiles();
if (files.length === 0) console.warn(`corpus suite skipped: no .eml files under ${CORPUS_DIR} (set JOURNAL_CORPUS_DIR to point at the shared corpus)`);

describe.skipIf(files.length === 0)(`the shared corpus (${files.length} messages)`, () => {
  let dir: string;
  let archive: LocalArchive;
  const results = new Map<string, IngestResult>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "journal-corpus-"));
    archive = await openLocalArchive({ dir });
    const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 2557 });
    for (const file of files) results.set(file, await pipeline.ingest(readFileSync(file), { source: "file" }));
  }, 600_000);

  afterAll(async () => {
    await archive?.audit.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("archives or quarantines every message, under its own content hash, and the hashes match SOURCES.tsv", () => {
    const expected = new Map(
      readFileSync(join(CORPUS_DIR, "SOURCES.tsv"), "utf8")
        .trim()
        .split("\n")
        .slice(1)
        .map((row) => row.split("\t"))
        .map((cols) => [cols[0], cols[9]]),
    );
    for (const file of files) {
      const result = results.get(file)!;
      expect(["archived", "duplicate", "quarantined"], file).toContain(result.status);
      const listed = expected.get(relative(CORPUS_DIR, file));
      if (listed) expect(result.sha256, file).toBe(listed);
    }
  });

  it("reads every message back byte-identical", async () => {
    for (const file of files) {
      const stored = await archive.store.get(results.get(file)!.key);
      expect(stored && stored.equals(readFileSync(file)), file).toBe(true);
    }
  });

  it("quarantines only input that is not mail, each with a reason", () => {
    const quarantined = [...results.entries()].filter(([, r]) => r.status === "quarantined");
    for (const [file, result] of quarantined) expect(result.reason, file).toMatch(/^(not an email|empty input|MIME structure)/);
    // The corpus is mail: a large share in quarantine would mean the parser gave up on real messages.
    expect(quarantined.length).toBeLessThan(files.length * 0.02);
  });

  it("leaves an archive that verifies end to end: every object and an audit line per delivery", async () => {
    const verdict = await verifyArchive(archive);
    expect(verdict.ok).toBe(true);
    expect(verdict.auditLines).toBe(files.length);
  });
});
