// The T-SQL the Azure engine sends to the Synapse serverless SQL pool for a `Query`, and the plan it
// is rendered from. The plan says, for each constraint of the reference matcher (query.ts `verdict`),
// which sidecar fields it reads and how it compares them; the renderer turns it into one statement
// over the sidecars themselves, `OPENROWSET(BULK '<container URL>/meta/*/*/*/*.json')`, each file read
// whole as one JSON document ("Query JSON files using serverless SQL pool": FORMAT 'CSV' with field
// quote, field terminator and row terminator 0x0b, a byte JSON text cannot hold unescaped).
//
// What T-SQL decides exactly, and what it leaves to the reference matcher. T-SQL has no NFKC and
// folds case by collation, not as JavaScript does, so the SQL compares only what it can compare
// exactly: values of printable ASCII, lower-cased by LOWER and compared under a binary collation.
// For each constraint a record is then
//   sure (E)       the constraint holds, decided exactly on ASCII values;
//   undecided (U)  a value it would consult is not printable ASCII, so T-SQL cannot say;
//   cut (C)        the sidecar holds the field only in part (query.ts `cutIn`).
// A record whose every constraint is E is a hit, counted by the SQL (kind 1). One whose every
// constraint is E, U or C, but not all E, may be a hit or a possible hit (kind 2): the SQL lists it
// for the reference matcher to judge on its sidecar. So every record the matcher accepts, or calls
// possible, is in one of the two; a record with a date, size or key the SQL cannot read exactly is
// kind 2 as well. Nothing the user typed is ever part of the SQL text: every value is a parameter
// (sp_executesql, through tedious); the text holds only the archive's URL, which the stack names,
// and the days of the range, written from numbers.
import type { AttachmentInfo, MessageMetadata, QuarantineRecord, TruncatedField } from "../../core/types";
import { prefixesFor, type Query } from "../query";

// ---- the sidecar fields the SQL reads, checked against the sidecar's type -------------------------

/** A JSON path into a sidecar, `$.a` or `$.a.b`. */
export type JsonPath = `$.${string}`;

type Members<T> = Extract<keyof NonNullable<T>, string>;
const messageField = <K extends Members<MessageMetadata>>(k: K): JsonPath => `$.${k}`;
const messageMember = <K extends Members<MessageMetadata>, M extends Members<MessageMetadata[K]>>(k: K, m: M): JsonPath => `$.${k}.${m}`;
const quarantineField = <K extends Members<QuarantineRecord>>(k: K): JsonPath => `$.${k}`;
const quarantineMember = <K extends Members<QuarantineRecord>, M extends Members<QuarantineRecord[K]>>(k: K, m: M): JsonPath => `$.${k}.${m}`;
const recipientMember = <M extends Members<MessageMetadata["envelope"]["recipients"][number]>>(m: M): JsonPath => `$.${m}`;
const attachmentMember = <M extends Members<AttachmentInfo>>(m: M): JsonPath => `$.${m}`;

/** Where a constraint's values come from: a field, each element of an array, or one member of each object of an array. */
export type Source =
  | { readonly kind: "scalar"; readonly path: JsonPath }
  | { readonly kind: "array"; readonly path: JsonPath }
  | { readonly kind: "objects"; readonly path: JsonPath; readonly member: JsonPath };

const scalar = (path: JsonPath): Source => ({ kind: "scalar", path });
const array = (path: JsonPath): Source => ({ kind: "array", path });
const objects = (path: JsonPath, member: JsonPath): Source => ({ kind: "objects", path, member });

/** The fields each constraint consults, as query.ts's sendersOf/recipientsOf/messageIdsOf/attachmentsOf/flagsOf read them. */
export const SOURCES = {
  messages: {
    senders: [array(messageField("from")), scalar(messageField("sender")), scalar(messageMember("envelope", "sender"))],
    recipients: [
      array(messageField("to")),
      array(messageField("cc")),
      array(messageField("bcc")),
      objects(messageMember("envelope", "recipients"), recipientMember("address")),
      objects(messageMember("envelope", "recipients"), recipientMember("expandedFrom")),
      objects(messageMember("envelope", "recipients"), recipientMember("forwardedFrom")),
    ],
    messageIds: [scalar(messageField("messageId")), scalar(messageMember("original", "messageId"))],
    correlationId: [scalar(messageField("correlationId"))],
    attachmentNames: [objects(messageField("attachments"), attachmentMember("filename"))],
    attachmentHashes: [objects(messageField("attachments"), attachmentMember("sha256"))],
    flags: [array(messageField("flags"))],
    text: messageField("subject"),
  },
  quarantine: {
    senders: [scalar(quarantineMember("envelope", "sender"))],
    recipients: [array(quarantineMember("envelope", "recipients"))],
    messageIds: [],
    correlationId: [],
    attachmentNames: [],
    attachmentHashes: [],
    flags: [],
    text: quarantineField("reason"),
  },
} as const satisfies Record<"messages" | "quarantine", Record<string, readonly Source[] | JsonPath>>;

/** The scalar fields every record is read for (OPENJSON ... WITH): what `when`, the order, the exact filters and cutIn read. */
export const RECORD_FIELDS = {
  sha256: messageField("sha256"),
  key: messageField("key"),
  size: messageField("size"),
  source: messageField("source"),
  receivedAt: messageField("receivedAt"),
  date: messageField("date"),
  journalProblem: messageField("journalProblem"),
} as const satisfies Record<string, JsonPath>;

/** The array the cut fields are named in. */
export const TRUNCATED: JsonPath = messageField("truncated");

// ---- the plan ---------------------------------------------------------------------------------

/** How a constraint compares each value; `param` absent when no printable-ASCII value can satisfy it (then never sure). */
export type Test =
  | { readonly kind: "address"; readonly param?: string }
  | { readonly kind: "domain"; readonly param?: string }
  | { readonly kind: "messageId"; readonly param?: string }
  | { readonly kind: "name"; readonly param?: string }
  | { readonly kind: "equals"; readonly param: string }
  | { readonly kind: "present" }
  | { readonly kind: "words"; readonly params?: readonly string[] };

export interface Check {
  /** As verdict names it in its notes. */
  readonly what: string;
  readonly sources: readonly Source[];
  readonly test: Test;
  /** The fields whose cut leaves the constraint undecided (verdict's cutFields); none for quarantine records. */
  readonly cut: readonly TruncatedField[];
}

export interface SqlParameter {
  readonly name: string;
  readonly type: "NVarChar" | "BigInt" | "DateTime2";
  readonly value: string | number | Date;
}

export interface SearchPlan {
  readonly area: "messages" | "quarantine";
  /** The folders of the date range, from prefixesFor: a year, a month or a day each; empty for every record. */
  readonly folders: readonly { readonly year: string; readonly month?: string; readonly day?: string }[];
  readonly checks: readonly Check[];
  /** Parameters of the filters every record must meet exactly (dates, size, intake), when given. */
  readonly since?: string;
  readonly until?: string;
  readonly minSize?: string;
  readonly maxSize?: string;
  readonly source?: string;
  readonly parameters: readonly SqlParameter[];
}

/** Printable ASCII without the space: what an address or domain T-SQL can compare exactly is made of. */
export const PLAIN = /^[!-~]*$/;
/** Printable ASCII: what a Message-ID, a file name or a subject T-SQL can compare exactly is made of. */
export const PRINTABLE = /^[ -~]*$/;
const WORD = /^[a-z0-9]+$/;

/** The plan for `query`: its checks, in verdict's order, and its parameters. */
export function planSearch(query: Query): SearchPlan {
  const sources = SOURCES[query.area];
  const quarantined = query.area === "quarantine";
  const parameters: SqlParameter[] = [];
  const text = (name: string, value: string) => (parameters.push({ name, type: "NVarChar", value }), name);
  const cut = (fields: readonly TruncatedField[]) => (quarantined ? [] : fields);
  const checks: Check[] = [];
  const usable = (value: string, shape: RegExp) => shape.test(value) && value !== "";

  if (query.from !== undefined) {
    checks.push({ what: "sender", sources: sources.senders, test: { kind: "address", ...(usable(query.from, PLAIN) ? { param: text("from", query.from) } : {}) }, cut: cut(["from", "sender", "envelope.sender"]) });
  }
  if (query.to !== undefined) {
    checks.push({ what: "recipient", sources: sources.recipients, test: { kind: "address", ...(usable(query.to, PLAIN) ? { param: text("to", query.to) } : {}) }, cut: cut(["to", "cc", "bcc", "envelope.recipients"]) });
  }
  if (query.domain !== undefined) {
    checks.push({
      what: "domain",
      sources: [...sources.senders, ...sources.recipients],
      test: { kind: "domain", ...(usable(query.domain, PLAIN) ? { param: text("domain", query.domain) } : {}) },
      cut: cut(["from", "sender", "to", "cc", "bcc", "envelope.sender", "envelope.recipients"]),
    });
  }
  if (query.words && query.words.length > 0) {
    const ascii = query.words.every((w) => WORD.test(w));
    checks.push({
      what: quarantined ? "reason" : "subject",
      sources: [scalar(sources.text)],
      test: { kind: "words", ...(ascii ? { params: query.words.map((w, i) => text(`word${i}`, w)) } : {}) },
      cut: cut(["subject"]),
    });
  }
  if (query.messageId !== undefined) {
    checks.push({ what: "Message-ID", sources: sources.messageIds, test: { kind: "messageId", ...(usable(query.messageId, PRINTABLE) ? { param: text("messageId", query.messageId) } : {}) }, cut: cut(["messageId", "original.messageId"]) });
  }
  if (query.correlationId !== undefined) {
    checks.push({ what: "correlation id", sources: sources.correlationId, test: { kind: "equals", param: text("correlationId", query.correlationId) }, cut: cut(["messageId", "original.messageId"]) });
  }
  if (query.attachmentName !== undefined) {
    checks.push({ what: "attachment name", sources: sources.attachmentNames, test: { kind: "name", ...(usable(query.attachmentName, PRINTABLE) ? { param: text("attachmentName", query.attachmentName) } : {}) }, cut: cut(["attachments"]) });
  }
  if (query.attachmentHash !== undefined) {
    checks.push({ what: "attachment hash", sources: sources.attachmentHashes, test: { kind: "equals", param: text("attachmentHash", query.attachmentHash) }, cut: cut(["attachments"]) });
  }
  if (query.flag !== undefined) {
    checks.push({ what: "sensitive-data flag", sources: sources.flags, test: query.flag === "any" ? { kind: "present" } : { kind: "equals", param: text("flag", query.flag) }, cut: cut(["flags"]) });
  }

  const at = (name: string, value: Date | undefined) => (value ? (parameters.push({ name, type: "DateTime2", value }), name) : undefined);
  const bytes = (name: string, value: number | undefined) => (value !== undefined ? (parameters.push({ name, type: "BigInt", value }), name) : undefined);
  const since = at("since", query.since);
  const until = at("until", query.until);
  const minSize = bytes("minSize", query.minSize);
  const maxSize = bytes("maxSize", query.maxSize);
  const source = query.source !== undefined ? text("source", query.source) : undefined;
  return {
    area: query.area,
    folders: foldersOf(query),
    checks,
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(minSize ? { minSize } : {}),
    ...(maxSize ? { maxSize } : {}),
    ...(source ? { source } : {}),
    parameters,
  };
}

/** The year, month and day folders of the date range (prefixesFor), as digits. */
function foldersOf(query: Query): SearchPlan["folders"] {
  const out: { year: string; month?: string; day?: string }[] = [];
  for (const prefix of prefixesFor(query)) {
    const m = /^(?:meta|quarantine)\/(?:(\d{4})\/(?:(\d{2})\/(?:(\d{2})\/)?)?)?$/.exec(prefix);
    if (!m) throw new Error(`unexpected folder ${prefix} for a date range`);
    if (m[1] === undefined) return [];
    out.push({ year: m[1], ...(m[2] ? { month: m[2] } : {}), ...(m[3] ? { day: m[3] } : {}) });
  }
  return out;
}

// ---- rendering --------------------------------------------------------------------------------

/** Binary collation: code-point comparison, no case or width folding, and LIKE ranges by code point. */
const BIN = "Latin1_General_100_BIN2";
/** The ISO instant toISOString writes, the only date form the SQL reads exactly. */
const ISO = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z";
const DAY_OF_KEY = "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/%";

export interface RenderOptions {
  /** The archive container's URL, `https://<account>.blob.core.windows.net/<container>`. */
  readonly containerUrl: string;
  /** The most hits the SQL returns (the query's limit); all when absent. */
  readonly limit?: number;
  /** The most undecided records it returns for the reference matcher. */
  readonly undecidedCap: number;
}

export interface RenderedQuery {
  readonly sql: string;
  readonly parameters: readonly SqlParameter[];
}

const CONTAINER_URL = /^https:\/\/[a-z0-9]{3,24}\.blob\.core\.windows\.net\/(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const literal = (path: JsonPath) => {
  // Paths come from SOURCES and RECORD_FIELDS, never from a query; the check keeps it so.
  if (!/^\$(\.[A-Za-z0-9]+)+$/.test(path)) throw new Error(`not a sidecar path: ${path}`);
  return `'${path}'`;
};
const flag = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;

/** One row per value the check consults, as [v], for the record [d]. */
function valuesOf(sources: readonly Source[]): string {
  return sources
    .map((s) =>
      s.kind === "array"
        ? `SELECT [value] AS [v] FROM OPENJSON([d].[json], ${literal(s.path)})`
        : s.kind === "scalar"
          ? `SELECT [v] FROM OPENJSON([d].[json]) WITH ([v] NVARCHAR(MAX) ${literal(s.path)})`
          : `SELECT [v] FROM OPENJSON([d].[json], ${literal(s.path)}) WITH ([v] NVARCHAR(MAX) ${literal(s.member)})`,
    )
    .join(" UNION ALL ");
}

const isPlain = (x: string) => `${x} COLLATE ${BIN} NOT LIKE N'%[^!-~]%'`;
const isPrintable = (x: string) => `${x} COLLATE ${BIN} NOT LIKE N'%[^ -~]%'`;

/** The condition on one trimmed value [t] (and its derived columns) under which the check holds, exactly. */
function sureTest(test: Test): { apply: string; where: string } | undefined {
  switch (test.kind) {
    case "address":
      return test.param ? { apply: "", where: `${isPlain("[x].[t]")} AND LOWER([x].[t]) COLLATE ${BIN} = @${test.param}` } : undefined;
    case "domain":
      // domainsOf: the part after the last @, one leading [ and trailing ] removed, then one trailing dot.
      return test.param
        ? {
            apply:
              " CROSS APPLY (SELECT LOWER([x].[t]) AS [a], CHARINDEX(N'@', REVERSE([x].[t])) AS [p]) AS [x1]" +
              " CROSS APPLY (SELECT CASE WHEN [x1].[p] > 0 THEN RIGHT([x1].[a], [x1].[p] - 1) ELSE N'' END AS [raw]) AS [x2]" +
              " CROSS APPLY (SELECT CASE WHEN LEFT([x2].[raw], 1) = N'[' THEN SUBSTRING([x2].[raw], 2, LEN([x2].[raw])) ELSE [x2].[raw] END AS [s1]) AS [x3]" +
              " CROSS APPLY (SELECT CASE WHEN RIGHT([x3].[s1], 1) = N']' THEN LEFT([x3].[s1], LEN([x3].[s1]) - 1) ELSE [x3].[s1] END AS [s2]) AS [x4]" +
              " CROSS APPLY (SELECT CASE WHEN RIGHT([x4].[s2], 1) = N'.' THEN LEFT([x4].[s2], LEN([x4].[s2]) - 1) ELSE [x4].[s2] END AS [s3]) AS [x5]",
            where: `${isPlain("[x].[t]")} AND ([x5].[s3] COLLATE ${BIN} = @${test.param} OR RIGHT([x5].[s3], LEN(@${test.param}) + 1) COLLATE ${BIN} = N'.' + @${test.param})`,
          }
        : undefined;
    case "messageId":
      // normalizeMessageId: trim, one leading < and one trailing > removed, trim, lower-case.
      return test.param
        ? {
            apply:
              " CROSS APPLY (SELECT CASE WHEN LEFT([x].[t], 1) = N'<' THEN SUBSTRING([x].[t], 2, LEN([x].[t])) ELSE [x].[t] END AS [m1]) AS [x1]" +
              " CROSS APPLY (SELECT CASE WHEN RIGHT([x1].[m1], 1) = N'>' THEN LEFT([x1].[m1], LEN([x1].[m1]) - 1) ELSE [x1].[m1] END AS [m2]) AS [x2]",
            where: `${isPrintable("[x].[t]")} AND LOWER(TRIM([x2].[m2])) COLLATE ${BIN} = @${test.param}`,
          }
        : undefined;
    case "name":
      return test.param ? { apply: "", where: `${isPrintable("[x].[t]")} AND LOWER([x].[t]) COLLATE ${BIN} = @${test.param}` } : undefined;
    case "equals":
      // `=` ignores trailing spaces; the lengths make it exact.
      return { apply: "", where: `[x].[v] COLLATE ${BIN} = @${test.param} AND DATALENGTH([x].[v]) = DATALENGTH(@${test.param})` };
    case "present":
      return { apply: "", where: "1 = 1" };
    case "words":
      // Every word whole: padded with spaces, each sits between two characters that are not letters or digits.
      return test.params
        ? { apply: "", where: [isPrintable("[x].[v]"), ...test.params.map((p) => `(N' ' + LOWER([x].[v]) + N' ') COLLATE ${BIN} LIKE N'%[^a-z0-9]' + @${p} + N'[^a-z0-9]%'`)].join(" AND ") }
        : undefined;
  }
}

/** What makes T-SQL unable to decide the check on a value [x]: it is not (printable) ASCII. */
function undecidedTest(test: Test): string | undefined {
  switch (test.kind) {
    case "address":
    case "domain":
      return `[x].[t] COLLATE ${BIN} LIKE N'%[^!-~]%'`;
    case "messageId":
    case "name":
      return `[x].[t] COLLATE ${BIN} LIKE N'%[^ -~]%'`;
    case "words":
      return `[x].[v] COLLATE ${BIN} LIKE N'%[^ -~]%'`;
    case "equals":
    case "present":
      return undefined;
  }
}

function exists(sources: readonly Source[], apply: string, where: string): string {
  return `EXISTS (SELECT 1 FROM (${valuesOf(sources)}) AS [s] CROSS APPLY (SELECT [s].[v] AS [v], TRIM([s].[v]) AS [t]) AS [x]${apply} WHERE [x].[v] IS NOT NULL AND ${where})`;
}

const CUT_NAME = /^[a-zA-Z.]+$/;

/** query.ts cutIn: an unread journal report leaves all but the flags undecided; a cut field leaves what reads it undecided. */
function cutTest(fields: readonly TruncatedField[]): string | undefined {
  if (fields.length === 0) return undefined;
  for (const f of fields) if (!CUT_NAME.test(f)) throw new Error(`not a sidecar field name: ${f}`);
  const listed = `EXISTS (SELECT 1 FROM OPENJSON([d].[json], ${literal(TRUNCATED)}) WHERE [value] COLLATE ${BIN} IN (${fields.map((f) => `N'${f}'`).join(", ")}))`;
  return fields.some((f) => f !== "flags") ? `(DATALENGTH([d].[journalProblem]) > 0 OR ${listed})` : listed;
}

/** The statement for `plan`: one row per hit (kind 1, the first `limit` by date), undecided record (kind 2) or unreadable sidecar (kind 3). */
export function renderSearch(plan: SearchPlan, options: RenderOptions): RenderedQuery {
  if (!CONTAINER_URL.test(options.containerUrl)) throw new Error(`the archive container URL "${options.containerUrl}" is not https://<account>.blob.core.windows.net/<container>`);
  const folder = plan.area === "quarantine" ? "quarantine" : "meta";
  const quarantined = plan.area === "quarantine";
  const files = plan.folders
    .map((f) => {
      for (const part of [f.year, f.month, f.day]) if (part !== undefined && !/^\d{2,4}$/.test(part)) throw new Error(`not a date folder: ${part}`);
      return `([r].filepath(1) = '${f.year}'${f.month ? ` AND [r].filepath(2) = '${f.month}'` : ""}${f.day ? ` AND [r].filepath(3) = '${f.day}'` : ""})`;
    })
    .join(" OR ");
  const keyDay = ["messages/", "meta/", "quarantine/"]
    .map((area) => `WHEN [f].[key] COLLATE ${BIN} LIKE N'${area}${DAY_OF_KEY}' THEN REPLACE(SUBSTRING([f].[key], ${area.length + 1}, 10), N'/', N'-')`)
    .join(" ");
  const has = (name: string) => `EXISTS (SELECT 1 FROM OPENJSON([d].[json]) WHERE [key] COLLATE ${BIN} = N'${name}')`;
  const quarantineShape = `(${has("reason")} AND NOT ${has("correlationId")})`;

  const checks = plan.checks.map((check, i) => {
    const sure = check.sources.length > 0 ? sureTest(check.test) : undefined;
    const undecided = check.sources.length > 0 ? undecidedTest(check.test) : undefined;
    const cut = cutTest(check.cut);
    return {
      columns: [
        `${flag(sure ? (check.test.kind === "present" ? `EXISTS (SELECT 1 FROM OPENJSON([d].[json], ${literal((check.sources[0] as { path: JsonPath }).path)}))` : exists(check.sources, sure.apply, sure.where)) : "1 = 0")} AS [e${i}]`,
        `${flag(undecided ? exists(check.sources, "", undecided) : "1 = 0")} AS [u${i}]`,
        `${flag(cut ?? "1 = 0")} AS [c${i}]`,
      ],
      sure: `[e${i}] = 1`,
      maybe: `([e${i}] = 1 OR [u${i}] = 1 OR [c${i}] = 1)`,
    };
  });
  const exact = [
    ...(plan.since ? [`[d].[at] >= @${plan.since}`] : []),
    ...(plan.until ? [`[d].[at] < @${plan.until}`] : []),
    ...(plan.minSize ? [`TRY_CAST([d].[size] AS BIGINT) >= @${plan.minSize}`] : []),
    ...(plan.maxSize ? [`TRY_CAST([d].[size] AS BIGINT) <= @${plan.maxSize}`] : []),
    ...(plan.source ? [`[d].[source] COLLATE ${BIN} = @${plan.source} AND DATALENGTH([d].[source]) = DATALENGTH(@${plan.source})`] : []),
  ];
  // A record whose when, size or key T-SQL cannot read as JavaScript does is left to the reference matcher.
  const odd = [
    `[t].[receivedValue] IS NULL`,
    `[f].[receivedAt] COLLATE ${BIN} NOT LIKE N'${ISO}'`,
    ...(quarantined ? [] : [`([f].[date] IS NOT NULL AND ([t].[dateValue] IS NULL OR [f].[date] COLLATE ${BIN} NOT LIKE N'${ISO}'))`]),
    ...(plan.minSize || plan.maxSize ? [`[f].[size] IS NULL`, `[f].[size] COLLATE ${BIN} LIKE N'%[^0-9]%'`, `LEN([f].[size]) > 15`] : []),
  ];
  const whenOf = quarantined
    ? "[t].[receivedValue]"
    : `CASE WHEN [t].[dateValue] IS NOT NULL AND CONVERT(CHAR(10), [t].[dateValue], 23) = CASE ${keyDay} END THEN [t].[dateValue] ELSE [t].[receivedValue] END`;
  const readFields = Object.entries(RECORD_FIELDS)
    .map(([name, path]) => `[${name}] NVARCHAR(MAX) ${literal(path)}`)
    .join(", ");

  const sql = [
    "WITH [files] AS (",
    `  SELECT [r].filepath() AS [path], COALESCE(ISJSON([r].[doc]), 0) AS [readable], CASE WHEN ISJSON([r].[doc]) = 1 THEN [r].[doc] ELSE N'{}' END AS [json]`,
    `  FROM OPENROWSET(BULK '${options.containerUrl}/${folder}/*/*/*/*.json', FORMAT = 'CSV', FIELDTERMINATOR = '0x0b', FIELDQUOTE = '0x0b', ROWTERMINATOR = '0x0b') WITH ([doc] NVARCHAR(MAX)) AS [r]`,
    ...(files ? [`  WHERE ${files}`] : []),
    "), [records] AS (",
    `  SELECT [d].[path], [d].[readable], [d].[json], [f].[sha256], [f].[size], [f].[source], [f].[journalProblem], ${whenOf} AS [at],`,
    `    ${flag(odd.join(" OR "))} AS [odd],`,
    `    ${flag(quarantined ? quarantineShape : `NOT ${quarantineShape}`)} AS [shape]`,
    `  FROM [files] AS [d] CROSS APPLY OPENJSON([d].[json]) WITH (${readFields}) AS [f]`,
    `  CROSS APPLY (SELECT TRY_CONVERT(DATETIME2(3), [f].[receivedAt], 127) AS [receivedValue], TRY_CONVERT(DATETIME2(3), [f].[date], 127) AS [dateValue]) AS [t]`,
    "), [judged] AS (",
    `  SELECT [d].[path], [d].[readable], [d].[shape], [d].[odd], [d].[at], [d].[sha256], ${flag(exact.length > 0 ? exact.join(" AND ") : "1 = 1")} AS [exact]${checks.map((c) => `,\n    ${c.columns.join(", ")}`).join("")}`,
    "  FROM [records] AS [d]",
    "), [kinds] AS (",
    "  SELECT [path], [at], [sha256], CASE",
    "    WHEN [readable] = 0 THEN 3",
    "    WHEN [shape] = 0 THEN 0",
    `    WHEN [odd] = 0 AND [exact] = 1${checks.map((c) => ` AND ${c.sure}`).join("")} THEN 1`,
    `    WHEN ([odd] = 1 OR [exact] = 1)${checks.map((c) => ` AND ${c.maybe}`).join("")} THEN 2`,
    "    ELSE 0 END AS [kind]",
    "  FROM [judged]",
    "), [ranked] AS (",
    `  SELECT [kind], [path], ROW_NUMBER() OVER (PARTITION BY [kind] ORDER BY [at], [sha256] COLLATE ${BIN}, [path]) AS [n], COUNT_BIG(*) OVER (PARTITION BY [kind]) AS [total]`,
    "  FROM [kinds] WHERE [kind] > 0",
    ")",
    "SELECT [kind], [total], [path] FROM [ranked]",
    "WHERE ([kind] = 1 AND [n] <= @limit) OR ([kind] = 2 AND [n] <= @undecidedCap) OR ([kind] = 3 AND [n] <= @undecidedCap)",
    "ORDER BY [kind], [n]",
  ].join("\n");
  return {
    sql,
    parameters: [
      ...plan.parameters,
      { name: "limit", type: "BigInt", value: options.limit ?? Number.MAX_SAFE_INTEGER },
      { name: "undecidedCap", type: "BigInt", value: options.undecidedCap },
    ],
  };
}
