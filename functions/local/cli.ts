// `npm run journal -- <command>`: what an auditor does with an archive, the local one (JOURNAL_DIR)
// or, with --archive/--stack, a cloud one. `verify` and `head` on the local archive are the local
// archive's own proofs (its trail); search, hold, export, verify --store and retention are the
// auditor's commands over the store port (functions/auditor/).
import { randomBytes } from "node:crypto";
import { link, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { HelpRequested, UsageError, options as parse, print, type Spec } from "../auditor/cli/args";
import { EXPORT_USAGE, exportCaseCommand } from "../auditor/cli/exportCommand";
import { holdCommand } from "../auditor/cli/hold";
import { listCommand, searchCommand } from "../auditor/cli/search";
import { reindexCommand, retentionCommand, storeVerifyCommand } from "../auditor/cli/storeCommands";
import { isCloudLocation } from "../auditor/open";
import type { AuditSink } from "../core/audit";
import { isSha256 } from "../core/layout";
import { openArchiveReader, openLocalArchive, type ArchiveReader } from "./archive";
import { headAnchor, parseAnchor, readHead } from "./auditLog";
import { readLocalSettings, type LocalSettings } from "./settings";
import { verifyArchive } from "./verify";
import { writerClient } from "./writerLock";

const USAGE = `usage: npm run journal -- <command> [options]      (each command: --help)
  search [filters] [--format table|json|csv] [--limit N]
        messages by sender, recipient, domain, dates, subject words, Message-ID, correlation id,
        attachment name or hash, sensitive-data flag, source, size; --quarantined for quarantined input
  hold set|clear|list --case ID [SHA256 …| filters]
        legal holds by case; clearing one case's hold keeps the store's hold while another case holds
  export --case ID --out FOLDER|FILE.zip [SHA256 …| filters] [--mbox]
        the messages as archived, a manifest and a chain-of-custody record; resumable
  export <sha256> [--out FILE]
        one message's original bytes, to FILE (never overwritten) or stdout; audited as an export
  verify [--expect-head SEQ:MAC] [--json]
        prove the local archive whole: the audit trail to its authenticated head, every record it
        created present, every object intact and under its own name; exit 1 naming the first
        bad record. --expect-head: the trail must still hold an anchor recorded by \`head\`
  verify --store [--sample N] [--peer ARCHIVE] [--json]
        any archive, through its store: hashes, store checksums, sidecar pairing, WORM state, the DR copy
  head [--json]
        print the local trail's authenticated head and its anchor, to record outside this machine
  retention [--maximum-days N]
        counts and bytes by retain-until year and tier, holds, what awaits lifecycle deletion
  reindex
        rebuild the local search index from the sidecars
  list [--from ADDR] [--to ADDR] [--date YYYY-MM-DD] [--json]
        \`search\` with today's flags
  help
The archive: --archive <./dir | s3://bucket | https://ACCOUNT.blob.core.windows.net/CONTAINER | gs://bucket>
or --stack NAME; by default the local archive, JOURNAL_DIR (default ./.journal), with JOURNAL_MASTER_KEY
if it uses one. Searches, holds, exports and store verifies are audited in the archive's trail, through
the running archive (\`npm start\`) when there is one.`;

function options<S extends Spec>(args: string[], spec: S, positionals = 0) {
  return parse(args, spec, USAGE, positionals);
}

const progress = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
};

function reader(settings: LocalSettings): ArchiveReader {
  return openArchiveReader({ dir: settings.dir, masterKey: settings.masterKey });
}

/** The local archive's settings, with `--archive ./dir` in place of JOURNAL_DIR when given. */
function localSettings(archive?: string): LocalSettings {
  return readLocalSettings(archive !== undefined ? { ...process.env, JOURNAL_DIR: archive } : process.env);
}

async function verify(args: string[]): Promise<number> {
  const { values } = options(args, { "expect-head": { type: "string" }, json: { type: "boolean" }, archive: { type: "string" } });
  const expectHead = values["expect-head"] === undefined ? undefined : parseAnchor(values["expect-head"]);
  if (values["expect-head"] !== undefined && !expectHead) throw new UsageError(`--expect-head must be the anchor \`head\` printed, SEQ:MAC (a line number, a colon, 64 hex characters), got "${values["expect-head"]}"`);
  const verdict = await verifyArchive(reader(localSettings(values.archive)), {
    ...(expectHead ? { expectHead } : {}),
    onProgress: (done, total, phase) => progress(phase === "objects" ? `objects ${done}/${total}   ` : `audit line ${done}   `),
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  if (values.json) {
    console.log(JSON.stringify({ ...verdict, ...(verdict.head ? { anchor: headAnchor(verdict.head) } : {}) }, null, 2));
    return verdict.ok ? 0 : 1;
  }
  for (const note of verdict.notes) console.log(`note: ${note}`);
  if (verdict.ok) {
    console.log(`archive intact: ${verdict.objects} objects, ${verdict.auditLines} audit lines, head ${headAnchor(verdict.head!)}${expectHead ? `; the anchor ${expectHead.seq}:${expectHead.mac.slice(0, 12)}… is in the trail` : ""}`);
    return 0;
  }
  const more = verdict.problems.length - 1;
  console.error(`archive NOT intact: first bad record ${verdict.firstBad!.record}: ${verdict.firstBad!.reason}${more > 0 ? `\n(and ${more} more problem${more === 1 ? "" : "s"}; --json lists them)` : ""}`);
  return 1;
}

async function head(args: string[]): Promise<number> {
  const { values } = options(args, { json: { type: "boolean" }, archive: { type: "string" } });
  const archive = reader(localSettings(values.archive));
  const current = await readHead(archive.dir, archive.keyring);
  if (!current) throw new Error(`no audit head in ${archive.dir}: run \`npm run journal -- verify\``);
  const anchor = headAnchor(current);
  if (values.json) console.log(JSON.stringify({ seq: current.seq, mac: current.mac, at: current.at, anchor }));
  else {
    console.log(`audit head: line ${current.seq}, MAC ${current.mac}, written ${current.at}`);
    console.log(`anchor: ${anchor}`);
    console.log(`Record the anchor outside this machine; \`npm run journal -- verify --expect-head ${anchor}\` then proves the trail still holds it.`);
  }
  return 0;
}

/** The running archive's audit trail when there is one; otherwise this process opens it, holding the lock for the one line. */
async function withAuditWriter<T>(settings: LocalSettings, archive: ArchiveReader, act: (audit: AuditSink) => Promise<T>): Promise<T> {
  const client = await writerClient(settings.dir, archive.keyring);
  if (client) {
    try {
      return await act(client);
    } finally {
      client.close();
    }
  }
  const own = await openLocalArchive({ dir: settings.dir, masterKey: settings.masterKey });
  try {
    return await act(own.audit);
  } finally {
    await own.close();
  }
}

async function exportMessage(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: "string" }, archive: { type: "string" } }, EXPORT_USAGE, 1);
  const sha256 = positionals[0];
  if (!sha256 || !isSha256(sha256)) throw new UsageError(`export needs a message's sha256 (64 lower-case hex characters), got "${sha256 ?? ""}"`);
  const settings = localSettings(values.archive);
  const archive = reader(settings);
  // The keys must be the archive's before anything is read or written.
  await readHead(archive.dir, archive.keyring);
  const key = await archive.store.locate(sha256);
  const bytes = key ? await archive.store.get(key) : undefined;
  if (!key || !bytes) {
    console.error(`no message with sha256 ${sha256} in ${settings.dir}`);
    return 1;
  }
  const event = { action: "exported" as const, at: new Date().toISOString(), sha256, key, actor: `cli:${process.env.USER ?? "unknown"}`, size: bytes.length };
  if (values.out === undefined) {
    await withAuditWriter(settings, archive, (audit) => audit.append(event));
    process.stdout.write(bytes);
    return 0;
  }
  // The copy is made under a temporary name, audited, then given its name create-only:
  // an existing file is never overwritten, and an export that did not happen is never audited.
  const out = values.out;
  const temp = join(dirname(out), `.${randomBytes(6).toString("hex")}.export.tmp`);
  await writeFile(temp, bytes, { flag: "wx", mode: 0o600 });
  try {
    await withAuditWriter(settings, archive, async (audit) => {
      await link(temp, out).catch((err: NodeJS.ErrnoException) => {
        throw err.code === "EEXIST" ? new Error(`${out} already exists: export never overwrites a file; choose another --out`) : err;
      });
      await audit.append(event).catch(async (err: unknown) => {
        await unlink(out).catch(() => undefined);
        throw err;
      });
    });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  console.error(`exported ${key} (${bytes.length} bytes) to ${out}`);
  return 0;
}

/** `verify` on the local archive is today's proof; on a cloud archive, or with --store/--sample/--peer, the store's checks. */
function wantsStoreVerify(args: string[]): boolean {
  const at = (name: string) => args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  const archive = at("--archive");
  const value = archive < 0 ? undefined : args[archive].includes("=") ? args[archive].slice(args[archive].indexOf("=") + 1) : args[archive + 1];
  return ["--store", "--sample", "--peer", "--stack"].some((name) => at(name) >= 0) || (value !== undefined && isCloudLocation(value));
}

/** `export <sha256>` alone is today's one-message export; with --case it is a case's export. */
function wantsCaseExport(args: string[]): boolean {
  return args.some((a) => a === "--case" || a.startsWith("--case=")) || !args.some((a) => isSha256(a));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "verify":
      return wantsStoreVerify(args) ? storeVerifyCommand(args) : verify(args);
    case "head":
      return head(args);
    case "search":
      return searchCommand(args);
    case "list":
      return listCommand(args);
    case "hold":
      return holdCommand(args);
    case "export":
      return wantsCaseExport(args) ? exportCaseCommand(args) : exportMessage(args);
    case "retention":
      return retentionCommand(args);
    case "reindex":
      return reindexCommand(args);
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  }
}

// exitCode, never exit(): stdout into a pipe is written out in full before the process ends.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof HelpRequested) {
      print(err.usage);
      process.exitCode = 0;
      return;
    }
    if (err instanceof UsageError) {
      // The command's own usage, then where the others are.
      console.error(err.usage ? `${err.message}\n\n${err.usage}\n\nusage: npm run journal -- <command> [options]: \`npm run journal -- help\` lists the commands` : `${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
