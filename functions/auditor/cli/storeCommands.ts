// `journal verify` over any store (the store-level checks), `journal retention`, `journal reindex`.
import { openTarget } from "../open";
import { rebuild } from "../local/indexer";
import { SearchIndex } from "../local/searchIndex";
import { retentionReport } from "../retention";
import { verifyStore } from "../storeVerify";
import { endProgress, integer, options, print, progress, target, TARGET_OPTIONS, TARGET_USAGE, UsageError } from "./args";

export const STORE_VERIFY_USAGE = `usage: npm run journal -- verify [--store] [--sample N] [--peer ARCHIVE] [--json] [${TARGET_USAGE}]
  On a cloud archive (or the local one with --store): each message's bytes against its name and the
  store's checksum, each sidecar against its message both ways, each object's retention, mode and hold
  as the store reports them. --sample N reads N messages at random (pairing is checked for all);
  --peer ARCHIVE lists what the DR copy lacks. Exit 1 on any problem. Audited (verified).`;

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

export async function storeVerifyCommand(args: string[]): Promise<number> {
  const { values } = options(args, { ...TARGET_OPTIONS, store: { type: "boolean" }, sample: { type: "string" }, peer: { type: "string" }, json: { type: "boolean" } }, STORE_VERIFY_USAGE);
  const sample = integer("sample", values.sample, 1, Number.MAX_SAFE_INTEGER, STORE_VERIFY_USAGE);
  const archive = await openTarget({ ...target(values, STORE_VERIFY_USAGE), role: "auditor" });
  const peer = values.peer !== undefined ? await openTarget({ archive: values.peer, role: "auditor" }) : undefined;
  try {
    let shown = false;
    const verdict = await verifyStore(archive.store, {
      ...(sample !== undefined ? { sample } : {}),
      ...(peer ? { peer: peer.store } : {}),
      onProgress: (done, total) => {
        shown = true;
        progress(`checked ${done}/${total}   `);
      },
    });
    if (shown) endProgress();
    await archive.store.audit({ action: "verified", at: new Date().toISOString(), actor: await archive.store.actor(), count: verdict.checked, ...(verdict.ok ? {} : { reason: `${verdict.problems.length} problem(s)` }) });
    if (values.json) {
      print(JSON.stringify(verdict, null, 2));
      return verdict.ok ? 0 : 1;
    }
    print(`archive ${verdict.archive}: ${verdict.listed.messages} messages, ${verdict.listed.sidecars} sidecars, ${verdict.listed.quarantine} quarantine objects listed; ${verdict.checked} objects read${verdict.sampled ? ` (a sample of ${sample} messages with their sidecars)` : ""}`);
    print("WORM state as the store reports it:");
    print(`  under retention ${verdict.worm.retained}   retention over ${verdict.worm.expired}   no retention ${verdict.worm.withoutRetention}   on legal hold ${verdict.worm.onHold}`);
    print(`  modes: ${Object.entries(verdict.worm.modes).map(([mode, n]) => `${mode} ${n}`).join(", ") || "-"}`);
    if (verdict.peer) print(`DR copy ${verdict.peer.archive}: ${verdict.peer.listed} objects; ${verdict.peer.missing.length} of the primary's missing there`);
    for (const problem of verdict.problems.slice(0, 50)) print(`PROBLEM  ${problem.key}: ${problem.reason}`);
    if (verdict.problems.length > 50) print(`… and ${verdict.problems.length - 50} more (--json lists them all)`);
    print(verdict.ok ? "store intact" : `store NOT intact: ${verdict.problems.length} problem(s)`);
    return verdict.ok ? 0 : 1;
  } finally {
    await peer?.close();
    await archive.close();
  }
}

const RETENTION_USAGE = `usage: npm run journal -- retention [--maximum-days N] [--json] [${TARGET_USAGE}]
  counts and bytes by retain-until year and storage tier, what is under legal hold, and (given the
  stack's maximum retention, --maximum-days or from --stack) what is past it awaiting lifecycle deletion`;

export async function retentionCommand(args: string[]): Promise<number> {
  const { values } = options(args, { ...TARGET_OPTIONS, "maximum-days": { type: "string" }, json: { type: "boolean" } }, RETENTION_USAGE);
  const given = integer("maximum-days", values["maximum-days"], 1, 36500, RETENTION_USAGE);
  const archive = await openTarget({ ...target(values, RETENTION_USAGE), role: "auditor" });
  try {
    const maximumDays = given ?? archive.maximumDays;
    let shown = false;
    const report = await retentionReport(archive.store, {
      ...(maximumDays !== undefined ? { maximumDays } : {}),
      onProgress: (n) => {
        shown = true;
        if (n % 100 === 0) progress(`objects ${n}   `);
      },
    });
    if (shown) endProgress();
    if (values.json) {
      print(JSON.stringify(report, null, 2));
      return 0;
    }
    print(`archive ${report.archive}: ${report.objects} objects, ${MB(report.bytes)}`);
    print(`${"retain until".padEnd(14)}${"tier".padEnd(14)}${"objects".padStart(10)}${"MB".padStart(14)}`);
    for (const b of report.byYearAndTier) print(`${b.year.padEnd(14)}${b.tier.padEnd(14)}${String(b.count).padStart(10)}${(b.bytes / 1e6).toFixed(2).padStart(14)}`);
    print(`under legal hold: ${report.onHold.count} objects, ${MB(report.onHold.bytes)}`);
    if (report.pastMaximum) {
      const p = report.pastMaximum;
      print(`older than ${p.maximumDays} days: ${p.awaitingDeletion.count} objects (${MB(p.awaitingDeletion.bytes)}) awaiting lifecycle deletion${p.awaitingDeletion.oldest ? `, the oldest written ${p.awaitingDeletion.oldest}` : ""}; ${p.kept.count} (${MB(p.kept.bytes)}) kept by a hold or a running retention`);
    } else print("give --maximum-days N (the stack's maximum retention) to see what awaits lifecycle deletion");
    return 0;
  } finally {
    await archive.close();
  }
}

const REINDEX_USAGE = `usage: npm run journal -- reindex [--archive ./dir]
  rebuilds the local archive's search index (<archive>/index/) from its sidecars, then catches up from the audit trail`;

export async function reindexCommand(args: string[]): Promise<number> {
  const { values } = options(args, { archive: { type: "string" } }, REINDEX_USAGE);
  const archive = await openTarget({ ...target(values, REINDEX_USAGE), role: "auditor" });
  try {
    if (!archive.local) throw new UsageError("reindex is for the local archive: a cloud archive is searched by its own query engine or a scan", REINDEX_USAGE);
    const started = Date.now();
    const index = SearchIndex.open(archive.local.archive.dir, archive.local.archive.keyring);
    try {
      let shown = false;
      const count = await rebuild(index, archive.local.archive, (done, total) => {
        shown = true;
        if (done % 100 === 0 || done === total) progress(`sidecars ${done}/${total}   `);
      });
      if (shown) endProgress();
      const pending = index.pending();
      print(`index rebuilt: ${count} records in ${((Date.now() - started) / 1000).toFixed(1)} s (${SearchIndex.path(archive.local.archive.dir)})`);
      for (const p of pending.slice(0, 20)) print(`not indexed: ${p.key}: ${p.problem}`);
    } finally {
      index.close();
    }
    return 0;
  } finally {
    await archive.close();
  }
}
