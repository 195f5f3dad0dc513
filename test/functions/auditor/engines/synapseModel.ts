// What the Azure engine's T-SQL computes for one sidecar, written in JavaScript with the T-SQL semantics
// the SQL relies on (synapseSql.ts), so that its answers can be held against the reference matcher on
// real and adversarial sidecars without a Synapse workspace:
//   OPENJSON ... WITH (v NVARCHAR(MAX) '$.p')  a string as is, a number or boolean as its JSON text, else NULL
//   OPENJSON(doc, '$.p')                       one row per element of an array, [value] as above (objects as JSON text)
//   TRIM(x)                                    removes spaces (U+0020) only, at both ends
//   LOWER(x) on printable ASCII                A-Z to a-z, nothing else
//   x COLLATE ..._BIN2 LIKE '%[^!-~]%'         some code unit outside the range
//   =, under a binary collation                code-unit equality, trailing spaces ignored
//   TRY_CONVERT(DATETIME2(3), x, 127)          the ISO instant, or NULL
// The SQL text itself is checked against these constructs in synapseSql.test.ts.
import type { Check, JsonPath, SearchPlan, Source } from "../../../../functions/auditor/engines/synapseSql";

type Json = unknown;

function at(doc: Json, path: JsonPath): Json {
  let value: Json = doc;
  for (const part of path.slice(2).split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, Json>)[part];
  }
  return value;
}

/** OPENJSON ... WITH (v NVARCHAR(MAX) path). */
const scalarText = (value: Json): string | null =>
  typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : null;

/** OPENJSON(doc, path)'s [value] column. */
function elements(value: Json): (string | null)[] {
  if (value === null || typeof value !== "object") return [];
  const items = Array.isArray(value) ? value : Object.values(value as object);
  return items.map((item) => (item !== null && typeof item === "object" ? JSON.stringify(item) : scalarText(item)));
}

function valuesOf(doc: Json, sources: readonly Source[]): string[] {
  const out: (string | null)[] = [];
  for (const s of sources) {
    if (s.kind === "scalar") out.push(scalarText(at(doc, s.path)));
    else if (s.kind === "array") out.push(...elements(at(doc, s.path)));
    else {
      const list = at(doc, s.path);
      if (list !== null && typeof list === "object") for (const item of Array.isArray(list) ? list : Object.values(list as object)) out.push(scalarText(at(item, s.member)));
    }
  }
  return out.filter((v): v is string => v !== null);
}

const sqlTrim = (x: string) => x.replace(/^ +| +$/g, "");
const sqlLowerAscii = (x: string) => x.replace(/[A-Z]/g, (c) => c.toLowerCase());
/** `=` under a binary collation: trailing spaces do not count. */
const sqlEquals = (a: string, b: string) => a.replace(/ +$/, "") === b.replace(/ +$/, "");
const plain = (x: string) => /^[!-~]*$/.test(x);
const printable = (x: string) => /^[ -~]*$/.test(x);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function tryDatetime(x: string | null): Date | undefined {
  if (x === null || !ISO.test(x)) return undefined;
  const [date, time] = x.slice(0, -1).split("T");
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm, ss] = time.split(":");
  const out = new Date(Date.UTC(y, m - 1, d, Number(hh), Number(mm), Math.floor(Number(ss)), Math.round((Number(ss) % 1) * 1000)));
  out.setUTCFullYear(y);
  // T-SQL refuses a day the month does not have, where JavaScript would roll it over.
  return out.getUTCMonth() === m - 1 && out.getUTCDate() === d && Number(hh) < 24 && Number(mm) < 60 && Number(ss) < 60 ? out : undefined;
}

function domainOf(t: string): string {
  const a = sqlLowerAscii(t);
  const p = a.lastIndexOf("@");
  let s = p >= 0 ? a.slice(p + 1) : "";
  if (s.startsWith("[")) s = s.slice(1);
  if (s.endsWith("]")) s = s.slice(0, -1);
  if (s.endsWith(".")) s = s.slice(0, -1);
  return s;
}

function sure(check: Check, doc: Json, param: (name: string) => string): boolean {
  const test = check.test;
  if (check.sources.length === 0) return false;
  if (test.kind === "present") return elements(at(doc, (check.sources[0] as { path: JsonPath }).path)).length > 0;
  return valuesOf(doc, check.sources).some((v) => {
    const t = sqlTrim(v);
    switch (test.kind) {
      case "address":
        return test.param !== undefined && plain(t) && sqlEquals(sqlLowerAscii(t), param(test.param));
      case "domain": {
        if (test.param === undefined || !plain(t)) return false;
        const d = param(test.param);
        const s3 = domainOf(t);
        return sqlEquals(s3, d) || sqlEquals(s3.slice(Math.max(0, s3.length - (d.replace(/ +$/, "").length + 1))), `.${d}`);
      }
      case "messageId": {
        if (test.param === undefined || !printable(t)) return false;
        let m = t.startsWith("<") ? t.slice(1) : t;
        if (m.endsWith(">")) m = m.slice(0, -1);
        return sqlEquals(sqlLowerAscii(sqlTrim(m)), param(test.param));
      }
      case "name":
        return test.param !== undefined && printable(t) && sqlEquals(sqlLowerAscii(t), param(test.param));
      case "equals":
        // = with equal DATALENGTH: exact equality.
        return v === param(test.param);
      case "words": {
        if (test.params === undefined || !printable(v)) return false;
        const padded = ` ${sqlLowerAscii(v)} `;
        return test.params.every((p) => new RegExp(`[^a-z0-9]${param(p)}[^a-z0-9]`).test(padded));
      }
    }
  });
}

function undecided(check: Check, doc: Json): boolean {
  const test = check.test;
  if (check.sources.length === 0 || test.kind === "equals" || test.kind === "present") return false;
  return valuesOf(doc, check.sources).some((v) => {
    if (test.kind === "words") return !printable(v);
    const t = sqlTrim(v);
    return test.kind === "address" || test.kind === "domain" ? !plain(t) : !printable(t);
  });
}

function cut(check: Check, doc: Json): boolean {
  if (check.cut.length === 0) return false;
  const listed = elements(at(doc, "$.truncated")).some((v) => v !== null && check.cut.some((f) => sqlEquals(v, f)));
  const problem = scalarText(at(doc, "$.journalProblem"));
  return listed || (check.cut.some((f) => f !== "flags") && problem !== null && problem.length > 0);
}

/** The kind the SQL gives the record: 1 a hit, 2 for the reference matcher, 3 unreadable, 0 none. */
export function modelKind(plan: SearchPlan, text: string): 0 | 1 | 2 | 3 {
  let doc: Json;
  try {
    doc = JSON.parse(text);
  } catch {
    return 3;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) doc = {};
  const values = new Map(plan.parameters.map((p) => [p.name, p.value]));
  const param = (name: string) => String(values.get(name));
  const keys = Object.keys(doc as object);
  const quarantineShape = keys.includes("reason") && !keys.includes("correlationId");
  if (quarantineShape !== (plan.area === "quarantine")) return 0;

  const received = scalarText(at(doc, "$.receivedAt"));
  const date = scalarText(at(doc, "$.date"));
  const size = scalarText(at(doc, "$.size"));
  const key = scalarText(at(doc, "$.key"));
  const receivedValue = tryDatetime(received);
  const dateValue = tryDatetime(date);
  const odd =
    receivedValue === undefined ||
    (plan.area === "messages" && date !== null && dateValue === undefined) ||
    ((plan.minSize !== undefined || plan.maxSize !== undefined) && (size === null || /[^0-9]/.test(size) || size.length > 15));
  const keyDay = key && /^(messages|meta|quarantine)\/\d{4}\/\d{2}\/\d{2}\//.test(key) ? key.split("/").slice(1, 4).join("-") : undefined;
  const when = plan.area === "messages" && dateValue && keyDay && dateValue.toISOString().slice(0, 10) === keyDay ? dateValue : receivedValue;
  const sizeValue = size !== null && /^-?\d+$/.test(size) ? Number(size) : undefined;
  const source = scalarText(at(doc, "$.source"));
  const exact =
    (plan.since === undefined || (when !== undefined && when.getTime() >= (values.get(plan.since) as Date).getTime())) &&
    (plan.until === undefined || (when !== undefined && when.getTime() < (values.get(plan.until) as Date).getTime())) &&
    (plan.minSize === undefined || (sizeValue !== undefined && sizeValue >= Number(values.get(plan.minSize)))) &&
    (plan.maxSize === undefined || (sizeValue !== undefined && sizeValue <= Number(values.get(plan.maxSize)))) &&
    (plan.source === undefined || (source !== null && source === param(plan.source)));

  const e = plan.checks.map((c) => sure(c, doc, param));
  if (!odd && exact && e.every(Boolean)) return 1;
  if ((odd || exact) && plan.checks.every((c, i) => e[i] || undecided(c, doc) || cut(c, doc))) return 2;
  return 0;
}
