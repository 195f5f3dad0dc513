// Each search engine against the reference matcher, on a real archive (fixtures + built messages):
// the local index and the scan must return exactly the records `matches` accepts, in date order, with
// the same count and the same possible hits; and the queries mean what an auditor expects.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalAuditorStore } from "../../../functions/auditor/local/localStore";
import { openTarget, type AuditTarget } from "../../../functions/auditor/open";
import { byDate, hitOf, matches, verdict, type Query, type SearchEngine, type Sidecar } from "../../../functions/auditor/query";
import { scanEngine } from "../../../functions/auditor/scan";
import { buildArchive, type Built } from "./archives";

let dir: string;
let built: Built[];
let target: AuditTarget;
let index: SearchEngine;
let scan: SearchEngine;
const sidecars: Sidecar[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "journal-engines-"));
  built = await buildArchive(dir);
  target = await openTarget({ archive: dir, role: "auditor" });
  index = await target.engine();
  const store = new LocalAuditorStore({ dir });
  scan = scanEngine(store);
  for (const prefix of ["meta/", "quarantine/"]) {
    for await (const { key } of store.list(prefix)) if (key.endsWith(".json")) sidecars.push(JSON.parse((await store.get(key))!.toString("utf8")) as Sidecar);
  }
});

afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (name: string) => built.find((b) => b.name === name)!.result.sha256;
const m = (q: Omit<Query, "area">): Query => ({ area: "messages", ...q });

/** What the reference says, by brute force over every sidecar. */
function reference(query: Query) {
  const hits = sidecars.filter((s) => matches(s, query)).map((s) => hitOf(s)).sort(byDate);
  const possible = sidecars.filter((s) => verdict(s, query).match === "possible").map((s) => hitOf(s)).sort(byDate);
  return { hits: hits.map((h) => h.sha256), possible: possible.map((h) => h.sha256) };
}

const BATTERY: Array<[string, Query]> = [
  ["everything", m({})],
  ["sender, any case in the header", m({ from: "alice@example.com" })],
  ["sender through the journal envelope", m({ from: "chris@contoso.com" })],
  ["recipient that is an expanded list", m({ to: "sales@contoso.com" })],
  ["recipient reached through the list", m({ to: "anna@contoso.com" })],
  ["recipient reached by forwarding", m({ to: "assistant@contoso.com" })],
  ["recipient only in an untrusted envelope", m({ to: "ceo@example.com" })],
  ["domain and its subdomains", m({ domain: "example.net" })],
  ["top-level domain", m({ domain: "org" })],
  ["date range, whole days", m({ since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-11-21T00:00:00Z") })],
  ["sender and date range", m({ from: "alice@example.com", since: new Date("2026-11-21T00:00:00Z") })],
  ["subject words", m({ words: ["bond", "friday"] })],
  ["subject word past the sidecar's cut", m({ words: ["needle"] })],
  ["Message-ID of the original", m({ messageId: "alloc-2026-11-24@contoso.com" })],
  ["Message-ID, any case", m({ messageId: "q3-figures@example.com" })],
  ["attachment name", m({ attachmentName: "figures q3.xlsx" })],
  ["attachment hash", m({ attachmentHash: createHash("sha256").update("q3 numbers").digest("hex") })],
  ["flag", m({ flag: "ssn" })],
  ["any flag", m({ flag: "any" })],
  ["source", m({ source: "smtp" })],
  ["size", m({ minSize: 1000, maxSize: 5000 })],
  ["nothing matches", m({ from: "nobody@nowhere.example" })],
  ["all of several", m({ from: "chris@contoso.com", to: "bob@fabrikam.com", words: ["allocation"], flag: "iban" })],
  ["quarantine: everything", { area: "quarantine" }],
  ["quarantine: reason words", { area: "quarantine", words: ["not", "an", "email"] }],
  ["quarantine: size", { area: "quarantine", maxSize: 100 }],
];

describe("every engine gives the reference's answer", () => {
  it.each(BATTERY)("%s", async (_, query) => {
    const expected = reference(query);
    for (const engine of [index, scan]) {
      const result = await engine.search(query);
      expect(result.hits.map((h) => h.sha256), engine.name).toEqual(expected.hits);
      expect(result.total, engine.name).toBe(expected.hits.length);
      expect(result.possible.map((h) => h.sha256), engine.name).toEqual(expected.possible);
    }
  });

  it("counts every hit but returns only the first `limit` by date", async () => {
    const all = reference(m({}));
    for (const engine of [index, scan]) {
      const result = await engine.search(m({ limit: 3 }));
      expect(result.total).toBe(all.hits.length);
      expect(result.hits.map((h) => h.sha256)).toEqual(all.hits.slice(0, 3));
    }
  });
});

describe("what the queries mean", () => {
  const hits = async (query: Query) => (await index.search(query)).hits.map((h) => h.sha256);

  it("finds a sender whatever the case of the header, and a recipient in Cc at a subdomain", async () => {
    expect(await hits(m({ from: "alice@example.com" }))).toContain(sha("figures"));
    expect(await hits(m({ domain: "example.net" }))).toEqual([sha("figures")]);
  });

  it("finds every recipient of an expanded list, and the list itself", async () => {
    const viaList = await hits(m({ to: "sales@contoso.com" }));
    const viaMember = await hits(m({ to: "raj@contoso.com" }));
    expect(viaMember.length).toBeGreaterThan(0);
    for (const s of viaMember) expect(viaList).toContain(s);
  });

  it("matches an envelope an untrusted sender wrote, and says so", async () => {
    const result = await index.search(m({ to: "ceo@example.com" }));
    expect(result.hits.map((h) => h.sha256)).toEqual([sha("forged-envelope")]);
    expect(result.hits[0].notes.join()).toMatch(/only in an unverified envelope/);
  });

  it("lists a message whose sidecar cut the subject as a possible hit, not a miss and not a hit", async () => {
    const result = await index.search(m({ words: ["needle"] }));
    expect(result.hits).toEqual([]);
    const long = result.possible.find((h) => h.sha256 === sha("long-subject"));
    expect(long?.notes.join()).toMatch(/subject is cut/);
    // The subject word is a hit when the sidecar holds it.
    expect(await hits(m({ words: ["minutes"] }))).toEqual([sha("long-subject")]);
  });

  it("lists a journal report that could not be unwrapped as a possible hit for the original's sender", async () => {
    const result = await index.search(m({ from: "chris@contoso.com" }));
    expect(result.possible.map((h) => h.sha256)).toContain(sha("journal/broken-no-original.eml"));
    expect(result.hits.map((h) => h.sha256)).not.toContain(sha("journal/broken-no-original.eml"));
  });

  it("takes --until as the end of the day given, and sorts by the message's date", async () => {
    const inRange = await hits(m({ since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-11-21T00:00:00Z") }));
    expect(inRange).toEqual([sha("forged-envelope"), sha("figures")]);
    expect(await hits(m({ until: new Date("2026-10-31T00:00:00Z") }))).toEqual([sha("lunch-october")]);
  });

  it("finds every report of one original by its correlation id", async () => {
    const one = (await index.search(m({ messageId: "alloc-2026-11-24@contoso.com" }))).hits[0].sidecar as { correlationId: string };
    const correlated = await hits(m({ correlationId: one.correlationId }));
    expect(correlated).toEqual(expect.arrayContaining([sha("journal/bifurcated-1.eml"), sha("journal/bifurcated-2.eml")]));
  });
});
