// The STARTTLS certificate: the configured one, or a self-signed one made on first start.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly selfSigned: boolean;
}

export async function loadOrCreateCertificate(dir: string, configured?: { certPath: string; keyPath: string }): Promise<TlsMaterial> {
  if (configured) return { cert: readConfigured("JOURNAL_TLS_CERT", configured.certPath), key: readConfigured("JOURNAL_TLS_KEY", configured.keyPath), selfSigned: false };
  const folder = join(dir, "tls");
  const certPath = join(folder, "smtp-cert.pem");
  const keyPath = join(folder, "smtp-key.pem");
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const pems = await generate([{ name: "commonName", value: "localhost" }], { keySize: 2048, notAfterDate: new Date(Date.now() + 825 * 24 * 60 * 60 * 1000) });
    writeFileSync(keyPath, pems.private, { mode: 0o600 });
    writeFileSync(certPath, pems.cert);
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), selfSigned: true };
}

/** A configured PEM file, or an error naming the setting and why it could not be read. */
function readConfigured(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${setting}="${path}": cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"}); give a PEM file this process can read`);
  }
}
