// `journal export --case ID`: a case's messages into a folder or a zip, with manifest and chain of
// custody, resumable; `journal export SHA256 [--out FILE]`: one message's bytes (handled by cli.ts).
import { exportCase } from "../export";
import { checkCase } from "../holds";
import { openTarget } from "../open";
import { endProgress, options, print, progress, target, TARGET_OPTIONS, TARGET_USAGE, UsageError } from "./args";
import { QUERY_OPTIONS, QUERY_USAGE, selectRecords } from "./search";

export const EXPORT_USAGE = `usage: npm run journal -- export --case ID --out FOLDER|FILE.zip [SHA256 …] [--id SHA256 …] [filters] [--mbox] [${TARGET_USAGE}]
       npm run journal -- export SHA256 [--out FILE]      one message's bytes, to FILE (never overwritten) or stdout
  The messages (the ids given, or every hit of the filters) exactly as archived, manifest.csv and
  manifest.json (sha256, key, size, dates, from, recipients, retain-until, hold), custody.json (who,
  when, from which archive, the query, the manifests' SHA-256), and with --mbox messages.mbox.
  Every message read is audited (exported, with the case). Interrupted? Run the same command again:
  it checks what is there by hash and reads only the rest. Never overwrites a finished export.
${QUERY_USAGE}`;

export async function exportCaseCommand(args: string[]): Promise<number> {
  const { values, positionals } = options(args, { ...QUERY_OPTIONS, ...TARGET_OPTIONS, case: { type: "string" }, out: { type: "string" }, id: { type: "string", multiple: true }, mbox: { type: "boolean" }, json: { type: "boolean" } }, EXPORT_USAGE, Number.MAX_SAFE_INTEGER);
  let caseId: string;
  try {
    caseId = checkCase(values.case);
  } catch (err) {
    throw new UsageError((err as Error).message, EXPORT_USAGE);
  }
  if (!values.out) throw new UsageError("--out must name the folder (or FILE.zip) to export into", EXPORT_USAGE);
  const archive = await openTarget({ ...target(values, EXPORT_USAGE), role: "auditor" });
  try {
    const selected = await selectRecords(values, positionals, archive, EXPORT_USAGE);
    if (selected.targets.length === 0) {
      print(`nothing to export: the search (${selected.query}) found no message`);
      return 1;
    }
    let shown = false;
    const summary = await exportCase({
      store: archive.store,
      caseId,
      query: selected.query,
      targets: selected.targets,
      out: values.out,
      mbox: values.mbox === true,
      onProgress: (done, total, bytes) => {
        shown = true;
        progress(`exported ${done}/${total} (${(bytes / 1e6).toFixed(1)} MB)   `);
      },
    });
    if (shown) endProgress();
    if (values.json) print(JSON.stringify({ case: caseId, ...summary }, null, 2));
    else {
      print(`exported ${summary.count} message(s), ${(summary.bytes / 1e6).toFixed(2)} MB, to ${summary.out} (${summary.read} read from the archive in this run) in ${summary.seconds.toFixed(1)} s`);
      if (selected.possible > 0) print(`note: ${selected.possible} possible hit(s) of the search were not exported: \`search\` lists them; give their ids to include them`);
      print(`manifest.json SHA-256: ${summary.manifestSha256}`);
      print(`manifest.csv  SHA-256: ${summary.manifestCsvSha256}`);
      print(`custody.json  SHA-256: ${summary.custodySha256}`);
    }
    return 0;
  } finally {
    await archive.close();
  }
}
