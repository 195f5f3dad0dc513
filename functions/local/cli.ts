// `npm run journal -- <command>`: what an auditor does with a local archive.
import { randomBytes } from "node:crypto";
import { link, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { AuditSink } from "../core/audit";
import { isSha256, parseKey } from "../core/layout";
import type { MessageMetadata } from "../core/types";
import { openArchiveReader, openLocalArchive, type ArchiveReader } from "./archive";
import { headAnchor, parseAnchor, readHead } from "./auditLog";
import { readLocalSettings, type LocalSettings } from "./settings";
import { verifyArchive } from "./verify";
import { writerClient } from "./writerLock";

const USAGE = `usage: npm run journal -- <command> [options]
  verify [--expect-head SEQ:MAC] [--json]
        prove the archive whole: the audit trail to its authenticated head, every record it
        created present, every object intact and under its own name; exit 1 naming the first
        bad record. --expect-head: the trail must still hold an anchor recorded by \`head\`
  head [--json]
        print the trail's authenticated head and its anchor, to record outside this machine
  list [--from ADDR] [--to ADDR] [--date YYYY-MM-DD] [--json]
        records by sender, recipient (To/Cc/Bcc/envelope) or date
  export <sha256> [--out FILE]
        the original bytes, to FILE (never overwritten) or stdout; audited as an export
  help
The archive is JOURNAL_DIR (default ./.journal); JOURNAL_MASTER_KEY if the archive uses one.
verify, head and list only read; export records its audit line through the running archive
(\`npm start\`) when there is one.`;

class UsageError extends Error {}

type Spec = Record<string, { type: "string" | "boolean" }>;

function options<S extends Spec>(args: string[], spec: S, positionals = 0): { values: { [K in keyof S]?: S[K]["type"] extends "string" ? string : boolean }; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
  return parsed as never;
}

const progress = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
};

function reader(settings: LocalSettings): ArchiveReader {
  return openArchiveReader({ dir: settings.dir, masterKey: settings.masterKey });
}

async function verify(args: string[]): Promise<number> {
  const { values } = options(args, { "expect-head": { type: "string" }, json: { type: "boolean" } });
  const expectHead = values["expect-head"] === undefined ? undefined : parseAnchor(values["expect-head"]);
  if (values["expect-head"] !== undefined && !expectHead) throw new UsageError(`--expect-head must be the anchor \`head\` printed, SEQ:MAC (a line number, a colon, 64 hex characters), got "${values["expect-head"]}"`);
  const verdict = await verifyArchive(reader(readLocalSettings(process.env)), {
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
  const { values } = options(args, { json: { type: "boolean" } });
  const archive = reader(readLocalSettings(process.env));
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

async function list(args: string[]): Promise<number> {
  const { values } = options(args, { from: { type: "string" }, to: { type: "string" }, date: { type: "string" }, json: { type: "boolean" } });
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) throw new UsageError(`--date must be YYYY-MM-DD, got "${values.date}"`);
  const { store } = reader(readLocalSettings(process.env));
  const prefix = values.date !== undefined ? `meta/${values.date.replace(/-/g, "/")}/` : "meta/";
  const from = values.from?.toLowerCase();
  const to = values.to?.toLowerCase();
  const found: Array<MessageMetadata & { missing?: true }> = [];
  const keys = await store.keys(prefix);
  for (let i = 0; i < keys.length; i++) {
    progress(`reading ${i + 1}/${keys.length}`);
    if (parseKey(keys[i])?.ext !== "json") continue;
    const meta = JSON.parse((await store.get(keys[i]))!.toString("utf8")) as MessageMetadata;
    if (from && !meta.from.includes(from) && meta.envelope.sender !== from) continue;
    const recipients = [...meta.to, ...meta.cc, ...meta.bcc, ...meta.envelope.recipients.map((r) => r.address)];
    if (to && !recipients.includes(to)) continue;
    // A sidecar whose message is gone is listed as missing, never as if it could be exported.
    found.push((await store.header(meta.key).catch(() => undefined)) ? meta : { ...meta, missing: true });
  }
  if (process.stderr.isTTY && keys.length > 0) process.stderr.write("\n");
  if (values.json) console.log(JSON.stringify(found, null, 2));
  else {
    for (const m of found) {
      const recipients = m.envelope.recipients.map((r) => r.address).join(",") || m.to.join(",") || "-";
      console.log(`${m.receivedAt}  ${m.sha256}  ${m.from.join(",") || "-"}  →  ${recipients}  ${m.subject ?? ""}${m.missing ? "  [MESSAGE MISSING: run verify]" : ""}`);
    }
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
  const { values, positionals } = options(args, { out: { type: "string" } }, 1);
  const sha256 = positionals[0];
  if (!sha256 || !isSha256(sha256)) throw new UsageError(`export needs a message's sha256 (64 lower-case hex characters), got "${sha256 ?? ""}"`);
  const settings = readLocalSettings(process.env);
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

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "verify":
      return verify(args);
    case "head":
      return head(args);
    case "list":
      return list(args);
    case "export":
      return exportMessage(args);
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
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
