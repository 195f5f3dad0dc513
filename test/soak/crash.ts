// `npm run soak`: the crash suite for as long as you like. Kills the archive with SIGKILL at
// random under HTTP and SMTP load, restarts it, and at the end reads back every acknowledged
// message and verifies the archive. Prints figures; exits 1 on any loss or failed verify.
//   npm run soak -- [--kills 50] [--seed N] [--senders 4] [--dir PATH] [--keep]
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openArchiveReader } from "../../functions/local/archive";
import { verifyArchive } from "../../functions/local/verify";
import { corpusFiles } from "../helpers/corpus";
import { runCrashes } from "../helpers/crashLoad";
import { rfc822 } from "../helpers/messages";

const USAGE = "usage: npm run soak -- [--kills N (50)] [--seed N (time)] [--senders N per intake (4)] [--dir PATH] [--keep]";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { kills: { type: "string" }, seed: { type: "string" }, senders: { type: "string" }, dir: { type: "string" }, keep: { type: "boolean" }, help: { type: "boolean" } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const kills = Number(values.kills ?? 50);
  const seed = Number(values.seed ?? Date.now() % 1_000_000);
  const senders = Number(values.senders ?? 4);
  if (![kills, seed, senders].every((n) => Number.isInteger(n) && n >= 0)) throw new Error(`--kills, --seed and --senders take whole numbers\n${USAGE}`);
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), "journal-soak-"));
  const corpus = corpusFiles().map((file) => readFileSync(file));
  // Enough mail that every round is under load: about 150 deliveries are acknowledged per round here.
  const generated = Array.from({ length: Math.max(500, kills * 150) }, (_, i) => rfc822({ messageId: `<soak-${seed}-${i}@example.com>`, body: `line ${i}\r\n`.repeat(1 + (i % 400)) }));
  const messages = [...corpus, ...generated];
  console.log(`soak: ${kills} kills, seed ${seed}, ${senders} HTTP + ${senders} SMTP senders, ${messages.length} messages, archive ${dir}`);
  const started = Date.now();
  const report = await runCrashes({
    dir,
    messages,
    kills,
    seed,
    httpSenders: senders,
    smtpSenders: senders,
    killAfterMs: [200, 3000],
    onRound: (round, acknowledged) => process.stdout.write(`\rround ${round}/${kills}: ${acknowledged} acknowledged   `),
  });
  console.log();
  const archive = openArchiveReader({ dir });
  let lost = 0;
  for (const [sha256, raw] of report.acknowledged) {
    const key = await archive.store.locate(sha256);
    const stored = key ? await archive.store.get(key) : undefined;
    if (!stored?.equals(raw) || createHash("sha256").update(stored).digest("hex") !== sha256) lost++;
  }
  for (const sha256 of report.acknowledgedAsStored) if (!(await archive.store.locate(sha256))) lost++;
  const verdict = await verifyArchive(archive);
  console.log(`kills survived: ${report.restarts}/${report.kills} (restarts that came up / kills)`);
  console.log(`restarts that recovered something: ${report.recoveries}`);
  console.log(`deliveries: ${report.deliveries}; acknowledged messages: ${report.acknowledged.size + report.acknowledgedAsStored.size}; lost or altered: ${lost}`);
  console.log(`verify: ${verdict.ok ? "intact" : `NOT intact: ${verdict.firstBad!.record}: ${verdict.firstBad!.reason}`} (${verdict.objects} objects, ${verdict.auditLines} audit lines)`);
  console.log(`time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (!values.keep && !values.dir) rmSync(dir, { recursive: true, force: true });
  return lost === 0 && verdict.ok && report.restarts === report.kills ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
