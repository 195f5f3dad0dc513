// The BigQuery engine at its REST boundary: the job it inserts (named parameters, none of the values in
// the SQL text, results under the stack key, a billing cap, the dataset's location), how it pages the
// results; its answer, from the candidate sidecars BigQuery names, the scan's; and the table's layout
// (one row per line, top-level fields alone indented by two spaces) checked on the pipeline's sidecars.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bigQueryEngine, bigQuerySql, type BigQueryFetch } from "../../../../functions/auditor/engines/bigquery";
import { LocalAuditorStore } from "../../../../functions/auditor/local/localStore";
import { verdict, type Query, type Sidecar } from "../../../../functions/auditor/query";
import { scanEngine } from "../../../../functions/auditor/scan";
import { LINE_DELIMITER } from "../../../../infra/gcp/search";
import { buildArchive } from "../archives";

const BUCKET = "acme-journal-archive-prod";
const TARGET = { project: "acme", dataset: "email_journal_prod", table: "sidecar_lines", location: "us-east4", kmsKeyName: "projects/acme/locations/us-east4/keyRings/r/cryptoKeys/archive" };
let dir: string;
let store: LocalAuditorStore;
const files = new Map<string, { sidecar: Sidecar; text: string }>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "journal-bigquery-"));
  await buildArchive(dir);
  store = new LocalAuditorStore({ dir });
  for await (const { key } of store.list("meta/")) {
    const text = (await store.get(key))!.toString("utf8");
    files.set(key, { sidecar: JSON.parse(text) as Sidecar, text });
  }
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** BigQuery, as far as the engine sees it: records each call, answers the job and then `candidates` over two pages. */
function fakeBigQuery(candidates: string[]) {
  const calls: Array<{ url: string; method: string; body?: any }> = [];
  const fetch: BigQueryFetch = async (url, init) => {
    calls.push({ url, method: init.method, body: init.body });
    if (init.method === "POST") return { jobReference: { projectId: "acme", jobId: "job_1", location: "us-east4" } };
    const page = new URL(url).searchParams.get("pageToken");
    if (calls.filter((c) => c.method === "GET").length === 1) return { jobComplete: false };
    const rows = candidates.map((key) => ({ f: [{ v: `gs://${BUCKET}/${key}` }] }));
    const half = Math.ceil(rows.length / 2);
    return page ? { jobComplete: true, rows: rows.slice(half) } : { jobComplete: true, totalBytesProcessed: String(2 * 1_048_576), rows: rows.slice(0, half), pageToken: "next" };
  };
  return { fetch, calls };
}

const engine = (fetch: BigQueryFetch) => bigQueryEngine({ ...TARGET, fetch, store, bucket: BUCKET, fallback: scanEngine(store), now: () => new Date("2026-12-01T00:00:00Z") });

describe("the job BigQuery receives", () => {
  it("names every value as a parameter, encrypts its results under the stack key, caps what it bills, runs where the dataset is", async () => {
    const { fetch, calls } = fakeBigQuery([]);
    await engine(fetch).search({ area: "messages", from: 'o"brien@example.com', words: ["quarterly"], since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-12-01T00:00:00Z") });
    const job = calls[0];
    expect(job.url).toBe("https://bigquery.googleapis.com/bigquery/v2/projects/acme/jobs");
    expect(job.body.jobReference).toEqual({ projectId: "acme", location: "us-east4" });
    const q = job.body.configuration.query;
    expect(q).toMatchObject({ useLegacySql: false, parameterMode: "NAMED", destinationEncryptionConfiguration: { kmsKeyName: TARGET.kmsKeyName }, maximumBytesBilled: String(1024 ** 4) });
    for (const value of ["brien", "quarterly", "2026/11"]) expect(q.query, value).not.toContain(value);
    const values = q.queryParameters.map((p: { parameterValue: { value: string } }) => p.parameterValue.value);
    // The address as the sidecar's JSON holds it (its quote escaped), and the days as path bounds that prune by _FILE_NAME.
    expect(values).toEqual([`gs://${BUCKET}/meta/2026/11/01/`, `gs://${BUCKET}/meta/2026/11/30/~`, 'o\\"brien@example.com', "quarterly"]);
    expect(q.query).toContain("WHERE _FILE_NAME >= @p0 AND _FILE_NAME < @p1");
    expect([...q.query.matchAll(/@p(\d+)/g)].map((m: RegExpMatchArray) => Number(m[1])).sort()).toEqual([0, 1, 2, 3]);
    // It waits for the job, then reads every page, in the dataset's location.
    const results = "https://bigquery.googleapis.com/bigquery/v2/projects/acme/queries/job_1?location=us-east4&maxResults=10000";
    expect(calls.slice(1).map((c) => c.url.replace(/timeoutMs=\d+&/, ""))).toEqual([results, results, `${results}&pageToken=next`]);
  });
});

describe("the answer", () => {
  it.each([
    ["a domain", { area: "messages", domain: "example.com" } as Query],
    ["a subject word", { area: "messages", words: ["report"] } as Query],
    ["a flag, the first 2", { area: "messages", flag: "any", limit: 2 } as Query],
  ])("is the scan's for %s, from the candidates BigQuery names (a superset of the hits)", async (_, query) => {
    // What a correct query names: every sidecar that is a hit or possible hit, and some that are neither.
    const candidates = [...files.entries()].filter(([, f], i) => verdict(f.sidecar, query).match !== "no" || i % 3 === 0).map(([key]) => key);
    const { fetch, calls } = fakeBigQuery(candidates);
    const got = await engine(fetch).search(query);
    const want = await scanEngine(store).search(query);
    expect(got.hits.map((h) => [h.key, h.at, h.notes])).toEqual(want.hits.map((h) => [h.key, h.at, h.notes]));
    expect([got.total, got.possible.map((h) => h.key)]).toEqual([want.total, want.possible.map((h) => h.key)]);
    expect(got.notes[0]).toBe(`BigQuery job job_1 processed 2.0 MiB; ${candidates.length} candidate sidecar(s) judged on their content`);
    expect(calls.filter((c) => c.method === "GET")).toHaveLength(3);
  });

  it("scans quarantined input, which is not in the table, and says so", async () => {
    const { fetch, calls } = fakeBigQuery([]);
    const got = await engine(fetch).search({ area: "quarantine" });
    expect(calls).toEqual([]);
    expect(got.notes).toContain("quarantined input is not in BigQuery's table (meta/ only): it was scanned");
  });
});

describe("the table's layout, on the pipeline's sidecars", () => {
  it("has no line holding the delimiter, top-level fields alone at two spaces, and the lines the SQL looks for", () => {
    expect(files.size).toBeGreaterThan(5);
    for (const [key, { sidecar, text }] of files) {
      expect(text, key).not.toContain(LINE_DELIMITER);
      const topLevel = text.split("\n").filter((l) => /^ {2}"/.test(l)).map((l) => JSON.parse(`{${l.replace(/,$/, "").replace(/[[{]$/, '""')}}`));
      expect(topLevel.map((o) => Object.keys(o)[0]), key).toEqual(Object.keys(sidecar));
      const lines = text.split("\n");
      if ("correlationId" in sidecar) {
        expect(lines).toContain(`  "size": ${sidecar.size},`);
        expect(lines).toContain(`  "source": "${sidecar.source}",`);
        // Flags: an empty list on its own line, else the list opened on its line (what `--flag any` looks for).
        expect(lines.some((l) => l.trim() === '"flags": ['), key).toBe(sidecar.flags.length > 0);
        for (const flag of sidecar.flags) expect(lines.some((l) => new RegExp(`^ +"${flag}",?$`).test(l))).toBe(true);
        // Every address the matcher consults is on a line, as JSON writes it.
        for (const address of [...sidecar.from, ...sidecar.to, ...sidecar.cc, ...sidecar.envelope.recipients.map((r) => r.address)]) {
          expect(lines.some((l) => l.toLowerCase().includes(JSON.stringify(address.trim().toLowerCase()).slice(1, -1))), `${key} ${address}`).toBe(true);
        }
        if (sidecar.truncated) expect(lines.some((l) => l.trimStart().startsWith('"truncated": ['))).toBe(true);
      }
    }
  });

  it("builds the candidates' query for every filter with values only as parameters", () => {
    const { sql, parameters } = bigQuerySql(
      { area: "messages", from: "a@b.c", to: "d@e.f", domain: "g.h", words: ["w"], messageId: "m@x", correlationId: "c".repeat(64), attachmentName: "a.pdf", attachmentHash: "d".repeat(64), flag: "card", source: "smtp", minSize: 1, maxSize: 9 },
      TARGET,
      BUCKET,
      new Date("2026-12-01T00:00:00Z"),
    );
    expect(sql).toContain("FROM `acme.email_journal_prod.sidecar_lines`");
    for (const value of ["a@b.c", "d@e.f", "g.h", "m@x", "a.pdf", "c".repeat(64), "smtp"]) expect(sql, value).not.toContain(value);
    expect(parameters.length).toBe(new Set([...sql.matchAll(/@p\d+/g)].map((m) => m[0])).size);
  });
});
