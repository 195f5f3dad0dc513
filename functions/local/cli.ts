// `npm run journal -- <command>`: what an auditor does with a local archive.
import { writeFileSync } from "node:fs";
import { isSha256, parseKey } from "../core/layout";
import type { MessageMetadata } from "../core/types";
import { openArchiveReader, openLocalArchive } from "./archive";
import { readLocalSettings } from "./settings";
import { verifyArchive } from "./verify";

const USAGE = `usage: npm run journal -- <command>
  verify                                   re-hash every object and walk the audit chain
  list [--from ADDR] [--to ADDR] [--date YYYY-MM-DD] [--json]
                                           records by sender, recipient (To/Cc/Bcc/envelope) or date
  export <sha256> [--out FILE]             the original bytes (audited as an export)
  help
The archive is JOURNAL_DIR (default ./.journal); JOURNAL_MASTER_KEY if the archive uses one.`;

class UsageError extends Error {}

function options(args: string[], allowed: Record<string, "value" | "flag">): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const name = args[i].replace(/^--/, "");
    const kind = allowed[name];
    if (!args[i].startsWith("--") || !kind) throw new UsageError(`unknown argument "${args[i]}"`);
    if (kind === "flag") out[name] = true;
    else {
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
      out[name] = value;
    }
  }
  return out;
}

const progress = (line: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
};

async function verify(): Promise<number> {
  const settings = readLocalSettings(process.env);
  const verdict = await verifyArchive(openArchiveReader({ dir: settings.dir, masterKey: settings.masterKey }), (done, total, phase) =>
    progress(phase === "objects" ? `objects ${done}/${total}` : `audit line ${done}`),
  );
  if (process.stderr.isTTY) process.stderr.write("\n");
  if (verdict.ok) {
    console.log(`archive intact: ${verdict.objects} objects, ${verdict.auditLines} audit lines`);
    return 0;
  }
  console.error(`archive NOT intact: first bad record ${verdict.firstBad!.record}: ${verdict.firstBad!.reason}`);
  return 1;
}

async function list(args: string[]): Promise<number> {
  const opts = options(args, { from: "value", to: "value", date: "value", json: "flag" });
  if (typeof opts.date === "string" && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) throw new UsageError(`--date must be YYYY-MM-DD, got "${opts.date}"`);
  const settings = readLocalSettings(process.env);
  const { store } = openArchiveReader({ dir: settings.dir, masterKey: settings.masterKey });
  const prefix = typeof opts.date === "string" ? `meta/${opts.date.replace(/-/g, "/")}/` : "meta/";
  const from = typeof opts.from === "string" ? opts.from.toLowerCase() : undefined;
  const to = typeof opts.to === "string" ? opts.to.toLowerCase() : undefined;
  const found: MessageMetadata[] = [];
  const keys = await store.keys(prefix);
  for (let i = 0; i < keys.length; i++) {
    progress(`reading ${i + 1}/${keys.length}`);
    if (parseKey(keys[i])?.ext !== "json") continue;
    const meta = JSON.parse((await store.get(keys[i]))!.toString("utf8")) as MessageMetadata;
    if (from && !meta.from.includes(from) && meta.envelope.sender !== from) continue;
    const recipients = [...meta.to, ...meta.cc, ...meta.bcc, ...meta.envelope.recipients.map((r) => r.address)];
    if (to && !recipients.includes(to)) continue;
    found.push(meta);
  }
  if (process.stderr.isTTY && keys.length > 0) process.stderr.write("\n");
  if (opts.json) console.log(JSON.stringify(found, null, 2));
  else for (const m of found) console.log(`${m.receivedAt}  ${m.sha256}  ${m.from.join(",") || "-"}  →  ${m.envelope.recipients.map((r) => r.address).join(",") || m.to.join(",") || "-"}  ${m.subject ?? ""}`);
  return 0;
}

async function exportMessage(args: string[]): Promise<number> {
  const [sha256, ...rest] = args;
  if (!sha256 || !isSha256(sha256)) throw new UsageError(`export needs a message's sha256 (64 lower-case hex characters), got "${sha256 ?? ""}"`);
  const opts = options(rest, { out: "value" });
  const settings = readLocalSettings(process.env);
  const archive = await openLocalArchive({ dir: settings.dir, masterKey: settings.masterKey });
  try {
    const key = [...(await archive.store.keys("messages/")), ...(await archive.store.keys("quarantine/"))].find((k) => k.endsWith(`/${sha256}.eml`));
    const bytes = key ? await archive.store.get(key) : undefined;
    if (!key || !bytes) {
      console.error(`no message with sha256 ${sha256} in ${settings.dir}`);
      return 1;
    }
    await archive.audit.append({ action: "exported", at: new Date().toISOString(), sha256, key, actor: `cli:${process.env.USER ?? "unknown"}`, size: bytes.length });
    if (typeof opts.out === "string") writeFileSync(opts.out, bytes, { flag: "wx" });
    else process.stdout.write(bytes);
    return 0;
  } finally {
    await archive.audit.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "verify":
      if (args.length > 0) throw new UsageError("verify takes no arguments");
      return verify();
    case "list":
      return list(args);
    case "export":
      return exportMessage(args);
    case "help":
    case "--help":
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "no command given");
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
