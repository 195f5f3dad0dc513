// The local archive's object store: write-once files, each encrypted at rest under its
// own data key (AES-256-GCM) wrapped by the master key, as a cloud KMS does.
//
// File: "JRNL1\n" | header length (uint32 BE) | header JSON | ciphertext | GCM tag (16).
// The header (retain-until, hash, and the key the object was written for) is authenticated
// with the body, so an object copied over another name or with an edited retention is found.
//
// Every object is first written, encrypted, to `objects/.staging/`, then linked to its name,
// create-only, once its bytes are synced; the folder holding the new name is synced before the write
// counts. Syncs of one folder are shared by the deliveries in flight (groupSync.ts).
// Retention and legal hold are enforced here: delete is refused before retain-until or while
// on hold. The hold lives in a small mutable file beside the immutable object.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { chmod, mkdir, open, readdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { parseKey } from "../core/layout";
import type { ObjectInfo, ObjectStore, PutOptions, PutOutcome, StagedObject } from "../core/objectStore";
import { realFileIo, writeAll, type FileIo } from "./fileIo";
import { FolderSyncs } from "./groupSync";
import type { Keyring, WrappedKey } from "./keys";

const MAGIC = Buffer.from("JRNL1\n");
const TAG_BYTES = 16;
const CHUNK = 1024 * 1024;
const STAGING = ".staging";
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9._-]+)*$/;

export interface ObjectHeader extends WrappedKey {
  readonly iv: string;
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
  readonly retainUntil: string;
  readonly createdAt: string;
  /** The key the object was written for, when it was known then (sidecars, records); raw bytes are bound to their name by their hash. */
  readonly key?: string;
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

/** A staged file a crash left behind, whole (its content decrypts and matches its hash), as start-up recovery sees it. */
export interface StagedLeftover {
  readonly header: ObjectHeader;
  readonly path: string;
}

export class FileObjectStore implements ObjectStore {
  readonly root: string;
  /** Folders known to exist: one mkdir per day, not per object. */
  private readonly folders = new Set<string>();
  /** sha256 → key of every message and quarantined input, built on first use and kept current. */
  private located?: Promise<Map<string, string>>;
  /** Names made in the staging folder, and how many of them a folder sync covers. */
  private stagedNames = 0;
  private stagedNamesSynced = 0;
  /** Staged names being removed after their objects were committed. */
  private readonly dropping = new Set<Promise<void>>();

  constructor(
    dir: string,
    private readonly keyring: Keyring,
    private readonly now: () => Date = () => new Date(),
    private readonly io: FileIo = realFileIo,
    /** Shared with the audit trail, so that deliveries in flight share each folder's sync. */
    readonly syncs: FolderSyncs = new FolderSyncs(io),
  ) {
    this.root = join(dir, "objects");
  }

  async putIfAbsent(key: string, body: Buffer, options: PutOptions): Promise<PutOutcome> {
    return (await this.stage(body, { ...options, key })).commit(key);
  }

  /**
   * Writes the body, encrypted, under no name, and starts its sync at once: `durable` says when its
   * bytes are on disk. `commit` waits for that, then links it to its key.
   */
  async stage(body: Buffer, options: PutOptions): Promise<StagedObject> {
    const folder = await this.folder(join(this.root, STAGING));
    const { temp, durable } = await this.writeTemp(folder, body, options);
    let settled = false;
    return {
      durable,
      commit: async (key) => {
        if (settled) throw new Error(`staged object already ${key}`);
        settled = true;
        await durable;
        return this.link(temp, key);
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await durable.catch(() => undefined);
        await this.io.unlink(temp).catch(() => undefined);
      },
    };
  }

  /** Resolves once every name made in the staging folder before this call is on disk; at once when none was made since the last sync. */
  async syncStaging(): Promise<void> {
    const target = this.stagedNames;
    if (target === this.stagedNamesSynced) return;
    await this.syncs.sync(join(this.root, STAGING));
    this.stagedNamesSynced = Math.max(this.stagedNamesSynced, target);
  }

  /** Links a staged file to its key, create-only, syncs the name, then drops the staged name. */
  private async link(temp: string, key: string): Promise<PutOutcome> {
    const path = this.pathOf(key);
    const folder = await this.folder(dirname(path));
    let outcome: PutOutcome;
    try {
      // link() fails if the name exists: an atomic create-only write.
      await this.io.link(temp, path);
      outcome = "created";
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      outcome = "exists";
    }
    if (outcome === "created") {
      await this.syncs.sync(folder);
      this.remember(key);
    }
    // Only once the name is durable: a crash before this leaves the staged file, which recovery links.
    // Nobody waits for it: a staged name that outlives a crash is settled by recovery the same way.
    const dropped = this.io.unlink(temp).catch(() => undefined);
    this.dropping.add(dropped);
    void dropped.finally(() => this.dropping.delete(dropped));
    return outcome;
  }

  /** Resolves once the staged names of committed objects are gone (before the archive closes). */
  async quiesce(): Promise<void> {
    await Promise.all([...this.dropping]);
  }

  private async folder(path: string): Promise<string> {
    if (!this.folders.has(path)) {
      await mkdir(path, { recursive: true });
      this.folders.add(path);
    }
    return path;
  }

  /** Encrypts the body into a new read-only temp file in `folder`; `durable` is its sync, begun at once. */
  private async writeTemp(folder: string, body: Buffer, options: PutOptions): Promise<{ temp: string; durable: Promise<void> }> {
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
      ...(options.key ? { key: options.key } : {}),
    };
    const headerBytes = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(headerBytes.length);
    const temp = join(folder, `${randomBytes(8).toString("hex")}.tmp`);
    // Created read-only: the mode applies to later opens, this handle may still write.
    this.stagedNames++;
    const file = await this.io.open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o444);
    try {
      const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
      // The header (retain-until, hash, key) is authenticated too: editing it breaks the tag.
      cipher.setAAD(headerBytes);
      const start = Buffer.concat([MAGIC, length, headerBytes]);
      if (body.length <= CHUNK) {
        // A small object is one write.
        const sealed = cipher.update(body);
        cipher.final();
        await writeAll(this.io, file, Buffer.concat([start, sealed, cipher.getAuthTag()]), 0);
      } else {
        let position = 0;
        const put = async (bytes: Buffer) => {
          await writeAll(this.io, file, bytes, position);
          position += bytes.length;
        };
        await put(start);
        // In slices, so a large body is never copied whole.
        for (let offset = 0; offset < body.length; offset += CHUNK) await put(cipher.update(body.subarray(offset, offset + CHUNK)));
        cipher.final();
        await put(cipher.getAuthTag());
      }
    } catch (err) {
      await file.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    // Durable before the link makes it visible, and before the intake acknowledges it.
    const durable = this.io.datasync(file).finally(() => file.close());
    durable.catch(() => undefined); // awaited by whoever commits or audits it; only marked handled here
    return { temp, durable };
  }

  async get(key: string): Promise<Buffer | undefined> {
    const bytes = await this.read(key);
    if (!bytes) return undefined;
    const { header, plain } = await this.open(key, bytes);
    bindingProblem(key, header, (why) => {
      throw new ObjectTamperedError(key, why);
    });
    return plain;
  }

  /** Decrypts an object file's bytes and checks them against their header; `key` names it in errors. */
  private async open(key: string, bytes: Buffer): Promise<{ header: ObjectHeader; plain: Buffer }> {
    const { header, bodyStart } = parseHeader(key, bytes);
    if (bytes.length < bodyStart + TAG_BYTES) throw new ObjectTamperedError(key, "the file is shorter than its header says: it was cut");
    let dataKey: Buffer;
    try {
      dataKey = this.keyring.unwrap(header);
    } catch {
      const missing = !this.keyring.has(header.keyId);
      throw new ObjectTamperedError(key, missing ? `its data key is wrapped by master key ${header.keyId}, which this process does not have` : "its wrapped data key does not authenticate: the header was altered");
    }
    const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(header.iv, "base64"));
    decipher.setAAD(bytes.subarray(MAGIC.length + 4, bodyStart));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(bytes.subarray(bodyStart, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new ObjectTamperedError(key, "the encrypted content or its header was altered (the authentication tag does not match)");
    }
    if (createHash("sha256").update(plain).digest("hex") !== header.sha256) throw new ObjectTamperedError(key, "its content's SHA-256 differs from the one recorded in its header");
    return { header, plain };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const header = await this.header(key);
    if (!header) return undefined;
    return { key, size: header.size, retainUntil: new Date(header.retainUntil), legalHold: await this.onHold(key) };
  }

  /** The object's header, read without decrypting; undefined when there is no such key. */
  async header(key: string): Promise<ObjectHeader | undefined> {
    return readHeaderAt(key, this.pathOf(key));
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
          if (entry.name !== STAGING) await walk(path);
        } else if (!entry.name.startsWith(".") && !entry.name.endsWith(".hold")) out.push(relative(this.root, path).split(sep).join("/"));
      }
    };
    // Only the folders that can hold the prefix are walked.
    const top = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    await walk(top ? join(this.root, ...top.split("/")) : this.root);
    return out.filter((key) => key.startsWith(prefix)).sort();
  }

  /** The key of the message or quarantined input with this SHA-256, whichever intake took it. */
  async locate(sha256: string): Promise<string | undefined> {
    this.located ??= (async () => {
      const index = new Map<string, string>();
      for (const key of [...(await this.keys("messages/")), ...(await this.keys("quarantine/"))]) this.rememberIn(index, key);
      return index;
    })();
    return (await this.located).get(sha256);
  }

  private remember(key: string): void {
    void this.located?.then((index) => this.rememberIn(index, key));
  }

  private rememberIn(index: Map<string, string>, key: string): void {
    const parsed = parseKey(key);
    if (parsed?.ext === "eml" && parsed.area !== "meta") index.set(parsed.sha256, key);
  }

  /** The staged files a crash left, oldest write first. A file that is not whole (a torn write) is removed. */
  async stagedLeftovers(): Promise<StagedLeftover[]> {
    const folder = join(this.root, STAGING);
    const names = await readdir(folder).catch(() => [] as string[]);
    const out: StagedLeftover[] = [];
    for (const name of names) {
      const path = join(folder, name);
      const bytes = await readFile(path).catch(() => undefined);
      const header = bytes ? await this.open(name, bytes).then((opened) => opened.header, () => undefined) : undefined;
      if (header) out.push({ header, path });
      else await rm(path, { force: true });
    }
    return out.sort((a, b) => a.header.createdAt.localeCompare(b.header.createdAt));
  }

  /** Recovery: gives a staged leftover the key its audit line recorded, or removes it. */
  async settleLeftover(path: string, key: string | undefined): Promise<PutOutcome | "removed"> {
    if (!key) {
      await this.io.unlink(path);
      return "removed";
    }
    return this.link(path, key);
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

/**
 * Whether an object's authenticated header belongs under `key`: a header naming another key, or
 * raw bytes whose hash is not the one in their name, were copied or moved there.
 */
export function bindingProblem(key: string, header: ObjectHeader, fail: (why: string) => void): void {
  if (header.key !== undefined && header.key !== key) return fail(`it was written as ${header.key}: a file was copied or moved over this name`);
  const parsed = parseKey(key);
  if (parsed?.ext === "eml" && header.sha256 !== parsed.sha256) fail(`its content hash ${header.sha256} is not the one its name gives (${parsed.sha256}): a file was copied or moved over this name`);
}

async function readHeaderAt(key: string, path: string): Promise<ObjectHeader | undefined> {
  const file = await open(path, "r").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (!file) return undefined;
  try {
    const start = Buffer.alloc(MAGIC.length + 4);
    const { bytesRead } = await file.read(start, 0, start.length, 0);
    const length = bytesRead === start.length ? start.readUInt32BE(MAGIC.length) : 0;
    if (!start.subarray(0, MAGIC.length).equals(MAGIC) || length === 0 || length > 64 * 1024) throw new ObjectTamperedError(key, "it does not begin with an archive object header");
    const headerBytes = Buffer.alloc(length);
    await file.read(headerBytes, 0, length, start.length);
    return parseHeader(key, Buffer.concat([start, headerBytes])).header;
  } finally {
    await file.close();
  }
}

function parseHeader(key: string, bytes: Buffer): { header: ObjectHeader; bodyStart: number } {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new ObjectTamperedError(key, "it does not begin with an archive object header");
  const length = bytes.readUInt32BE(MAGIC.length);
  const start = MAGIC.length + 4;
  try {
    return { header: JSON.parse(bytes.subarray(start, start + length).toString("utf8")) as ObjectHeader, bodyStart: start + length };
  } catch {
    throw new ObjectTamperedError(key, "its header is not readable");
  }
}
