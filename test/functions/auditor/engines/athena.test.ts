// The Athena engine at the SDK boundary: the SQL and parameters StartQueryExecution receives (values
// never in the SQL text, each a literal that cannot end early), the workgroup and database it names;
// its answer assembled from Athena's rows as the scan answers on the same archive; and the table it
// queries (infra/aws/sidecarTable.ts) checked against the sidecars the real pipeline writes.
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type StartQueryExecutionCommandInput } from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { athenaEngine, athenaQuery } from "../../../../functions/auditor/engines/athena";
import { LocalAuditorStore } from "../../../../functions/auditor/local/localStore";
import { byDate, hitOf, verdict, type Query, type Sidecar } from "../../../../functions/auditor/query";
import { scanEngine } from "../../../../functions/auditor/scan";
import { DAY_COLUMN, SIDECAR_COLUMNS } from "../../../../infra/aws/sidecarTable";
import { buildArchive } from "../archives";

const BUCKET = "ej-archive-111122223333-us-east-1-prod";
const TARGET = { workgroup: "email-journal-prod", database: "email_journal_prod", table: "sidecars" };
let dir: string;
let store: LocalAuditorStore;
const sidecars: Sidecar[] = [];
const athena = mockClient(AthenaClient);
let started: StartQueryExecutionCommandInput[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "journal-athena-"));
  await buildArchive(dir);
  store = new LocalAuditorStore({ dir });
  for await (const { key } of store.list("meta/")) sidecars.push(JSON.parse((await store.get(key))!.toString("utf8")) as Sidecar);
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The rows a correct query returns: what the reference matcher says of every sidecar, as Athena pages them (header first). */
function answerAsAthena(query: Query, rowsPerPage = 1000) {
  const judged = sidecars.map((s) => ({ s, v: verdict(s, query) }));
  const hits = judged.filter((j) => j.v.match === "yes").map((j) => hitOf(j.s)).sort(byDate);
  const possible = judged.filter((j) => j.v.match === "possible").map((j) => hitOf(j.s));
  const pathOf = (key: string) => `s3://${BUCKET}/${key}`;
  const rows = [
    ...possible.map((h) => ["undecided", pathOf(`meta/${h.key.slice("messages/".length).replace(/\.eml$/, ".json")}`), String(possible.length)]),
    ...hits.slice(0, query.limit ?? hits.length).map((h) => ["hit", pathOf(`meta/${h.key.slice("messages/".length).replace(/\.eml$/, ".json")}`), String(hits.length)]),
  ];
  const pages: string[][][] = [];
  for (let i = 0; i < Math.max(rows.length, 1); i += rowsPerPage) pages.push(rows.slice(i, i + rowsPerPage));
  return pages.map((page, i) => ({
    ResultSet: { Rows: [...(i === 0 ? [["status", "path", "found"]] : []), ...page].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })) },
    ...(i < pages.length - 1 ? { NextToken: `page-${i + 1}` } : {}),
  }));
}

function athenaAnswers(pages: ReturnType<typeof answerAsAthena>, state: "SUCCEEDED" | "FAILED" = "SUCCEEDED", reason?: string) {
  athena.on(StartQueryExecutionCommand).callsFake((input: StartQueryExecutionCommandInput) => {
    started.push(input);
    return { QueryExecutionId: "q-1" };
  });
  athena
    .on(GetQueryExecutionCommand)
    .resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } })
    .resolves({ QueryExecution: { Status: { State: state, ...(reason ? { StateChangeReason: reason } : {}) }, Statistics: { DataScannedInBytes: 3 * 1_048_576 } } });
  athena.on(GetQueryResultsCommand).callsFake((input: { NextToken?: string }) => pages[input.NextToken ? Number(input.NextToken.slice(5)) : 0]);
}

const engineFor = () =>
  athenaEngine({ ...TARGET, client: new AthenaClient({ region: "us-east-1" }), store, bucket: BUCKET, fallback: scanEngine(store), sleep: async () => undefined, now: () => new Date("2026-12-01T00:00:00Z") });

beforeEach(() => {
  athena.reset();
  started = [];
});

describe("the request Athena receives", () => {
  it("runs in the stack's workgroup and database, with every value a parameter and none in the SQL text", async () => {
    const query: Query = { area: "messages", from: "o'brien@example.com", domain: "example.com", words: ["quarterly", "report"], since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-12-01T00:00:00Z"), limit: 50 };
    athenaAnswers(answerAsAthena(query));
    await engineFor().search(query);
    const input = started[0];
    expect(input.WorkGroup).toBe(TARGET.workgroup);
    expect(input.QueryExecutionContext).toEqual({ Catalog: "AwsDataCatalog", Database: TARGET.database });
    for (const value of ["o'brien", "brien", "example.com", "quarterly", "2026-11-01", "2026/11/01"]) expect(input.QueryString, value).not.toContain(value);
    expect(input.QueryString!.split("?").length - 1).toBe(input.ExecutionParameters!.length);
    // A text is a quoted literal with its quotes doubled: the address cannot close it.
    expect(input.ExecutionParameters).toContain("'o''brien@example.com'");
    // Each value lands where its placeholder is: the days searched bound the partitions read, the instants the records.
    const params = [...input.ExecutionParameters!];
    const rendered = input.QueryString!.replace(/\?/g, () => params.shift()!);
    expect(rendered).toContain(`${DAY_COLUMN} >= '2026/11/01' AND ${DAY_COLUMN} <= '2026/11/30'`);
    expect(rendered).toContain("at >= '2026-11-01T00:00:00.000Z' AND at < '2026-12-01T00:00:00.000Z'");
    expect(rendered).toContain("lower(trim(sender_address)) = 'o''brien@example.com'");
    expect(rendered).toContain(`contains(regexp_extract_all(lower(normalize(coalesce(subject, ''), NFKC)), '[\\p{L}\\p{N}]+'), 'quarterly')`);
    expect(rendered).toContain("n <= 50 ORDER BY");
  });

  it("names only columns the table has", () => {
    const everything: Query = {
      area: "messages", from: "a@b.c", to: "d@e.f", domain: "g.h", words: ["w"], messageId: "m@x", correlationId: "c".repeat(64),
      attachmentName: "a.pdf", attachmentHash: "d".repeat(64), flag: "card", source: "smtp", minSize: 1, maxSize: 9, since: new Date("2026-01-01T00:00:00Z"), until: new Date("2026-02-01T00:00:00Z"),
    };
    const sql = athenaQuery(everything, TARGET).sql.replace(`"${TARGET.database}"."${TARGET.table}"`, "");
    const functions = new Set(["row_number", "regexp_extract", "regexp_extract_all", "regexp_replace", "any_match", "arrays_overlap", "starts_with", "element_at"]);
    const named = new Set([...sql.matchAll(/\b[a-z]+(?:_[a-z0-9]+)+\b/g)].map((m) => m[0]).filter((w) => !functions.has(w)));
    const columns = new Set([...SIDECAR_COLUMNS.map((c) => c.name)]);
    expect([...named].filter((n) => !columns.has(n))).toEqual([]);
    for (const column of ["from_addresses", "envelope_recipients", "original_message_id", "attachments", "truncated", "journal_problem"]) expect(sql).toContain(column);
  });

  it("bounds an open range by the days that can hold records (no later than two days from now)", () => {
    const { parameters } = athenaQuery({ area: "messages", from: "a@b.c" }, TARGET, new Date("2026-12-01T10:00:00Z"));
    expect(parameters).toContain("'2026/12/03'");
    expect(parameters.some((v) => v.startsWith("'2026/12/") && v !== "'2026/12/03'")).toBe(false);
  });
});

describe("the answer, from Athena's rows", () => {
  const queries: Array<[string, Query]> = [
    ["everything, the first 3", { area: "messages", limit: 3 }],
    ["a domain", { area: "messages", domain: "example.com" }],
    ["a subject word", { area: "messages", words: ["report"] }],
    ["a date range", { area: "messages", since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-11-25T00:00:00Z") }],
    ["a flag", { area: "messages", flag: "any" }],
  ];

  it.each(queries)("is the scan's for %s: the same hits in order, count, possible hits and notes", async (_, query) => {
    athenaAnswers(answerAsAthena(query, 2));
    const got = await engineFor().search(query);
    const want = await scanEngine(store).search(query);
    expect(got.hits.map((h) => [h.key, h.at, h.notes])).toEqual(want.hits.map((h) => [h.key, h.at, h.notes]));
    expect(got.total).toBe(want.total);
    expect(got.possible.map((h) => [h.key, h.notes])).toEqual(want.possible.map((h) => [h.key, h.notes]));
    expect(got.notes).toEqual(["Athena query q-1 scanned 3.0 MiB"]);
  });

  it("leaves out, and says so, a hit the sidecar contradicts", async () => {
    const query: Query = { area: "messages", from: "nobody-at-all@example.invalid" };
    const someone = sidecars[0];
    const path = `s3://${BUCKET}/meta/${someone.key.slice("messages/".length).replace(/\.eml$/, ".json")}`;
    athenaAnswers([{ ResultSet: { Rows: [["status", "path", "found"], ["hit", path, "1"]].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })) } }]);
    const got = await engineFor().search(query);
    expect(got.hits).toEqual([]);
    expect(got.total).toBe(0);
    expect(got.notes.some((n) => n.includes("athena matched") && n.includes("left out"))).toBe(true);
  });

  it("scans quarantined input, which is not in Athena's table, and says so", async () => {
    const got = await engineFor().search({ area: "quarantine" });
    expect(started).toEqual([]);
    expect(got.notes).toContain("quarantined input is not in Athena's table (meta/ only): it was scanned");
    expect(got.total).toBe((await scanEngine(store).search({ area: "quarantine" })).total);
  });

  it("refuses a query over the workgroup's scan cap with what to do about it", async () => {
    athenaAnswers([], "FAILED", "Query cancelled! Bytes scanned limit was exceeded");
    await expect(engineFor().search({ area: "messages", domain: "example.com" })).rejects.toThrow(/workgroup email-journal-prod failed: .*narrow the dates/);
  });
});

describe("the table, against the sidecars the pipeline writes", () => {
  const valueAt = (sidecar: unknown, path: readonly string[]) => path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), sidecar);
  const fits = (type: string, value: unknown): boolean => {
    if (value === undefined) return true;
    if (type === "string") return typeof value === "string";
    if (type === "bigint") return Number.isSafeInteger(value);
    if (type === "boolean") return typeof value === "boolean";
    if (type === "array<string>") return Array.isArray(value) && value.every((v) => typeof v === "string");
    if (type === "array<map<string,string>>") return Array.isArray(value) && value.every((v) => v && typeof v === "object" && Object.values(v).every((x) => typeof x === "string"));
    if (type === "array<struct<filename:string,sha256:string>>") return Array.isArray(value) && value.every((v) => typeof v.sha256 === "string" && (v.filename === undefined || typeof v.filename === "string"));
    throw new Error(`no check for ${type}`);
  };

  it("gives every column a value of its type, or none, in every sidecar", () => {
    expect(sidecars.length).toBeGreaterThan(5);
    for (const sidecar of sidecars) for (const column of SIDECAR_COLUMNS) expect(fits(column.type, valueAt(sidecar, column.path)), `${sidecar.key} ${column.name}`).toBe(true);
  });

  it("reads every field the reference matcher consults (query.ts), and the sidecars have them where the table looks", () => {
    const consulted = [
      ["sha256"], ["key"], ["size"], ["source"], ["receivedAt"], ["date"], ["messageId"], ["from"], ["sender"], ["to"], ["cc"], ["bcc"], ["subject"],
      ["envelope", "sender"], ["envelope", "recipients"], ["envelope", "verified"], ["correlationId"], ["original", "messageId"], ["attachments"], ["flags"], ["truncated"], ["journalProblem"],
    ];
    expect(consulted.map((p) => p.join("."))).toEqual(SIDECAR_COLUMNS.map((c) => c.path.join(".")));
    for (const path of [["sha256"], ["key"], ["size"], ["source"], ["receivedAt"], ["from"], ["to"], ["envelope", "recipients"], ["correlationId"], ["attachments"], ["flags"]]) {
      expect(sidecars.every((s) => valueAt(s, path) !== undefined), path.join(".")).toBe(true);
    }
    // The recipients' camelCase keys the SQL reads by name are the sidecar's own.
    const keys = new Set(sidecars.flatMap((s) => ("correlationId" in s ? s.envelope.recipients.flatMap((r) => Object.keys(r)) : [])));
    expect([...keys].filter((k) => !["address", "field", "expandedFrom", "forwardedFrom"].includes(k))).toEqual([]);
    expect(keys.has("expandedFrom")).toBe(true);
  });
});
