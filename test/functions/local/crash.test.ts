// The crash suite, short and seeded: the archive as a child process, killed with SIGKILL at
// random points of sustained HTTP and SMTP ingest and restarted on the same folder. Every
// restart comes up, every acknowledged message reads back byte for byte, and the archive
// verifies. `npm run soak` runs the same for as long as you like.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openArchiveReader } from "../../../functions/local/archive";
import { verifyArchive } from "../../../functions/local/verify";
import { corpusFiles } from "../../helpers/corpus";
import { runCrashes } from "../../helpers/crashLoad";
import { rfc822 } from "../../helpers/messages";

const SEED = Number(process.env.JOURNAL_CRASH_SEED ?? 20261202);
const dir = mkdtempSync(join(tmpdir(), "journal-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Real mail where the corpus is present (every 12th message), and generated mail besides. */
function messages(): Buffer[] {
  const corpus = corpusFiles().filter((_, i) => i % 12 === 0).map((file) => readFileSync(file));
  const generated = Array.from({ length: 120 }, (_, i) => rfc822({ messageId: `<crash-${SEED}-${i}@example.com>`, body: `message ${i}\r\n`.repeat(1 + (i % 50)) }));
  return [...corpus, ...generated];
}

describe(`kill -9 under load (seed ${SEED})`, () => {
  it("restarts every time, loses nothing acknowledged, and leaves an archive that verifies", async () => {
    const sent = messages();
    const report = await runCrashes({ dir, messages: sent, kills: 6, seed: SEED, httpSenders: 3, smtpSenders: 3, killAfterMs: [300, 1500] });
    expect(report.restarts).toBe(6);
    // Every message was acknowledged in the end (runCrashes throws otherwise), nearly all in bytes we can compare.
    expect(report.acknowledged.size + report.acknowledgedAsStored.size).toBeGreaterThanOrEqual(sent.length - 10);
    const archive = openArchiveReader({ dir });
    const verdict = await verifyArchive(archive);
    expect(verdict.ok, `seed ${SEED}: ${JSON.stringify(verdict.problems.slice(0, 3))}`).toBe(true);
    for (const [sha256, raw] of report.acknowledged) {
      const key = await archive.store.locate(sha256);
      expect(key && (await archive.store.get(key))?.equals(raw), `seed ${SEED}: ${sha256}`).toBe(true);
    }
    for (const sha256 of report.acknowledgedAsStored) expect(await archive.store.locate(sha256), `seed ${SEED}: ${sha256}`).toBeDefined();
    expect(readdirSync(join(dir, "objects", ".staging")), "staged files left after a clean stop").toEqual([]);
  }, 240_000);
});
