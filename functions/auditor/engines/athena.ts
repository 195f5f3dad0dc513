// Search on AWS through Athena, over the stack's Glue table of the sidecars (infra/aws/search.ts,
// infra/aws/sidecarTable.ts), in the stack's workgroup (results encrypted under the stack key in a
// bucket of the stack). One query per search: it decides every record of the days searched, returns
// the first `limit` hits, the count, and the possible hits, which functions/auditor/engines/judged.ts
// judges on their sidecars as the reference matcher does.
//
// Values never enter the SQL text: each is an execution parameter ("Use execution parameters",
// https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements-querying-using-execution-parameters.html).
// Athena reads each parameter as a literal, so a text is passed as a quoted string literal with its
// quotes doubled, a number as digits: a value can never end its literal. (The guide's example passes
// numbers only; that text parameters are quoted literals is the AWS SDK for pandas' reading of the same
// API, "you must surround the value in single quotes".)
import { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, type AthenaClient } from "@aws-sdk/client-athena";
import { DAY_COLUMN } from "../../../infra/aws/sidecarTable";
import type { TruncatedField } from "../../core/types";
import type { Query, SearchEngine, SearchResult } from "../query";
import type { AuditorStore } from "../store";
import { dayRange, judge, keyOfUri, type JudgedRows } from "./judged";

/** What the stack exports for its Athena search (infra/aws/search.ts). */
export interface AthenaTarget {
  readonly workgroup: string;
  readonly database: string;
  readonly table: string;
}

export interface AthenaEngineOptions extends AthenaTarget {
  readonly client: AthenaClient;
  /** The archive: the hits' sidecars are read from it. */
  readonly store: AuditorStore;
  readonly bucket: string;
  /** Answers what Athena's table does not hold (quarantined input): the scan. */
  readonly fallback: SearchEngine;
  /** Waits between polls of a running query; tests pass one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

/** Positional parameters, each a literal Athena parses: a quoted text or digits. */
class Parameters {
  readonly values: string[] = [];
  text(value: string): string {
    this.values.push(`'${value.replace(/'/g, "''")}'`);
    return "?";
  }
  integer(value: number): string {
    if (!Number.isSafeInteger(value)) throw new Error(`${value} is not an integer`);
    this.values.push(String(value));
    return "?";
  }
}

const FIELD = /^[a-zA-Z.]+$/;

/** Whether the sidecar holds only part of what its message says about `fields`: query.ts `cutIn`, in SQL. */
function cutSql(fields: readonly TruncatedField[]): string {
  if (!fields.every((f) => FIELD.test(f))) throw new Error(`not a sidecar field: ${fields.join(", ")}`);
  const unread = fields.some((f) => f !== "flags") ? `coalesce(journal_problem, '') <> '' OR ` : "";
  return `(${unread}arrays_overlap(coalesce(truncated, CAST(ARRAY[] AS ARRAY(VARCHAR))), ARRAY[${fields.map((f) => `'${f}'`).join(", ")}]))`;
}

const list = (column: string) => `coalesce(${column}, CAST(ARRAY[] AS ARRAY(VARCHAR)))`;
const recipients = `coalesce(envelope_recipients, CAST(ARRAY[] AS ARRAY(MAP(VARCHAR, VARCHAR))))`;
/** query.ts normalizeAddress: trim, lower-case. */
const address = (sql: string) => `lower(trim(${sql}))`;
/** query.ts domainsOf, for one address: its domain, without brackets or a final dot. */
const domainOf = (sql: string) => `regexp_replace(regexp_replace(regexp_extract(${address(sql)}, '@([^@]*)$', 1), '^\\[|\\]$', ''), '\\.$', '')`;
const SENDER_LISTS = ["from_addresses"];
const RECIPIENT_LISTS = ["to_addresses", "cc_addresses", "bcc_addresses"];
const RECIPIENT_KEYS = ["address", "expandedFrom", "forwardedFrom"];

/** The SQL of one search, and its parameters in order. */
export interface AthenaQuery {
  readonly sql: string;
  readonly parameters: readonly string[];
}

/**
 * The query for `query` (messages only): each row a hit (`hit`, the first `limit` by date) or a record
 * the reference must judge (`undecided`), with the count of hits on every row.
 */
export function athenaQuery(query: Query, target: Pick<AthenaTarget, "database" | "table">, now: Date = new Date()): AthenaQuery {
  if (query.area !== "messages") throw new Error("Athena's table holds the message sidecars (meta/); quarantined input is scanned");
  // Placeholders are positional: every fragment is written once, in the order it appears in the text.
  const p = new Parameters();
  // Each constraint the reference can find undecided: [holds, the fields a cut of which leaves it undecided].
  const checks: Array<[(p: Parameters) => string, readonly TruncatedField[]]> = [];
  const anyAddress = (lists: string[], test: (x: string) => string) => lists.map((l) => `any_match(${list(l)}, x -> ${test("x")})`);
  const anyRecipient = (test: (x: string) => string) => `any_match(${recipients}, r -> ${RECIPIENT_KEYS.map((k) => `coalesce(${test(`element_at(r, '${k}')`)}, false)`).join(" OR ")})`;
  if (query.from !== undefined) {
    const from = query.from;
    checks.push([(p) => { const is = (x: string) => `${address(x)} = ${p.text(from)}`; return [...anyAddress(SENDER_LISTS, is), is("sender_address"), is("envelope_sender")].join(" OR "); }, ["from", "sender", "envelope.sender"]]);
  }
  if (query.to !== undefined) {
    const to = query.to;
    checks.push([(p) => { const is = (x: string) => `${address(x)} = ${p.text(to)}`; return [...anyAddress(RECIPIENT_LISTS, is), anyRecipient(is)].join(" OR "); }, ["to", "cc", "bcc", "envelope.recipients"]]);
  }
  if (query.domain !== undefined) {
    const domain = query.domain;
    // The domain or any subdomain of it. No LIKE: a `_` or `%` in the value would be a wildcard; a reversed
    // domain starts with the reversed ".<domain>" instead.
    const reversed = [...`.${domain}`].reverse().join("");
    checks.push([
      (p) => {
        const at = (x: string) => `(${domainOf(x)} = ${p.text(domain)} OR starts_with(reverse(${domainOf(x)}), ${p.text(reversed)}))`;
        return [...anyAddress([...SENDER_LISTS, ...RECIPIENT_LISTS], at), at("sender_address"), at("envelope_sender"), anyRecipient(at)].join(" OR ");
      },
      ["from", "sender", "to", "cc", "bcc", "envelope.sender", "envelope.recipients"],
    ]);
  }
  if (query.words && query.words.length > 0) {
    const words = query.words;
    // query.ts words(): NFKC, lower-case, runs of letters and digits.
    const subjectWords = `regexp_extract_all(lower(normalize(coalesce(subject, ''), NFKC)), '[\\p{L}\\p{N}]+')`;
    checks.push([(p) => words.map((w) => `contains(${subjectWords}, ${p.text(w)})`).join(" AND "), ["subject"]]);
  }
  if (query.messageId !== undefined) {
    const messageId = query.messageId;
    // query.ts normalizeMessageId: trim, without <>, trim, lower-case.
    const id = (x: string) => `lower(trim(regexp_replace(trim(${x}), '^<|>$', '')))`;
    checks.push([(p) => `${id("message_id")} = ${p.text(messageId)} OR ${id("original_message_id")} = ${p.text(messageId)}`, ["messageId", "original.messageId"]]);
  }
  if (query.correlationId !== undefined) {
    const correlationId = query.correlationId;
    checks.push([(p) => `correlation_id = ${p.text(correlationId)}`, ["messageId", "original.messageId"]]);
  }
  const attachments = `coalesce(attachments, CAST(ARRAY[] AS ARRAY(ROW(filename VARCHAR, sha256 VARCHAR))))`;
  if (query.attachmentName !== undefined) {
    const name = query.attachmentName;
    // query.ts normalizeName: NFKC, trim, lower-case.
    checks.push([(p) => `any_match(${attachments}, a -> lower(trim(normalize(a.filename, NFKC))) = ${p.text(name)})`, ["attachments"]]);
  }
  if (query.attachmentHash !== undefined) {
    const hash = query.attachmentHash;
    checks.push([(p) => `any_match(${attachments}, a -> a.sha256 = ${p.text(hash)})`, ["attachments"]]);
  }
  if (query.flag !== undefined) {
    const flag = query.flag;
    checks.push([(p) => (flag === "any" ? `cardinality(${list("flags")}) > 0` : `contains(${list("flags")}, ${p.text(flag)})`), ["flags"]]);
  }

  // query.ts when(): the message's Date when the archive filed it under that day, else its receipt. Both are
  // toISOString() texts (functions/core/metadata.ts), which sort as the instants they name. (No "?" in any
  // literal, not even a regular expression's: it would read as a parameter.)
  const when = `CASE WHEN date_header IS NOT NULL AND replace(substr(date_header, 1, 10), '-', '/') = regexp_extract(record_key, '^(messages|meta|quarantine)/(\\d{4}/\\d{2}/\\d{2})/', 2) THEN date_header ELSE received_at END`;
  // Each check once, as a column: ok<i> whether it holds (a NULL, a field the sidecar lacks, never does), cut<i> whether its fields are cut.
  const columns = checks.map(([sql, fields], i) => `coalesce((${sql(p)}), false) AS ok${i}, ${cutSql(fields)} AS cut${i}`);
  const filters: string[] = [];
  const days = dayRange(query, now);
  if (days.first) filters.push(`${DAY_COLUMN} >= ${p.text(days.first)}`);
  filters.push(`${DAY_COLUMN} <= ${p.text(days.last)}`);
  if (query.minSize !== undefined) filters.push(`size_bytes >= ${p.integer(query.minSize)}`);
  if (query.maxSize !== undefined) filters.push(`size_bytes <= ${p.integer(query.maxSize)}`);
  if (query.source !== undefined) filters.push(`intake_source = ${p.text(query.source)}`);
  const timeFilters: string[] = [];
  if (query.since) timeFilters.push(`at >= ${p.text(query.since.toISOString())}`);
  if (query.until) timeFilters.push(`at < ${p.text(query.until.toISOString())}`);
  const all = checks.map((_, i) => `ok${i}`).join(" AND ");
  const decidable = checks.map((_, i) => `(ok${i} OR cut${i})`).join(" AND ");
  const status = checks.length === 0 ? `'hit'` : `CASE WHEN ${all} THEN 'hit' WHEN ${decidable} THEN 'undecided' END`;
  const table = `"${target.database}"."${target.table}"`;
  const sql = [
    `WITH records AS (SELECT "$path" AS path, sha256, ${when} AS at${columns.map((c) => `, ${c}`).join("")} FROM ${table} WHERE ${filters.join(" AND ")}),`,
    `judged AS (SELECT path, at, sha256, ${status} AS status FROM records${timeFilters.length > 0 ? ` WHERE ${timeFilters.join(" AND ")}` : ""}),`,
    `counted AS (SELECT path, at, sha256, status, row_number() OVER (PARTITION BY status ORDER BY at, sha256) AS n, count(*) OVER (PARTITION BY status) AS found FROM judged WHERE status IS NOT NULL)`,
    `SELECT status, path, found FROM counted WHERE status = 'undecided' OR n <= ${p.integer(query.limit ?? 1_000_000_000)} ORDER BY status, at, sha256`,
  ].join("\n");
  return { sql, parameters: p.values };
}

const DONE = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/** Starts the query in the workgroup (which enforces its result location and encryption), waits, and reads every row. */
async function run(options: AthenaEngineOptions, built: AthenaQuery): Promise<{ rows: string[][]; notes: string[] }> {
  const { client } = options;
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: built.sql,
      WorkGroup: options.workgroup,
      QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: options.database },
      ...(built.parameters.length > 0 ? { ExecutionParameters: [...built.parameters] } : {}),
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new Error("Athena started no query (no QueryExecutionId)");
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let wait = 200;
  for (;;) {
    const execution = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
    const state = execution?.Status?.State;
    if (state && DONE.has(state)) {
      if (state !== "SUCCEEDED") {
        const reason = execution?.Status?.StateChangeReason ?? "no reason given";
        const hint = /bytes scanned|scan limit|BytesScannedCutoff/i.test(reason)
          ? ": the workgroup refuses queries that scan more than its cutoff; narrow the dates (--since/--until)"
          : /HIVE_BAD_DATA|HIVE_CURSOR_ERROR|Ion/i.test(reason)
            ? ": a sidecar in the days searched could not be read; run verify, and search those days by scan (--archive s3://…)"
            : "";
        throw new Error(`Athena query ${id} in workgroup ${options.workgroup} ${state.toLowerCase()}: ${reason}${hint}`);
      }
      const scanned = execution?.Statistics?.DataScannedInBytes;
      const rows = await results(client, id);
      return { rows, notes: [`Athena query ${id}${scanned !== undefined ? ` scanned ${(scanned / 1_048_576).toFixed(1)} MiB` : ""}`] };
    }
    await sleep(wait);
    wait = Math.min(wait * 2, 2000);
  }
}

async function results(client: AthenaClient, id: string): Promise<string[][]> {
  const rows: string[][] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
    const data = (page.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((d) => d.VarCharValue ?? ""));
    // The first row of the first page is the header.
    rows.push(...(first ? data.slice(1) : data));
    first = false;
    token = page.NextToken;
  } while (token);
  return rows;
}

export function athenaEngine(options: AthenaEngineOptions): SearchEngine {
  return {
    name: "athena",
    async search(query: Query): Promise<SearchResult> {
      if (query.area !== "messages") {
        const scanned = await options.fallback.search(query);
        return { ...scanned, notes: [...scanned.notes, "quarantined input is not in Athena's table (meta/ only): it was scanned"] };
      }
      const built = athenaQuery(query, options, options.now?.());
      const { rows, notes } = await run(options, built);
      const judged: { hits: string[]; undecided: string[]; total: number } = { hits: [], undecided: [], total: 0 };
      for (const [status, path, found] of rows) {
        const key = keyOfUri(path, options.bucket);
        if (status === "hit") {
          judged.hits.push(key);
          judged.total = Number(found);
        } else judged.undecided.push(key);
      }
      const answer: JudgedRows = { ...judged, notes };
      return judge(options.store, query, answer, "athena");
    },
  };
}
