// The Azure engine's T-SQL against the reference matcher, without a workspace: what the statement
// computes for each sidecar (the model in synapseModel.ts, T-SQL's semantics written out) on the real
// archive and on sidecars made to trip T-SQL up, for a battery of queries on every field; then the
// statement's text, which must use the constructs the model assumes, read only the date range's folders,
// and never carry a value the user typed.
import { beforeAll, describe, expect, it } from "vitest";
import { planSearch, RECORD_FIELDS, renderSearch, SOURCES, type JsonPath } from "../../../../functions/auditor/engines/synapseSql";
import { verdict, type Query, type Sidecar } from "../../../../functions/auditor/query";
import { BATTERY, realSidecars, variants, type SidecarFile } from "./azureSidecars";
import { modelKind } from "./synapseModel";

let real: SidecarFile[];
let files: SidecarFile[];
beforeAll(async () => {
  real = await realSidecars();
  files = [...real, ...variants(real)];
});

const m = (q: Omit<Query, "area">): Query => ({ area: "messages", ...q });
const q = (x: Omit<Query, "area">): Query => ({ area: "quarantine", ...x });
const CONTAINER = "https://ejarceastus0123abcd.blob.core.windows.net/archive";


const correlationOf = (files: readonly SidecarFile[]) => (JSON.parse(files.find((f) => f.clean && f.key.startsWith("meta/"))!.text) as { correlationId: string }).correlationId;

/** Whether the statement's answer for `query` on every sidecar is the reference's, as far as it goes. */
function holds(query: Query): void {
  const plan = planSearch(query);
  for (const file of files) {
      const kind = modelKind(plan, file.text);
      let sidecar: Sidecar;
      try {
        sidecar = JSON.parse(file.text) as Sidecar;
      } catch {
        expect(kind, file.name).toBe(3);
        continue;
      }
      const match = verdict(sidecar, query).match;
      if (match === "yes") expect([1, 2], `${file.name}: a hit`).toContain(kind);
      if (match === "possible") expect(kind, `${file.name}: a possible hit`).toBe(2);
      if (kind === 1) expect(match, `${file.name}: counted by the SQL`).toBe("yes");
    }
}

describe("the Azure engine's SQL gives the reference's answer", () => {
  const cases = () => [...BATTERY, ["a correlation id", m({ correlationId: correlationOf(files) })] as [string, Query]];

  it.each(BATTERY)("%s: every hit and possible hit is counted or left to the matcher, and nothing else is counted", (_name, query) => holds(query));

  it("a correlation id: the same", () => holds(cases().at(-1)![1]));

  it("decides every record of the real archive alone: hits counted, the rest left out, only cut sidecars for the matcher", () => {
    let counted = 0;
    for (const [name, query] of cases()) {
      const plan = planSearch(query);
      for (const file of files.filter((f) => f.clean)) {
        const kind = modelKind(plan, file.text);
        const match = verdict(JSON.parse(file.text) as Sidecar, query).match;
        expect(kind, `${name}: ${file.name}`).toBe(match === "yes" ? 1 : 0);
        if (kind === 1) counted++;
      }
    }
    expect(counted).toBeGreaterThan(40);
  });

  it("leaves to the matcher what T-SQL cannot fold as JavaScript does, and it is then found", () => {
    const kindOf = (query: Query, name: string) => modelKind(planSearch(query), files.find((f) => f.name === name)!.text);
    // toLowerCase folds the Kelvin sign to k; LOWER under a binary collation would not.
    expect(kindOf(m({ from: "kate@example.com" }), "a Kelvin sign that lower-cases to k")).toBe(2);
    // NFKC folds full-width letters; T-SQL has no NFKC.
    expect(kindOf(m({ words: ["bond", "friday"] }), "a subject in full-width letters")).toBe(2);
    expect(kindOf(m({ attachmentName: "figures q3.xlsx" }), "an attachment name in full-width letters")).toBe(2);
    // A date in a form T-SQL's style 127 does not read is the matcher's to place.
    expect(kindOf(m({ since: new Date("2026-11-20T00:00:00Z") }), "a date without milliseconds")).toBe(2);
    // …and what T-SQL can decide exactly it decides, in either direction.
    expect(kindOf(m({ from: "alice@example.com" }), "From in capitals, Sender with spaces")).toBe(1);
    expect(kindOf(m({ to: "ops@example.com" }), "a bracketed domain with a trailing dot")).toBe(0);
    expect(kindOf(m({ domain: "example.com" }), "a bracketed domain with a trailing dot")).toBe(1);
    expect(kindOf(m({ domain: "example.net" }), "a domain that only ends like the one searched")).toBe(0);
    expect(kindOf(m({ correlationId: correlationOf(files) }), "a correlation id with a trailing space")).toBe(0);
    expect(kindOf(m({ source: "smtp" }), "a source in capitals")).toBe(0);
  });
});

describe("the statement", () => {
  const rendered = (query: Query, limit?: number) => renderSearch(planSearch(query), { containerUrl: CONTAINER, ...(limit !== undefined ? { limit } : {}), undecidedCap: 500 });

  it("reads each sidecar whole as one JSON document from the archive container, messages or quarantine", () => {
    const { sql } = rendered(m({}));
    expect(sql).toContain(`OPENROWSET(BULK '${CONTAINER}/meta/*/*/*/*.json', FORMAT = 'CSV', FIELDTERMINATOR = '0x0b', FIELDQUOTE = '0x0b', ROWTERMINATOR = '0x0b') WITH ([doc] NVARCHAR(MAX))`);
    expect(rendered(q({})).sql).toContain(`BULK '${CONTAINER}/quarantine/*/*/*/*.json'`);
    // Unparseable JSON never reaches OPENJSON (which would fail the whole statement): it is reported instead.
    expect(sql).toContain("CASE WHEN ISJSON([r].[doc]) = 1 THEN [r].[doc] ELSE N'{}' END AS [json]");
    expect(sql).toContain("WHEN [readable] = 0 THEN 3");
  });

  it("reads only the folders of the date range, by filepath(), in whole years and months where it can", () => {
    const { sql } = rendered(m({ since: new Date("2025-12-30T00:00:00Z"), until: new Date("2027-02-02T00:00:00Z") }));
    const where = /WHERE (.*)\n/.exec(sql)![1];
    expect(where.split(" OR ")).toEqual([
      "([r].filepath(1) = '2025' AND [r].filepath(2) = '12' AND [r].filepath(3) = '30')",
      "([r].filepath(1) = '2025' AND [r].filepath(2) = '12' AND [r].filepath(3) = '31')",
      "([r].filepath(1) = '2026')",
      "([r].filepath(1) = '2027' AND [r].filepath(2) = '01')",
      "([r].filepath(1) = '2027' AND [r].filepath(2) = '02' AND [r].filepath(3) = '01')",
    ]);
    expect(rendered(m({})).sql).not.toContain("filepath(1)");
  });

  it("compares as the model does: spaces trimmed, ASCII lower-cased, under a binary collation, lengths for exact values", () => {
    const { sql } = rendered(m({ from: "a@b.c", domain: "b.c", words: ["x"], messageId: "m@b", attachmentName: "f.txt", correlationId: "c".repeat(64) }));
    expect(sql).toContain("TRIM([s].[v]) AS [t]");
    expect(sql).toContain("[x].[t] COLLATE Latin1_General_100_BIN2 NOT LIKE N'%[^!-~]%' AND LOWER([x].[t]) COLLATE Latin1_General_100_BIN2 = @from");
    expect(sql).toContain("CHARINDEX(N'@', REVERSE([x].[t]))");
    expect(sql).toContain("RIGHT([x5].[s3], LEN(@domain) + 1) COLLATE Latin1_General_100_BIN2 = N'.' + @domain");
    expect(sql).toContain("(N' ' + LOWER([x].[v]) + N' ') COLLATE Latin1_General_100_BIN2 LIKE N'%[^a-z0-9]' + @word0 + N'[^a-z0-9]%'");
    expect(sql).toContain("LOWER(TRIM([x2].[m2])) COLLATE Latin1_General_100_BIN2 = @messageId");
    expect(sql).toContain("[x].[v] COLLATE Latin1_General_100_BIN2 = @correlationId AND DATALENGTH([x].[v]) = DATALENGTH(@correlationId)");
    expect(sql).toContain("TRY_CONVERT(DATETIME2(3), [f].[receivedAt], 127)");
    expect(sql).toContain("ROW_NUMBER() OVER (PARTITION BY [kind] ORDER BY [at], [sha256] COLLATE Latin1_General_100_BIN2, [path])");
  });

  it("passes every value the user gave as a parameter, and nothing the user typed changes the text", () => {
    const hostile = m({ from: "o'brien@x.com';DROP/**/TABLE/**/t;--", to: "a]b@[x]", domain: "x%_[y].com", words: ["drop", "table"], messageId: "'); --", attachmentName: "a'b.txt", source: "smtp", minSize: 1 });
    const benign = m({ from: "a@b.com", to: "c@d.com", domain: "e.com", words: ["f", "g"], messageId: "h@i", attachmentName: "j.txt", source: "http", minSize: 2 });
    const a = rendered(hostile);
    const b = rendered(benign);
    expect(a.sql).toBe(b.sql);
    for (const value of ["o'brien", "DROP", "a]b", "x%_", "a'b.txt"]) expect(a.sql).not.toContain(value);
    expect(a.parameters).toEqual(
      expect.arrayContaining([
        { name: "from", type: "NVarChar", value: "o'brien@x.com';DROP/**/TABLE/**/t;--" },
        { name: "to", type: "NVarChar", value: "a]b@[x]" },
        { name: "domain", type: "NVarChar", value: "x%_[y].com" },
        { name: "word0", type: "NVarChar", value: "drop" },
        { name: "minSize", type: "BigInt", value: 1 },
      ]),
    );
  });

  it("never counts a value that no printable-ASCII sidecar value can equal: such records are only judged", () => {
    const { sql, parameters } = rendered(m({ from: "jörg@exämple.de" }));
    expect(parameters.find((p) => p.name === "from")).toBeUndefined();
    expect(sql).toContain("CASE WHEN 1 = 0 THEN 1 ELSE 0 END AS [e0]");
    expect(sql).toContain("[x].[t] COLLATE Latin1_General_100_BIN2 LIKE N'%[^!-~]%') THEN 1 ELSE 0 END AS [u0]");
  });

  it("carries the limit and the dates as typed parameters", () => {
    const since = new Date("2026-11-01T00:00:00Z");
    const { parameters } = rendered(m({ since }), 25);
    expect(parameters).toEqual([
      { name: "since", type: "DateTime2", value: since },
      { name: "limit", type: "BigInt", value: 25 },
      { name: "undecidedCap", type: "BigInt", value: 500 },
    ]);
  });

  it("refuses a container URL that is not an Azure blob container", () => {
    for (const url of ["http://ejarc.blob.core.windows.net/archive", "https://evil.example/archive'--", "https://ejarceastus0123abcd.blob.core.windows.net/archive/meta"]) {
      expect(() => renderSearch(planSearch(m({})), { containerUrl: url, undecidedCap: 1 })).toThrow(/is not https:\/\/<account>\.blob\.core\.windows\.net\/<container>/);
    }
  });
});

describe("the sidecar schema the statement reads", () => {
  const paths = (): string[] => [
    ...Object.values(RECORD_FIELDS),
    ...Object.values(SOURCES).flatMap((area) => Object.values(area).flatMap((v) => (typeof v === "string" ? [v] : (v as readonly { path: JsonPath; member?: JsonPath }[]).map((s) => s.path)))),
  ];
  const present = (doc: unknown, path: string) => path.slice(2).split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), doc) !== undefined;

  it("names only fields the pipeline writes: each path is present in some sidecar of the real archive", () => {
    const docs = real.map((f) => JSON.parse(f.text) as unknown);
    expect([...new Set<string>([...paths(), "$.truncated"])].filter((p) => !docs.some((doc) => present(doc, p)))).toEqual([]);
  });

  it("reads every field the reference matcher consults", () => {
    // The fields verdict reads (query.ts): senders, recipients, Message-IDs, correlation id, attachments, flags, subject or reason, and what `when` reads.
    const read = new Set(paths());
    for (const p of ["$.from", "$.sender", "$.envelope.sender", "$.to", "$.cc", "$.bcc", "$.envelope.recipients", "$.messageId", "$.original.messageId", "$.correlationId", "$.attachments", "$.flags", "$.subject", "$.reason", "$.receivedAt", "$.date", "$.key", "$.size", "$.source", "$.journalProblem"]) {
      expect(read.has(p), p).toBe(true);
    }
  });
});
