// `journal search` (and `list`, today's flags): the query from the command line, the engine that
// answers it, the `searched` audit line, and the answer as a table, JSON or CSV.
import { createHash } from "node:crypto";
import { isSha256 } from "../../core/layout";
import type { MessageMetadata, QuarantineRecord } from "../../core/types";
import { openTarget, type AuditTarget } from "../open";
import {
  describeQuery,
  DETECTORS,
  isQuarantine,
  normalizeAddress,
  normalizeMessageId,
  normalizeName,
  recipientsOf,
  sendersOf,
  SOURCES,
  words,
  type Hit,
  type Query,
  type SearchResult,
} from "../query";
import { endProgress, integer, options, print, progress, target, TARGET_OPTIONS, TARGET_USAGE, UsageError } from "./args";

export const QUERY_OPTIONS = {
  from: { type: "string" },
  to: { type: "string" },
  domain: { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  date: { type: "string" },
  subject: { type: "string" },
  "message-id": { type: "string" },
  correlation: { type: "string" },
  attachment: { type: "string" },
  "attachment-hash": { type: "string" },
  flag: { type: "string" },
  source: { type: "string" },
  "min-size": { type: "string" },
  "max-size": { type: "string" },
  quarantined: { type: "boolean" },
  reason: { type: "string" },
} as const;

export const QUERY_USAGE = `  filters (all given must hold; none: everything):
    --from ADDR            sender: From, Sender or the envelope's sender
    --to ADDR              recipient: To, Cc, Bcc or the journal envelope (expanded lists, and the list itself)
    --domain DOMAIN        any sender or recipient at DOMAIN or a subdomain of it
    --since DATE --until DATE   YYYY-MM-DD (whole days, --until inclusive) or an ISO instant (--until exclusive)
    --date YYYY-MM-DD      that one day
    --subject "WORDS"      every word in the subject (whole words, any case)
    --message-id ID        the message's Message-ID, or its original's for a journal report
    --correlation HEX      every journal report of one original, and the original (the sidecar's correlationId)
    --attachment NAME      an attachment's file name (whole, any case)
    --attachment-hash HEX  an attachment's SHA-256
    --flag card|ssn|iban|any   a sensitive-data flag
    --source ${SOURCES.join("|")}
    --min-size N --max-size N  bytes
    --quarantined          search quarantined input instead (by date, size, --reason "WORDS", --from/--to of its envelope)`;

const USAGE = `usage: npm run journal -- search [filters] [--format table|json|csv] [--limit N] [${TARGET_USAGE}]
${QUERY_USAGE}
  --limit N   show the first N hits by date (default 1000); the count is of all of them
Sorted by date. Hits the sidecar cannot decide (a cut field, a journal report that could not be
unwrapped) are listed apart as possible hits. Every search is audited (searched, with the query and the count).`;

type QueryValues = { [K in keyof typeof QUERY_OPTIONS]?: (typeof QUERY_OPTIONS)[K]["type"] extends "string" ? string : boolean };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

function instant(name: string, value: string, endOfDay: boolean, usage: string): Date {
  const day = DAY.exec(value);
  if (day) {
    const date = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
    if (date.toISOString().slice(0, 10) !== value) throw new UsageError(`--${name} "${value}" is not a calendar date`, usage);
    return endOfDay ? new Date(date.getTime() + 86_400_000) : date;
  }
  const parsed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) throw new UsageError(`--${name} must be a date YYYY-MM-DD or an ISO instant like 2026-11-24T09:30:00Z, got "${value}"`, usage);
  return parsed;
}

function hex64(name: string, value: string | undefined, usage: string): string | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (!isSha256(lower)) throw new UsageError(`--${name} must be 64 hex characters (a SHA-256), got "${value}"`, usage);
  return lower;
}

/** The query the filters describe; every bad value is a usage error naming it and what is allowed. */
export function queryFromValues(values: QueryValues, usage: string, limit?: number): Query {
  const area = values.quarantined ? "quarantine" : "messages";
  const address = (name: "from" | "to", value: string | undefined) => {
    if (value === undefined) return undefined;
    if (!ADDRESS.test(value.trim())) throw new UsageError(`--${name} must be one email address (local@domain), got "${value}"`, usage);
    return normalizeAddress(value);
  };
  if (values.date !== undefined && (values.since !== undefined || values.until !== undefined)) throw new UsageError("give --date, or --since/--until, not both", usage);
  if (values.date !== undefined && !DAY.test(values.date)) throw new UsageError(`--date must be YYYY-MM-DD, got "${values.date}"`, usage);
  const since = values.date ?? values.since;
  const until = values.date ?? values.until;
  const domain = values.domain?.trim().toLowerCase().replace(/^@/, "").replace(/\.$/, "");
  if (domain !== undefined && !/^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)*$/u.test(domain)) throw new UsageError(`--domain must be a domain like example.com, got "${values.domain}"`, usage);
  if (area === "quarantine") {
    for (const name of ["subject", "message-id", "correlation", "attachment", "attachment-hash", "flag"] as const) {
      if (values[name] !== undefined) throw new UsageError(`--${name} does not apply to --quarantined: quarantined input was never parsed (search it by date, size, --reason, --from/--to of its envelope, --source)`, usage);
    }
  } else if (values.reason !== undefined) throw new UsageError("--reason applies only with --quarantined", usage);
  const text = area === "quarantine" ? values.reason : values.subject;
  const wordList = text !== undefined ? words(text) : undefined;
  if (wordList !== undefined && wordList.length === 0) throw new UsageError(`--${area === "quarantine" ? "reason" : "subject"} must hold at least one word (letters or digits), got "${text}"`, usage);
  const messageId = values["message-id"] !== undefined ? normalizeMessageId(values["message-id"]) : undefined;
  if (messageId === "") throw new UsageError("--message-id must not be empty", usage);
  const attachment = values.attachment !== undefined ? normalizeName(values.attachment) : undefined;
  if (attachment === "") throw new UsageError("--attachment must name a file", usage);
  const flag = values.flag?.toLowerCase();
  if (flag !== undefined && flag !== "any" && !DETECTORS.includes(flag as never)) throw new UsageError(`--flag must be one of ${DETECTORS.join(", ")} or any, got "${values.flag}"`, usage);
  if (values.source !== undefined && !SOURCES.includes(values.source as never)) throw new UsageError(`--source must be one of ${SOURCES.join(", ")}, got "${values.source}"`, usage);
  const minSize = integer("min-size", values["min-size"], 0, Number.MAX_SAFE_INTEGER, usage);
  const maxSize = integer("max-size", values["max-size"], 0, Number.MAX_SAFE_INTEGER, usage);
  const query: Query = {
    area,
    ...(values.from !== undefined ? { from: address("from", values.from) } : {}),
    ...(values.to !== undefined ? { to: address("to", values.to) } : {}),
    ...(domain !== undefined ? { domain } : {}),
    ...(since !== undefined ? { since: instant(values.date ? "date" : "since", since, false, usage) } : {}),
    ...(until !== undefined ? { until: instant(values.date ? "date" : "until", until, true, usage) } : {}),
    ...(wordList ? { words: [...new Set(wordList)] } : {}),
    ...(messageId !== undefined ? { messageId } : {}),
    ...(values.correlation !== undefined ? { correlationId: hex64("correlation", values.correlation, usage) } : {}),
    ...(attachment !== undefined ? { attachmentName: attachment } : {}),
    ...(values["attachment-hash"] !== undefined ? { attachmentHash: hex64("attachment-hash", values["attachment-hash"], usage) } : {}),
    ...(flag !== undefined ? { flag: flag as Query["flag"] } : {}),
    ...(values.source !== undefined ? { source: values.source as Query["source"] } : {}),
    ...(minSize !== undefined ? { minSize } : {}),
    ...(maxSize !== undefined ? { maxSize } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
  if (query.since && query.until && query.until <= query.since) throw new UsageError("--until must be after --since", usage);
  return query;
}

/** Runs a search on the target and audits it (`searched`, the query, the count, the person). */
export async function auditedSearch(archive: AuditTarget, query: Query): Promise<SearchResult & { engine: string }> {
  let shown = false;
  const engine = await archive.engine((read) => {
    shown = true;
    progress(`sidecars read: ${read}   `);
  });
  const found = await engine.search(query);
  if (shown) endProgress();
  await archive.store.audit({ action: "searched", at: new Date().toISOString(), actor: await archive.store.actor(), query: describeQuery(query), count: found.total });
  // A sidecar whose message is gone is shown as missing, never as if it could be exported (locally a stat; clouds: verify).
  const local = archive.local?.archive.store;
  const hits = local ? await Promise.all(found.hits.map(async (hit) => ((await local.header(hit.key).catch(() => undefined)) ? hit : { ...hit, notes: [...hit.notes, MISSING] }))) : found.hits;
  return { ...found, hits, engine: engine.name };
}

export const MISSING = "MESSAGE MISSING: run verify";

/** One line per hit, for the table and CSV. */
export function rowOf(hit: Hit, match: "yes" | "possible" = "yes") {
  const s = hit.sidecar;
  const senders = sendersOf(s);
  const recipients = recipientsOf(s);
  const quarantined = isQuarantine(s);
  return {
    date: hit.at,
    sha256: hit.sha256,
    key: hit.key,
    from: [...new Set([...senders.headers, ...senders.envelope])].join(" "),
    recipients: [...new Set([...recipients.headers, ...recipients.envelope])].join(" "),
    subject: quarantined ? "" : ((s as MessageMetadata).subject ?? ""),
    reason: quarantined ? (s as QuarantineRecord).reason : "",
    size: s.size,
    source: s.source,
    flags: quarantined ? "" : (s as MessageMetadata).flags.join(" "),
    match,
    notes: hit.notes.join("; "),
  };
}

const CSV_COLUMNS = ["date", "sha256", "key", "from", "recipients", "subject", "reason", "size", "source", "flags", "match", "notes"] as const;
const csvCell = (value: unknown) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const clip = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

export function render(result: SearchResult & { engine: string }, query: Query, format: "table" | "json" | "csv"): string {
  if (format === "json") {
    return JSON.stringify(
      {
        engine: result.engine,
        query: describeQuery(query),
        total: result.total,
        shown: result.hits.length,
        hits: result.hits.map((hit) => ({ ...rowOf(hit), sidecar: hit.sidecar })),
        possible: result.possible.map((hit) => ({ ...rowOf(hit, "possible"), sidecar: hit.sidecar })),
        notes: result.notes,
      },
      null,
      2,
    );
  }
  if (format === "csv") {
    const rows = [...result.hits.map((h) => rowOf(h)), ...result.possible.map((h) => rowOf(h, "possible"))];
    return [CSV_COLUMNS.join(","), ...rows.map((row) => CSV_COLUMNS.map((c) => csvCell(row[c])).join(","))].join("\r\n");
  }
  const lines: string[] = [];
  const quarantine = query.area === "quarantine";
  const line = (hit: Hit, mark: string) => {
    const row = rowOf(hit);
    const what = quarantine ? `${row.size} B  ${clip(row.reason, 60)}` : `${clip(row.from || "-", 36)} → ${clip(row.recipients || "-", 40)}  ${clip(row.subject, 50)}`;
    return `${mark}${row.date.slice(0, 19).replace("T", " ")}  ${row.sha256}  ${what}${row.notes ? `  [${row.notes}]` : ""}`;
  };
  for (const hit of result.hits) lines.push(line(hit, ""));
  if (result.possible.length > 0) {
    lines.push("", `possible hits (${result.possible.length}): their sidecar cannot decide the query; read the message`);
    for (const hit of result.possible) lines.push(line(hit, "? "));
  }
  for (const note of result.notes) lines.push(`note: ${note}`);
  const what = quarantine ? "quarantined input(s)" : "message(s)";
  lines.push(`${result.total} ${what} matched${result.hits.length < result.total ? `, the first ${result.hits.length} by date shown (--limit)` : ""}; engine: ${result.engine}; query: ${describeQuery(query)}`);
  return lines.join("\n");
}

function formatOf(values: { format?: string; json?: boolean }, usage: string): "table" | "json" | "csv" {
  if (values.json) return "json";
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json" && format !== "csv") throw new UsageError(`--format must be table, json or csv, got "${format}"`, usage);
  return format;
}

export async function searchCommand(args: string[]): Promise<number> {
  const { values } = options(args, { ...QUERY_OPTIONS, ...TARGET_OPTIONS, format: { type: "string" }, json: { type: "boolean" }, limit: { type: "string" } }, USAGE);
  const format = formatOf(values, USAGE);
  const query = queryFromValues(values, USAGE, integer("limit", values.limit, 1, 10_000_000, USAGE) ?? 1000);
  const archive = await openTarget({ ...target(values, USAGE), role: "auditor" });
  try {
    const result = await auditedSearch(archive, query);
    print(render(result, query, format));
  } finally {
    await archive.close();
  }
  return 0;
}

const LIST_USAGE = `usage: npm run journal -- list [--from ADDR] [--to ADDR] [--date YYYY-MM-DD] [--json] [${TARGET_USAGE}]
  today's flags, kept: the same as \`search\` with those filters, printed one line per message (or a JSON array of sidecars)`;

/** `list`: `search` with today's flags and output, kept for the scripts and docs that use it. */
export async function listCommand(args: string[]): Promise<number> {
  const { values } = options(args, { from: { type: "string" }, to: { type: "string" }, date: { type: "string" }, json: { type: "boolean" }, ...TARGET_OPTIONS }, LIST_USAGE);
  const query = queryFromValues({ from: values.from, to: values.to, date: values.date }, LIST_USAGE);
  const archive = await openTarget({ ...target(values, LIST_USAGE), role: "auditor" });
  try {
    const result = await auditedSearch(archive, query);
    if (values.json) print(JSON.stringify(result.hits.map((hit) => (hit.notes.includes(MISSING) ? { ...hit.sidecar, missing: true } : hit.sidecar)), null, 2));
    else for (const hit of result.hits) print(render({ ...result, hits: [hit], possible: [], notes: [] }, query, "table").split("\n")[0]);
  } finally {
    await archive.close();
  }
  return 0;
}

/** The records a hold or an export acts on: ids given, or every hit of a search. */
export async function selectRecords(
  values: QueryValues & { id?: string[] },
  positional: readonly string[],
  archive: AuditTarget,
  usage: string,
): Promise<{ targets: Array<{ key: string; sha256: string }>; query: string; possible: number }> {
  const ids = [...positional, ...(values.id ?? [])];
  const filters = Object.keys(QUERY_OPTIONS).filter((name) => values[name as keyof QueryValues] !== undefined);
  if (ids.length > 0 && filters.length > 0) throw new UsageError("give message ids or search filters, not both", usage);
  if (ids.length > 0) {
    const targets: Array<{ key: string; sha256: string }> = [];
    for (const id of ids) {
      const sha256 = id.toLowerCase();
      if (!isSha256(sha256)) throw new UsageError(`a message id is its SHA-256 (64 hex characters), got "${id}"`, usage);
      const key = await archive.locate(sha256);
      if (!key) throw new Error(`no message or quarantined input with sha256 ${sha256} in ${archive.store.location}`);
      if (!targets.some((t) => t.sha256 === sha256)) targets.push({ key, sha256 });
    }
    // A few ids are named; a long list is named by its own SHA-256 (the manifest lists every one), so each audit line stays short.
    const list = targets.map((t) => t.sha256).join(",");
    const query = targets.length <= 3 ? `ids=${list}` : `${targets.length} ids, list sha256=${createHash("sha256").update(list).digest("hex")}`;
    return { targets, query, possible: 0 };
  }
  if (filters.length === 0) throw new UsageError("name the messages: their ids (sha256), or search filters (--from, --to, --since …)", usage);
  const query = queryFromValues(values, usage);
  const result = await auditedSearch(archive, query);
  return { targets: result.hits.map((hit) => ({ key: hit.key, sha256: hit.sha256 })), query: describeQuery(query), possible: result.possible.length };
}
