// The local master keys: the stand-in for a cloud KMS key. Each object's data key is
// wrapped by the current master key; older master keys stay loadable so that objects
// written before a rotation remain readable.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface WrappedKey {
  readonly keyId: string;
  /** base64: iv (12) | tag (16) | encrypted data key (32). */
  readonly wrapped: string;
}

const KEY_FILE = /^master-([0-9a-f]{16})\.key$/;

export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export class Keyring {
  private constructor(
    private readonly keys: Map<string, Buffer>,
    private current: string,
    private readonly folder?: string,
  ) {}

  /**
   * Opens the keys in `<dir>/keys`. With `masterKey` (from JOURNAL_MASTER_KEY) that key is
   * current and is not written to disk; otherwise the newest key file is current. A key file
   * (mode 0600) is made only when `create` is set, for a new archive; otherwise a missing key
   * is an error, never silently replaced.
   */
  static open(dir: string, masterKey?: Buffer, options: { readonly create?: boolean } = {}): Keyring {
    if (masterKey && masterKey.length !== 32) {
      throw new Error(`master key must be 32 bytes, got ${masterKey.length}`);
    }
    const folder = join(dir, "keys");
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const keys = new Map<string, Buffer>();
    let newest: { id: string; created: number } | undefined;
    for (const name of readdirSync(folder)) {
      const match = KEY_FILE.exec(name);
      if (!match) continue;
      let content: { key: string; created: string };
      try {
        content = JSON.parse(readFileSync(join(folder, name), "utf8")) as { key: string; created: string };
      } catch {
        throw new Error(`key file ${join(folder, name)} is not readable JSON: it was damaged`);
      }
      keys.set(match[1], Buffer.from(content.key, "base64"));
      const created = Date.parse(content.created);
      if (!newest || created >= newest.created) newest = { id: match[1], created };
    }
    if (masterKey) {
      // An archive that keeps its keys on disk must be given one of them, or an audit line would be signed by a key it never saved.
      if (keys.size > 0 && !keys.has(keyIdOf(masterKey))) {
        throw new Error(`JOURNAL_MASTER_KEY (key ${keyIdOf(masterKey)}) is not one of this archive's keys (${[...keys.keys()].join(", ")} in ${folder}): unset it, or give the key this archive was made with`);
      }
      keys.set(keyIdOf(masterKey), masterKey);
      return new Keyring(keys, keyIdOf(masterKey));
    }
    const ring = new Keyring(keys, newest?.id ?? "", folder);
    if (!newest) {
      if (!options.create) throw new Error(`no master key: ${folder} holds no key file and JOURNAL_MASTER_KEY is unset`);
      ring.rotate();
    }
    return ring;
  }

  /** Whether master key `id` is in the ring. */
  has(id: string): boolean {
    return this.keys.has(id);
  }

  get currentKeyId(): string {
    return this.current;
  }

  /** Makes a new master key current. Objects wrapped under older keys stay readable. */
  rotate(): string {
    if (!this.folder) throw new Error("a master key given by JOURNAL_MASTER_KEY is rotated by changing that variable, keeping the old key file");
    const key = randomBytes(32);
    const id = keyIdOf(key);
    // Synced, file and folder, before anything is encrypted under it: a lost key loses the archive.
    const file = openSync(join(this.folder, `master-${id}.key`), "wx", 0o600);
    try {
      writeFileSync(file, JSON.stringify({ key: key.toString("base64"), created: new Date().toISOString() }));
      fsyncSync(file);
    } finally {
      closeSync(file);
    }
    const folder = openSync(this.folder, "r");
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
    this.keys.set(id, key);
    this.current = id;
    return id;
  }

  wrap(dataKey: Buffer): WrappedKey {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key(this.current), iv);
    const encrypted = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { keyId: this.current, wrapped: Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString("base64") };
  }

  unwrap(wrapped: WrappedKey): Buffer {
    const bytes = Buffer.from(wrapped.wrapped, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.key(wrapped.keyId), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
  }

  /** The audit chain's MAC key under master key `keyId` (default: current), derived so the master key itself never signs. */
  auditKey(keyId: string = this.current): Buffer {
    return Buffer.from(hkdfSync("sha256", this.key(keyId), Buffer.alloc(0), "journal-audit", 32));
  }

  /** The key of the auditor's blind search index under master key `keyId` (default: current): keyed hashes of what is searched, never the master key itself. */
  indexKey(keyId: string = this.current): Buffer {
    return Buffer.from(hkdfSync("sha256", this.key(keyId), Buffer.alloc(0), "journal-index", 32));
  }

  private key(id: string): Buffer {
    const key = this.keys.get(id);
    if (!key) throw new Error(`master key ${id} is not in the keyring (keys folder or JOURNAL_MASTER_KEY)`);
    return key;
  }
}
