// The local runtime's settings, from environment variables, all checked at once.
import { readFileSync } from "node:fs";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../core/pipeline";
import { isLoopback, parseAllowList } from "./clientAddresses";
import { DEFAULT_MAX_CONCURRENT_INGESTS, DEFAULT_MAX_CONCURRENT_TRANSFERS } from "./intakeGate";
import { DEFAULT_JOURNAL_ADDRESS, DEFAULT_SMTP_MAX_CLIENTS, type SmtpAccess, type SmtpCredentials } from "./smtp";

/** The same length floor as JOURNAL_TOKEN. */
const MIN_PASSWORD_LENGTH = 16;
const ADDRESS = /^[^\s@<>",;]{1,64}@[^\s@<>",;]{1,253}$/;

export interface LocalSettings {
  /** JOURNAL_DIR: the archive folder. */
  readonly dir: string;
  /** JOURNAL_SMTP_PORT */
  readonly smtpPort: number;
  /** JOURNAL_HTTP_PORT */
  readonly httpPort: number;
  /** JOURNAL_BIND: the address both intakes listen on. */
  readonly bind: string;
  /** JOURNAL_TOKEN: bearer token for HTTP; generated at start when unset. */
  readonly token?: string;
  /** JOURNAL_MASTER_KEY, decoded. */
  readonly masterKey?: Buffer;
  /** JOURNAL_RETENTION_DAYS */
  readonly retentionDays: number;
  /** JOURNAL_MAX_BYTES */
  readonly maxMessageBytes: number;
  /** JOURNAL_TLS_CERT and JOURNAL_TLS_KEY: PEM files for STARTTLS; self-signed when unset. */
  readonly tls?: { readonly certPath: string; readonly keyPath: string };
  /**
   * Who may deliver over SMTP and how many at once:
   * JOURNAL_SMTP_REQUIRE_TLS (default: true unless JOURNAL_BIND is loopback),
   * JOURNAL_SMTP_USER with JOURNAL_SMTP_PASSWORD_FILE or JOURNAL_SMTP_PASSWORD,
   * JOURNAL_SMTP_ALLOW (client addresses/CIDRs), JOURNAL_ADDRESSES (default journal@localhost),
   * JOURNAL_SMTP_MAX_CLIENTS (default 32).
   */
  readonly smtp: SmtpAccess & { readonly maxClients: number };
  /** JOURNAL_MAX_CONCURRENT_TRANSFERS (default 8) and JOURNAL_MAX_CONCURRENT_INGESTS (spooled messages, default 2), for both intakes. */
  readonly intake: { readonly maxConcurrentTransfers: number; readonly maxConcurrentIngests: number };
}

type Env = Readonly<Record<string, string | undefined>>;

export function readLocalSettings(env: Env): LocalSettings {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name}="${raw}": must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };

  const smtpPort = integer("JOURNAL_SMTP_PORT", 2525, 0, 65535);
  const httpPort = integer("JOURNAL_HTTP_PORT", 8025, 0, 65535);
  if (smtpPort === httpPort && smtpPort !== 0) problems.push(`JOURNAL_SMTP_PORT and JOURNAL_HTTP_PORT are both ${smtpPort}: they must differ`);
  const retentionDays = integer("JOURNAL_RETENTION_DAYS", 2557, 1, 36500);
  const maxMessageBytes = integer("JOURNAL_MAX_BYTES", DEFAULT_MAX_MESSAGE_BYTES, 1024, DEFAULT_MAX_MESSAGE_BYTES);

  const token = env.JOURNAL_TOKEN || undefined;
  if (token !== undefined && token.length < 16) problems.push(`JOURNAL_TOKEN (${token.length} characters): must be at least 16 characters`);

  let masterKey: Buffer | undefined;
  if (env.JOURNAL_MASTER_KEY) {
    const decoded = Buffer.from(env.JOURNAL_MASTER_KEY, "base64");
    if (decoded.length !== 32 || decoded.toString("base64") !== env.JOURNAL_MASTER_KEY.trim()) {
      // The value is a secret: say what is wrong with it, never echo it.
      problems.push(`JOURNAL_MASTER_KEY (value not shown): must be base64 of exactly 32 bytes, e.g. from \`openssl rand -base64 32\``);
    } else {
      masterKey = decoded;
    }
  }

  const bind = env.JOURNAL_BIND || "127.0.0.1";
  if (!/^[0-9a-fA-F.:]+$/.test(bind) && bind !== "localhost") problems.push(`JOURNAL_BIND="${bind}": must be an IP address (IPv4 or IPv6) or localhost`);

  const certPath = env.JOURNAL_TLS_CERT || undefined;
  const keyPath = env.JOURNAL_TLS_KEY || undefined;
  if (Boolean(certPath) !== Boolean(keyPath)) {
    problems.push(`JOURNAL_TLS_CERT and JOURNAL_TLS_KEY: set both (PEM certificate and key files) or neither (a self-signed certificate is made)`);
  }

  const smtp = readSmtpAccess(env, bind, problems);
  const maxClients = integer("JOURNAL_SMTP_MAX_CLIENTS", DEFAULT_SMTP_MAX_CLIENTS, 1, 10000);
  const maxConcurrentTransfers = integer("JOURNAL_MAX_CONCURRENT_TRANSFERS", DEFAULT_MAX_CONCURRENT_TRANSFERS, 1, 1000);
  const maxConcurrentIngests = integer("JOURNAL_MAX_CONCURRENT_INGESTS", DEFAULT_MAX_CONCURRENT_INGESTS, 1, 64);
  if (maxConcurrentIngests > maxConcurrentTransfers) {
    problems.push(`JOURNAL_MAX_CONCURRENT_INGESTS (${maxConcurrentIngests}) is more than JOURNAL_MAX_CONCURRENT_TRANSFERS (${maxConcurrentTransfers}): a message enters the pipeline only after its transfer`);
  }

  if (problems.length > 0) throw new Error(`invalid local archive settings:\n  ${problems.join("\n  ")}`);
  return {
    dir: env.JOURNAL_DIR || "./.journal",
    smtpPort,
    httpPort,
    bind,
    retentionDays,
    maxMessageBytes,
    ...(token ? { token } : {}),
    ...(masterKey ? { masterKey } : {}),
    ...(certPath && keyPath ? { tls: { certPath, keyPath } } : {}),
    smtp: { ...smtp, maxClients },
    intake: { maxConcurrentTransfers, maxConcurrentIngests },
  };
}

function readSmtpAccess(env: Env, bind: string, problems: string[]): SmtpAccess {
  const loopback = isLoopback(bind);
  let requireTls = !loopback;
  const rawRequireTls = env.JOURNAL_SMTP_REQUIRE_TLS;
  if (rawRequireTls) {
    if (rawRequireTls === "true" || rawRequireTls === "false") requireTls = rawRequireTls === "true";
    else problems.push(`JOURNAL_SMTP_REQUIRE_TLS="${rawRequireTls.slice(0, 40)}": must be true or false`);
  }

  const credentials = readCredentials(env, problems);
  const { entries: allow, problems: allowProblems } = parseAllowList("JOURNAL_SMTP_ALLOW", env.JOURNAL_SMTP_ALLOW ?? "");
  problems.push(...allowProblems);

  const journalAddresses: string[] = [];
  for (const address of (env.JOURNAL_ADDRESSES || DEFAULT_JOURNAL_ADDRESS).split(",").map((a) => a.trim().toLowerCase()).filter(Boolean)) {
    if (!ADDRESS.test(address)) problems.push(`JOURNAL_ADDRESSES entry "${address.slice(0, 80)}": must be a mail address like journal@example.com`);
    else if (!journalAddresses.includes(address)) journalAddresses.push(address);
  }
  if (env.JOURNAL_ADDRESSES !== undefined && journalAddresses.length === 0 && !problems.some((p) => p.startsWith("JOURNAL_ADDRESSES"))) {
    problems.push(`JOURNAL_ADDRESSES is empty: list the journal recipient addresses, comma-separated`);
  }

  // Reachable from the network with nobody identified would take anyone's mail (and forged journal envelopes).
  if (!loopback && /^[0-9a-fA-F.:]+$/.test(bind) && !credentials && allow.length === 0 && allowProblems.length === 0) {
    problems.push(
      `JOURNAL_BIND="${bind}" takes SMTP from the network: say who may deliver with JOURNAL_SMTP_USER + JOURNAL_SMTP_PASSWORD_FILE (AUTH over TLS) and/or JOURNAL_SMTP_ALLOW (your mail servers' addresses or CIDR ranges)`,
    );
  }
  return { requireTls, allow, journalAddresses, ...(credentials ? { credentials } : {}) };
}

/** JOURNAL_SMTP_USER with JOURNAL_SMTP_PASSWORD_FILE (preferred) or JOURNAL_SMTP_PASSWORD. The password is never echoed. */
function readCredentials(env: Env, problems: string[]): SmtpCredentials | undefined {
  const username = env.JOURNAL_SMTP_USER || undefined;
  const file = env.JOURNAL_SMTP_PASSWORD_FILE || undefined;
  let password = env.JOURNAL_SMTP_PASSWORD || undefined;
  if (file && password) {
    problems.push(`JOURNAL_SMTP_PASSWORD_FILE and JOURNAL_SMTP_PASSWORD: set one, not both (the file keeps the secret out of the environment)`);
    return undefined;
  }
  if (file) {
    try {
      // One trailing line break is the file's, not the password's.
      password = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      problems.push(`JOURNAL_SMTP_PASSWORD_FILE="${file}": cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
      return undefined;
    }
  }
  if (!username && !password) return undefined;
  if (!username || !password) {
    problems.push(`JOURNAL_SMTP_USER and ${file ? "JOURNAL_SMTP_PASSWORD_FILE" : "JOURNAL_SMTP_PASSWORD(_FILE)"}: set both for SMTP AUTH, or neither`);
    return undefined;
  }
  let ok = true;
  if (!/^[^\s\x00-\x1f\x7f]{1,256}$/.test(username)) {
    problems.push(`JOURNAL_SMTP_USER="${username.slice(0, 40)}": must be 1-256 characters without spaces or control characters`);
    ok = false;
  }
  if (password.length < MIN_PASSWORD_LENGTH || /[\x00-\x1f\x7f]/.test(password)) {
    const source = file ? `JOURNAL_SMTP_PASSWORD_FILE="${file}"` : "JOURNAL_SMTP_PASSWORD";
    problems.push(`${source} (value not shown, ${password.length} characters): must be at least ${MIN_PASSWORD_LENGTH} characters without control characters`);
    ok = false;
  }
  return ok ? { username, password } : undefined;
}
