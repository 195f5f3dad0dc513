// The local archive's object store: write-once files, each encrypted at rest under its
// own data key (AES-256-GCM) wrapped by the master key, as a cloud KMS does.
//
// File: "JRNL1\n" | header length (uint32 BE) | header JSON | ciphertext | GCM tag (16).
// Retention and legal hold are enforced here: delete is refused before retain-until or
// while on hold. The hold lives in a small mutable file beside the immutable object.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, link, mkdir, open, readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { ObjectInfo, ObjectStore, PutOptions, PutOutcome, StagedObject } from "../core/objectStore";
import type { Keyring, WrappedKey } from "./keys";

const MAGIC = Buffer.from("JRNL1\n");
const TAG_BYTES = 16;
const CHUNK = 1024 * 1024;
const STAGE_ABOVE_BYTES = 1024 * 1024;
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9._-]+)*$/;

export interface ObjectHeader extends WrappedKey {
  readonly iv: string;
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
  readonly retainUntil: string;
  readonly createdAt: string;
}

export class ObjectTamperedError extends Error {
  constructor(key: string, why: string) {
    super(`object ${key} failed its integrity check: ${why}`);
    this.name = "ObjectTamperedError";
  }
}

export class RetentionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RetentionError";
  }
}

export class FileObjectStore implements ObjectStore {
  readonly root: string;
  /** Folders known to exist: one mkdir per day, not per object. */
  private readonly folders = new Set<string>();

  constructor(
    dir: string,
    private readonly keyring: Keyring,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.root = join(dir, "objects");
  }

  async putIfAbsent(key: string, body: Buffer, options: PutOptions): Promise<PutOutcome> {
    const path = this.pathOf(key);
    // The temp file sits beside its final name: a link within one folder is the cheapest.
    return this.link(await this.writeTemp(await this.folder(dirname(path)), body, options), path);
  }

  /**
   * Starts a large body's encrypted, synced write before its key is known, so that it
   * overlaps parsing. A small body's write is quicker than the parse, so it waits for its key.
   */
  async stage(body: Buffer, options: PutOptions): Promise<StagedObject> {
    if (body.length < STAGE_ABOVE_BYTES) {
      return { commit: (key) => this.putIfAbsent(key, body, options), discard: async () => undefined };
    }
    const temp = await this.writeTemp(await this.folder(join(this.root, ".staging")), body, options);
    return {
      commit: async (key) => {
        const path = this.pathOf(key);
        await this.folder(dirname(path));
        return this.link(temp, path);
      },
      discard: () => unlink(temp).catch(() => undefined),
    };
  }

  /** Links the temp file to its final name, create-only, and removes the temp name. */
  private async link(temp: string, path: string): Promise<PutOutcome> {
    try {
      // link() fails if the name exists: an atomic create-only write.
      await link(temp, path);
      return "created";
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return "exists";
      throw err;
    } finally {
      await unlink(temp);
    }
  }

  private async folder(path: string): Promise<string> {
    if (!this.folders.has(path)) {
      await mkdir(path, { recursive: true });
      this.folders.add(path);
    }
    return path;
  }

  /** Encrypts the body into a new read-only temp file in `folder` and syncs it. */
  private async writeTemp(folder: string, body: Buffer, options: PutOptions): Promise<string> {
    const dataKey = randomBytes(32);
    const iv = randomBytes(12);
    const header: ObjectHeader = {
      ...this.keyring.wrap(dataKey),
      iv: iv.toString("base64"),
      sha256: options.sha256,
      size: body.length,
      contentType: options.contentType,
      retainUntil: options.retainUntil.toISOString(),
      createdAt: this.now().toISOString(),
    };
    const headerBytes = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(headerBytes.length);
    const temp = join(folder, `.${randomBytes(8).toString("hex")}.tmp`);
    // Created read-only: the mode applies to later opens, this handle may still write.
    const file = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o444);
    try {
      const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
      // The header (retain-until, hash) is authenticated too: editing it breaks the tag.
      cipher.setAAD(headerBytes);
      const parts = [MAGIC, length, headerBytes];
      // In slices, so a large body is never copied whole.
      for (let offset = 0; offset < body.length; offset += CHUNK) {
        parts.push(cipher.update(body.subarray(offset, offset + CHUNK)));
        if (parts.length >= 4) await file.writev(parts.splice(0));
      }
      cipher.final();
      parts.push(cipher.getAuthTag());
      await file.writev(parts);
      // Durable before the link makes it visible, and before the intake acknowledges it.
      await file.datasync();
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    } finally {
      await file.close();
    }
    return temp;
  }

  async get(key: string): Promise<Buffer | undefined> {
    const bytes = await this.read(key);
    if (!bytes) return undefined;
    const { header, bodyStart } = parseHeader(key, bytes);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.keyring.unwrap(header), Buffer.from(header.iv, "base64"));
      decipher.setAAD(bytes.subarray(MAGIC.length + 4, bodyStart));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(bytes.subarray(bodyStart, bytes.length - TAG_BYTES)), decipher.final()]);
      if (createHash("sha256").update(plain).digest("hex") !== header.sha256) throw new Error("sha256 differs from the header");
      return plain;
    } catch (err) {
      throw new ObjectTamperedError(key, err instanceof Error ? err.message : String(err));
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const header = await this.header(key);
    if (!header) return undefined;
    return { key, size: header.size, retainUntil: new Date(header.retainUntil), legalHold: await this.onHold(key) };
  }

  /** The object's header, read without decrypting; undefined when there is no such key. */
  async header(key: string): Promise<ObjectHeader | undefined> {
    const file = await open(this.pathOf(key), "r").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    if (!file) return undefined;
    try {
      const start = Buffer.alloc(MAGIC.length + 4);
      await file.read(start, 0, start.length, 0);
      const length = start.readUInt32BE(MAGIC.length);
      if (!start.subarray(0, MAGIC.length).equals(MAGIC) || length > 64 * 1024) throw new ObjectTamperedError(key, "not an archive object header");
      const headerBytes = Buffer.alloc(length);
      await file.read(headerBytes, 0, length, start.length);
      return parseHeader(key, Buffer.concat([start, headerBytes])).header;
    } finally {
      await file.close();
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (const key of await this.keys(prefix)) {
      const info = await this.head(key);
      if (info) yield info;
    }
  }

  /** Every key under `prefix`, sorted. */
  async keys(prefix = ""): Promise<string[]> {
    const out: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== ".staging") await walk(path);
        }
        else if (!entry.name.startsWith(".") && !entry.name.endsWith(".hold")) out.push(relative(this.root, path).split(sep).join("/"));
      }
    };
    await walk(this.root);
    return out.filter((key) => key.startsWith(prefix)).sort();
  }

  async setLegalHold(key: string, on: boolean): Promise<void> {
    if (!(await this.header(key))) throw new Error(`no object at ${key}`);
    if (on) await writeFile(`${this.pathOf(key)}.hold`, this.now().toISOString());
    else await rm(`${this.pathOf(key)}.hold`, { force: true });
  }

  /** Deletes an object whose retention has ended and which is not on hold; refuses otherwise. */
  async delete(key: string): Promise<void> {
    const header = await this.header(key);
    if (!header) throw new Error(`no object at ${key}`);
    if (await this.onHold(key)) throw new RetentionError(`object ${key} is under legal hold; clear the hold before deleting`);
    if (this.now() < new Date(header.retainUntil)) {
      throw new RetentionError(`object ${key} is retained until ${header.retainUntil}; deletion is refused before then`);
    }
    await chmod(this.pathOf(key), 0o644);
    await unlink(this.pathOf(key));
  }

  private async onHold(key: string): Promise<boolean> {
    return readFile(`${this.pathOf(key)}.hold`).then(
      () => true,
      () => false,
    );
  }

  private async read(key: string): Promise<Buffer | undefined> {
    return readFile(this.pathOf(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
  }

  private pathOf(key: string): string {
    if (!KEY_PATTERN.test(key) || key.split("/").some((part) => part === "." || part === "..")) {
      throw new Error(`object key must be slash-separated names of letters, digits, ".", "_" or "-", got "${key}"`);
    }
    return join(this.root, ...key.split("/"));
  }
}

function parseHeader(key: string, bytes: Buffer): { header: ObjectHeader; bodyStart: number } {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new ObjectTamperedError(key, "not an archive object header");
  const length = bytes.readUInt32BE(MAGIC.length);
  const start = MAGIC.length + 4;
  try {
    return { header: JSON.parse(bytes.subarray(start, start + length).toString("utf8")) as ObjectHeader, bodyStart: start + length };
  } catch {
    throw new ObjectTamperedError(key, "header is not readable JSON");
  }
}
