// Search on GCP through BigQuery, over the stack's external table of the sidecars' lines
// (infra/gcp/search.ts), in its auditor-only dataset, results encrypted under the stack key.
//
// What BigQuery can read of a sidecar decides what this engine is. The ingestor writes each sidecar
// pretty-printed (JSON.stringify(sidecar, null, 2), functions/core/pipeline.ts), and BigQuery reads
// JSON only newline-delimited: "JSON data must be newline delimited. Each JSON object must be on a
// separate line in the file" (BigQuery, "Loading JSON data from Cloud Storage", limitations). So the
// table reads each line of a sidecar as a row (CSV with a delimiter JSON never writes raw, no quoting),
// and the pseudocolumn _FILE_NAME ties the lines of one sidecar together. The order of a file's lines
// is not kept, and the same line shape belongs to From and To alike, so SQL cannot decide every
// query exactly: it finds, for each constraint, the sidecars that have a line holding the value (or a
// cut field), a superset of the hits, and the reference matcher judges each of those on its sidecar
// (judged.ts). The count is exact; the reads are one per candidate, which a selective query (an
// address, a Message-ID, a hash, subject words) keeps to about its hits, and a query by date alone
// does not. Sidecars written on one line each would let the SQL decide alone: see docs/auditors.md.
//
// Values never enter the SQL text: named query parameters ("Running parameterized queries",
// https://cloud.google.com/bigquery/docs/parameterized-queries). Days prune by _FILE_NAME: "If the
// query has a filter predicate on the _FILE_NAME pseudocolumn, BigQuery attempts to skip reading files
// that do not satisfy the filter" (BigQuery, "Query Cloud Storage data in external tables",
// _FILE_NAME pseudocolumn). Cloud Storage paths are YYYY/MM/DD, not key=value, so hive partitioning
// does not apply: "If the partition key names are not encoded in the directory path, partition schema
// detection fails" (BigQuery, "Use externally partitioned data", unsupported data layouts).
import type { Query, SearchEngine, SearchResult } from "../query";
import type { AuditorStore } from "../store";
import { dayRange, judge, keyOfUri } from "./judged";

/** What the stack exports for its BigQuery search (infra/gcp/search.ts). */
export interface BigQueryTarget {
  readonly project: string;
  readonly dataset: string;
  readonly table: string;
  /** The dataset's location, where the query job runs. */
  readonly location: string;
  /** The stack key, for the job's results (its temporary table). */
  readonly kmsKeyName?: string;
}

/** One REST call to BigQuery (v2), authorised as the auditor account; answers the JSON body. */
export type BigQueryFetch = (url: string, init: { method: "GET" | "POST"; body?: unknown }) => Promise<Record<string, unknown>>;

export interface BigQueryEngineOptions extends BigQueryTarget {
  readonly fetch: BigQueryFetch;
  readonly store: AuditorStore;
  readonly bucket: string;
  /** Answers what the table does not hold (quarantined input): the scan. */
  readonly fallback: SearchEngine;
  readonly now?: () => Date;
  /** The most bytes one query may bill (maximumBytesBilled). */
  readonly maximumBytesBilled?: number;
}

const API = "https://bigquery.googleapis.com/bigquery/v2";
/** 1 TiB, $6.25 at on-demand prices (https://cloud.google.com/bigquery/pricing#on_demand_pricing). */
export const MAXIMUM_BYTES_BILLED = 1024 ** 4;

interface Parameter {
  readonly name: string;
  readonly parameterType: { readonly type: "STRING" };
  readonly parameterValue: { readonly value: string };
}

/** The text of `value` as it stands inside a JSON string in the sidecar (quotes and backslashes escaped), lower-cased. */
const inJson = (value: string) => JSON.stringify(value).slice(1, -1).toLowerCase();

export interface BigQuerySql {
  readonly sql: string;
  readonly parameters: readonly Parameter[];
}

/** The candidates' query: every sidecar of the days searched with, for each constraint, a line holding its value or a cut field. */
export function bigQuerySql(query: Query, target: Pick<BigQueryTarget, "project" | "dataset" | "table">, bucket: string, now: Date = new Date()): BigQuerySql {
  if (query.area !== "messages") throw new Error("BigQuery's table holds the message sidecars (meta/); quarantined input is scanned");
  const parameters: Parameter[] = [];
  const param = (value: string) => {
    const name = `p${parameters.length}`;
    parameters.push({ name, parameterType: { type: "STRING" }, parameterValue: { value } });
    return `@${name}`;
  };
  const days = dayRange(query, now);
  const where = [`_FILE_NAME >= ${param(`gs://${bucket}/meta/${days.first ?? "0000/00/00"}/`)}`, `_FILE_NAME < ${param(`gs://${bucket}/meta/${days.last}/~`)}`, `ENDS_WITH(_FILE_NAME, '.json')`];
  // A sidecar that holds a field only in part (query.ts cutIn) can be a possible hit on any constraint: always a candidate.
  const cut = `LOGICAL_OR(STARTS_WITH(LTRIM(line), '"truncated": [') OR STARTS_WITH(LTRIM(line), '"journalProblem": '))`;
  const has = (sql: string) => `(LOGICAL_OR(${sql}) OR ${cut})`;
  const lower = `LOWER(line)`;
  const folded = `LOWER(NORMALIZE(line, NFKC))`;
  const having: string[] = [];
  if (query.from !== undefined) having.push(has(`STRPOS(${lower}, ${param(inJson(query.from))}) > 0`));
  if (query.to !== undefined) having.push(has(`STRPOS(${lower}, ${param(inJson(query.to))}) > 0`));
  if (query.domain !== undefined) having.push(has(`STRPOS(${lower}, ${param(inJson(query.domain))}) > 0`));
  for (const word of query.words ?? []) having.push(has(`STRPOS(${folded}, ${param(word)}) > 0`));
  if (query.messageId !== undefined) having.push(has(`STRPOS(${lower}, ${param(inJson(query.messageId))}) > 0`));
  if (query.correlationId !== undefined) having.push(has(`STRPOS(line, ${param(query.correlationId)}) > 0`));
  if (query.attachmentName !== undefined) having.push(has(`STRPOS(${folded}, ${param(inJson(query.attachmentName))}) > 0`));
  if (query.attachmentHash !== undefined) having.push(has(`STRPOS(line, ${param(query.attachmentHash)}) > 0`));
  if (query.flag !== undefined) {
    // A sidecar with no flag has the line `"flags": [],`; one with flags opens the list on its own line.
    having.push(has(`TRIM(line) = '"flags": ['`));
    if (query.flag !== "any") having.push(has(`REGEXP_CONTAINS(line, ${param(`^ +"${query.flag}",?$`)})`));
  }
  // Top-level fields are the only lines indented by two spaces: size and source are read exactly.
  if (query.source !== undefined) having.push(has(`line IN (${param(`  "source": "${query.source}",`)}, ${param(`  "source": "${query.source}"`)})`));
  const size = `SAFE_CAST(REGEXP_EXTRACT(line, r'^  "size": ([0-9]+),?$') AS INT64)`;
  if (query.minSize !== undefined) having.push(has(`${size} >= CAST(${param(String(query.minSize))} AS INT64)`));
  if (query.maxSize !== undefined) having.push(has(`${size} <= CAST(${param(String(query.maxSize))} AS INT64)`));
  const table = `\`${target.project}.${target.dataset}.${target.table}\``;
  const sql = [`SELECT _FILE_NAME AS file FROM ${table}`, `WHERE ${where.join(" AND ")}`, `GROUP BY file`, ...(having.length > 0 ? [`HAVING ${having.join(" AND ")}`] : []), `ORDER BY file`].join("\n");
  return { sql, parameters };
}

async function runQuery(options: BigQueryEngineOptions, built: BigQuerySql): Promise<{ files: string[]; notes: string[] }> {
  const project = encodeURIComponent(options.project);
  const job = await options.fetch(`${API}/projects/${project}/jobs`, {
    method: "POST",
    body: {
      jobReference: { projectId: options.project, location: options.location },
      configuration: {
        labels: { "email-journal": "search" },
        query: {
          query: built.sql,
          useLegacySql: false,
          parameterMode: "NAMED",
          queryParameters: built.parameters,
          maximumBytesBilled: String(options.maximumBytesBilled ?? MAXIMUM_BYTES_BILLED),
          // The job's results (a temporary table) under the stack key, as the dataset's tables.
          ...(options.kmsKeyName ? { destinationEncryptionConfiguration: { kmsKeyName: options.kmsKeyName } } : {}),
        },
      },
    },
  });
  const reference = job.jobReference as { jobId?: string } | undefined;
  if (!reference?.jobId) throw new Error("BigQuery started no query job (no jobReference.jobId)");
  const files: string[] = [];
  let pageToken: string | undefined;
  let bytes: string | undefined;
  for (;;) {
    const query = new URLSearchParams({ location: options.location, timeoutMs: "10000", maxResults: "10000", ...(pageToken ? { pageToken } : {}) });
    const page = await options.fetch(`${API}/projects/${project}/queries/${encodeURIComponent(reference.jobId)}?${query}`, { method: "GET" });
    const errors = page.errors as Array<{ message?: string }> | undefined;
    if (errors && errors.length > 0) throw new Error(`BigQuery job ${reference.jobId} failed: ${errors.map((e) => e.message).join("; ")}`);
    if (page.jobComplete !== true) continue;
    bytes ??= page.totalBytesProcessed as string | undefined;
    for (const row of (page.rows as Array<{ f: Array<{ v: string }> }> | undefined) ?? []) files.push(row.f[0].v);
    pageToken = page.pageToken as string | undefined;
    if (!pageToken) break;
  }
  return { files, notes: [`BigQuery job ${reference.jobId}${bytes !== undefined ? ` processed ${(Number(bytes) / 1_048_576).toFixed(1)} MiB` : ""}; ${files.length} candidate sidecar(s) judged on their content`] };
}

export function bigQueryEngine(options: BigQueryEngineOptions): SearchEngine {
  return {
    name: "bigquery",
    async search(query: Query): Promise<SearchResult> {
      if (query.area !== "messages") {
        const scanned = await options.fallback.search(query);
        return { ...scanned, notes: [...scanned.notes, "quarantined input is not in BigQuery's table (meta/ only): it was scanned"] };
      }
      const { files, notes } = await runQuery(options, bigQuerySql(query, options, options.bucket, options.now?.()));
      return judge(options.store, query, { hits: [], total: 0, undecided: files.map((f) => keyOfUri(f, options.bucket)), notes }, "bigquery");
    },
  };
}
