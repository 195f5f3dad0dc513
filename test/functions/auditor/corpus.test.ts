// The auditor on the shared corpus of real third-party mail, end to end: ingest it through the
// pipeline, search it by each field (the index must give the reference matcher's answer for every
// query), hold what a search found under two cases, export it, and check the export's manifest
// against the archive. Skipped, saying why, when the corpus is not beside the checkout.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportCase } from "../../../functions/auditor/export";
import { clearHolds, setHolds } from "../../../functions/auditor/holds";
import { LocalAuditorStore } from "../../../functions/auditor/local/localStore";
import { openTarget, type AuditTarget } from "../../../functions/auditor/open";
import { attachmentsOf, byDate, domainsOf, flagsOf, hitOf, isQuarantine, matches, messageIdsOf, recipientsOf, sendersOf, verdict, words, type Query, type SearchEngine, type Sidecar } from "../../../functions/auditor/query";
import { scanEngine } from "../../../functions/auditor/scan";
import { verifyStore } from "../../../functions/auditor/storeVerify";
import { createPipeline } from "../../../functions/core/pipeline";
import type { MessageMetadata } from "../../../functions/core/types";
import { openLocalArchive } from "../../../functions/local/archive";
import { CORPUS_DIR, corpusFiles } from "../../helpers/corpus";

const files = corpusFiles();
if (files.length === 0) console.warn(`auditor corpus suite skipped: no .eml files under ${CORPUS_DIR} (set JOURNAL_CORPUS_DIR to point at the shared corpus)`);

describe.skipIf(files.length === 0)(`the auditor on the shared corpus (${files.length} messages)`, () => {
  let dir: string;
  let out: string;
  let target: AuditTarget;
  let index: SearchEngine;
  const sidecars: Sidecar[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "journal-auditor-corpus-"));
    out = mkdtempSync(join(tmpdir(), "journal-auditor-corpus-export-"));
    const archive = await openLocalArchive({ dir });
    const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 2557 });
    // Eight deliveries in flight, as an intake serving several senders runs them.
    for (let i = 0; i < files.length; i += 8) await Promise.all(files.slice(i, i + 8).map((file) => pipeline.ingest(readFileSync(file), { source: "file" })));
    await archive.close();
    target = await openTarget({ archive: dir, role: "auditor" });
    index = await target.engine();
    for (const prefix of ["meta/", "quarantine/"]) {
      for await (const { key } of target.store.list(prefix)) if (key.endsWith(".json")) sidecars.push(JSON.parse((await target.store.get(key))!.toString("utf8")) as Sidecar);
    }
  }, 300_000);

  afterAll(async () => {
    await target?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  /** Queries on each field, from every 40th record's own values: real addresses, words, ids and names. */
  function battery(): Array<[string, Query]> {
    const out: Array<[string, Query]> = [];
    const messages = sidecars.filter((s) => !isQuarantine(s)) as MessageMetadata[];
    messages.forEach((s, i) => {
      if (i % 40 !== 0) return;
      const m = (q: Omit<Query, "area">): Query => ({ area: "messages", ...q });
      const sender = [...sendersOf(s).headers, ...sendersOf(s).envelope][0];
      const recipient = [...recipientsOf(s).headers, ...recipientsOf(s).envelope][0];
      const subject = words(s.subject ?? "").slice(0, 2);
      const day = new Date(hitOf(s).at.slice(0, 10));
      if (sender) out.push([`from ${sender}`, m({ from: sender })]);
      if (recipient) out.push([`to ${recipient}`, m({ to: recipient })]);
      if (sender && domainsOf(sender).length > 1) out.push([`domain ${domainsOf(sender)[1]}`, m({ domain: domainsOf(sender)[1] })]);
      if (subject.length > 0) out.push([`subject ${subject.join(" ")}`, m({ words: subject })]);
      if (messageIdsOf(s)[0]) out.push([`message-id ${messageIdsOf(s)[0]}`, m({ messageId: messageIdsOf(s)[0] })]);
      out.push([`correlation ${s.correlationId.slice(0, 8)}`, m({ correlationId: s.correlationId })]);
      const attachment = attachmentsOf(s)[0];
      if (attachment?.filename) out.push([`attachment ${attachment.filename}`, m({ attachmentName: attachment.filename.normalize("NFKC").trim().toLowerCase() })]);
      if (attachment) out.push([`attachment hash ${attachment.sha256.slice(0, 8)}`, m({ attachmentHash: attachment.sha256 })]);
      if (flagsOf(s)[0]) out.push([`flag ${flagsOf(s)[0]}`, m({ flag: flagsOf(s)[0] })]);
      out.push([`day ${hitOf(s).at.slice(0, 10)}`, m({ since: day, until: new Date(day.getTime() + 86_400_000) })]);
      if (sender) out.push([`from ${sender} since that day`, m({ from: sender, since: day })]);
    });
    out.push(["any flag", { area: "messages", flag: "any" }], ["quarantined", { area: "quarantine" }], ["everything", { area: "messages" }]);
    return out;
  }

  const reference = (query: Query) => ({
    hits: sidecars.filter((s) => matches(s, query)).map((s) => hitOf(s)).sort(byDate).map((h) => h.sha256),
    possible: sidecars.filter((s) => verdict(s, query).match === "possible").map((s) => hitOf(s)).sort(byDate).map((h) => h.sha256),
  });

  it("gives, through the index, the reference matcher's hits, count and possible hits for every query of a battery on each field", async () => {
    const queries = battery();
    expect(queries.length).toBeGreaterThan(100);
    for (const [name, query] of queries) {
      const expected = reference(query);
      // The first 20 by date are read back; the count is of all of them.
      const result = await index.search({ ...query, limit: 20 });
      expect(result.hits.map((h) => h.sha256), name).toEqual(expected.hits.slice(0, 20));
      expect(result.total, name).toBe(expected.hits.length);
      expect(result.possible.map((h) => h.sha256), name).toEqual(expected.possible);
    }
    // The scan agrees too (a few queries: it reads every sidecar each time).
    const scan = scanEngine(target.store);
    for (const [name, query] of queries.slice(0, 2)) expect((await scan.search(query)).hits.map((h) => h.sha256), name).toEqual(reference(query).hits);
  });

  it("holds a search's hits under two cases, exports them, and the export's manifest matches the archive", async () => {
    const store = new LocalAuditorStore({ dir });
    try {
      const found = await index.search({ area: "messages", flag: "any" });
      expect(found.hits.length).toBeGreaterThan(1);
      const targets = found.hits.map((h) => ({ key: h.key, sha256: h.sha256 }));
      await setHolds(store, "CORPUS-1", targets);
      await setHolds(store, "CORPUS-2", targets.slice(0, 1));
      await clearHolds(store, "CORPUS-1");
      const summary = await exportCase({ store, caseId: "CORPUS-1", query: "flag=any", targets, out: join(out, "case") });
      expect(summary.count).toBe(targets.length);
      const manifest = JSON.parse(readFileSync(join(out, "case", "manifest.json"), "utf8")) as { messages: Array<{ file: string; sha256: string; key: string; size: number; retainUntil: string; legalHold: boolean }> };
      for (const row of manifest.messages) {
        const bytes = readFileSync(join(out, "case", row.file));
        const archived = (await store.get(row.key))!;
        const state = (await store.state(row.key))!;
        expect(bytes.equals(archived), row.key).toBe(true);
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(row.sha256);
        expect(row.size).toBe(archived.length);
        expect(row.retainUntil).toBe(state.retainUntil!.toISOString());
        // Only the message the second case still holds is on hold.
        expect(row.legalHold, row.key).toBe(row.sha256 === targets[0].sha256);
        expect(state.legalHold).toBe(row.legalHold);
      }
      const custody = JSON.parse(readFileSync(join(out, "case", "custody.json"), "utf8")) as { manifest: Record<string, string> };
      expect(custody.manifest["manifest.json"]).toBe(summary.manifestSha256);
      // Every act audited once: a hold set per message and case, a release per message of the first case, a read per message.
      const events = [];
      for await (const event of store.events()) events.push(event);
      expect(events.filter((e) => e.action === "hold-set")).toHaveLength(targets.length + 1);
      expect(events.filter((e) => e.action === "hold-cleared")).toHaveLength(targets.length);
      expect(events.filter((e) => e.action === "exported").map((e) => e.sha256).sort()).toEqual(targets.map((t) => t.sha256).sort());
    } finally {
      await store.close();
    }
  });

  it("verifies through the store: every message hashes to its name and its checksum, every sidecar pairs", async () => {
    const verdict = await verifyStore(target.store);
    expect(verdict.problems).toEqual([]);
    expect(verdict.listed.messages).toBe(verdict.listed.sidecars);
    expect(verdict.checked).toBe(verdict.listed.messages * 2 + verdict.listed.quarantine);
  });
});
