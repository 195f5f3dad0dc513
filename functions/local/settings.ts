// The local runtime's settings, from environment variables, all checked at once.
import { DEFAULT_MAX_MESSAGE_BYTES } from "../core/pipeline";

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
  };
}
