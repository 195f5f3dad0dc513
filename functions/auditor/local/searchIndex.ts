// The local archive's search index: an embedded SQLite database in `<archive>/index/`, a *blind*
// index. Everything that names a person or says what mail was about (addresses, domains, subject
// and reason words, Message-IDs, correlation ids, attachment names and hashes) is stored only as a
// keyed hash, HMAC-SHA-256 under a key derived from the archive's master key: exact-match search
// works, and the file holds none of the plaintext the archive encrypts. Dates, sizes, flags, the
// intake and the record's own SHA-256 (already every object's file name) are stored plain.
//
//   records(id, area, sha256, day, at, size, source, flags, cut)   one row per message or quarantined input
//   terms(term, at, record)   one row per distinct searchable value of a record; primary key (term, at, record)
//
// `terms` is keyed by (term, at): a sender within a date range is one contiguous range of that key,
// already in date order, however large the archive. A record with a cut sidecar (`cut` = 1) is found
// by a partial index for possible hits. WAL mode lets searches read while the writer adds.
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Keyring } from "../../local/keys";
import {
  attachmentsOf,
  DETECTORS,
  domainsOf,
  flagsOf,
  isCut,
  isQuarantine,
  messageIdsOf,
  normalizeName,
  recipientsOf,
  sendersOf,
  SOURCES,
  when,
  words,
  type Query,
  type Sidecar,
} from "../query";

export const INDEX_FOLDER = "index";
const FILE = "search.sqlite";
/** Bump when what is indexed or how changes: an index of another version is rebuilt. */
const SCHEMA = "1";
const DAY_MS = 86_400_000;

/** Where the index has read the audit trail to: the next line starts at `offset` and follows `mac`. */
export interface TrailPosition {
  readonly seq: number;
  readonly mac: string;
  readonly offset: number;
}

/** A record the index found, before its sidecar is read. */
export interface IndexedRecord {
  readonly area: "messages" | "quarantine";
  readonly sha256: string;
  readonly at: number;
  /** The raw bytes' key; the sidecar's is `sidecarKeyOf(key)`. */
  readonly key: string;
}

export interface IndexAnswer {
  /** The first records (up to the limit) whose terms and plain columns answer the query, by date then sha256. */
  readonly records: readonly IndexedRecord[];
  /** How many records answer it in all. */
  readonly total: number;
  /** Records with a cut sidecar in the query's date range and plain constraints: the possible hits are among them. */
  readonly cut: readonly IndexedRecord[];
}

type Field = "from" | "to" | "domain" | "word" | "message-id" | "correlation" | "attachment" | "attachment-hash";

export const sidecarKeyOf = (key: string) => key.replace(/^messages\//, "meta/").replace(/\.eml$/, ".json");

const flagBits = (flags: readonly string[]) => flags.reduce((bits, flag) => bits | (1 << DETECTORS.indexOf(flag as never)), 0);

function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, "/");
}

/** The searchable values of a sidecar, as (field, value) pairs: the same the matcher reads. */
export function searchableValues(sidecar: Sidecar): Array<[Field, string]> {
  const out: Array<[Field, string]> = [];
  const senders = sendersOf(sidecar);
  const recipients = recipientsOf(sidecar);
  for (const address of [...senders.headers, ...senders.envelope]) out.push(["from", address]);
  for (const address of [...recipients.headers, ...recipients.envelope]) out.push(["to", address]);
  for (const address of [...senders.headers, ...senders.envelope, ...recipients.headers, ...recipients.envelope]) for (const domain of domainsOf(address)) out.push(["domain", domain]);
  for (const word of words(isQuarantine(sidecar) ? sidecar.reason : (sidecar.subject ?? ""))) out.push(["word", word]);
  for (const id of messageIdsOf(sidecar)) out.push(["message-id", id]);
  if (!isQuarantine(sidecar)) out.push(["correlation", sidecar.correlationId]);
  for (const attachment of attachmentsOf(sidecar)) {
    if (attachment.filename !== undefined) out.push(["attachment", normalizeName(attachment.filename)]);
    out.push(["attachment-hash", attachment.sha256]);
  }
  return out;
}

/** The terms a query needs, each one value of one field; every one must be present. */
export function queryValues(query: Query): Array<[Field, string]> {
  const out: Array<[Field, string]> = [];
  if (query.from !== undefined) out.push(["from", query.from]);
  if (query.to !== undefined) out.push(["to", query.to]);
  if (query.domain !== undefined) out.push(["domain", query.domain]);
  for (const word of query.words ?? []) out.push(["word", word]);
  if (query.messageId !== undefined) out.push(["message-id", query.messageId]);
  if (query.correlationId !== undefined) out.push(["correlation", query.correlationId]);
  if (query.attachmentName !== undefined) out.push(["attachment", query.attachmentName]);
  if (query.attachmentHash !== undefined) out.push(["attachment-hash", query.attachmentHash]);
  return out;
}

/** How many values each generation of recently hashed ones holds (a few MB each). */
const RECENT_TERMS = 50_000;
/** Term rows per statement in a bulk load. */
const BULK_ROWS = 200;

export class SearchIndex {
  private readonly insertRecord: Database.Statement;
  private readonly insertTerm: Database.Statement;
  /** The key imported once: HMAC under a KeyObject skips re-importing raw bytes for every term. */
  private readonly key: KeyObject;

  private constructor(
    private readonly db: Database.Database,
    key: Buffer,
    readonly keyId: string,
  ) {
    this.key = createSecretKey(key);
    this.insertRecord = db.prepare("INSERT OR IGNORE INTO records(area, sha256, day, at, size, source, flags, cut) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    this.insertTerm = db.prepare("INSERT OR IGNORE INTO terms(term, at, record) VALUES (?, ?, ?)");
  }

  static path(dir: string): string {
    return join(dir, INDEX_FOLDER, FILE);
  }

  /**
   * Opens (or creates) the archive's index. An index made under a master key this process does not
   * have, or by another schema, is emptied: it is rebuilt from the archive, never trusted.
   */
  static open(dir: string, keyring: Keyring): SearchIndex {
    mkdirSync(join(dir, INDEX_FOLDER), { recursive: true, mode: 0o700 });
    const db = new Database(SearchIndex.path(dir));
    db.pragma("journal_mode = WAL");
    // A crash loses at most the last transactions, which the trail replays: no sync per commit needed.
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 10000");
    // 64 MiB of page cache: the terms tree of a large archive is written and read in many places at once.
    db.pragma("cache_size = -65536");
    db.exec("CREATE TABLE IF NOT EXISTS settings(name TEXT PRIMARY KEY, value TEXT NOT NULL)");
    const setting = (name: string) => (db.prepare("SELECT value FROM settings WHERE name = ?").get(name) as { value: string } | undefined)?.value;
    const keyId = setting("keyId");
    const usable = setting("schema") === SCHEMA && keyId !== undefined && keyring.has(keyId);
    const chosen = usable ? keyId! : keyring.currentKeyId;
    if (!usable) {
      db.exec("DROP TABLE IF EXISTS terms; DROP TABLE IF EXISTS records; DROP TABLE IF EXISTS pending; DELETE FROM settings;");
      db.prepare("INSERT INTO settings(name, value) VALUES ('schema', ?), ('keyId', ?)").run(SCHEMA, chosen);
    }
    db.exec(`
      CREATE TABLE IF NOT EXISTS records(
        id INTEGER PRIMARY KEY,
        area INTEGER NOT NULL,
        sha256 BLOB NOT NULL,
        day INTEGER NOT NULL,
        at INTEGER NOT NULL,
        size INTEGER NOT NULL,
        source INTEGER NOT NULL,
        flags INTEGER NOT NULL,
        cut INTEGER NOT NULL,
        UNIQUE(area, sha256)
      );
      CREATE INDEX IF NOT EXISTS records_by_date ON records(area, at);
      CREATE INDEX IF NOT EXISTS records_cut ON records(area, at) WHERE cut = 1;
      CREATE INDEX IF NOT EXISTS records_flagged ON records(area, at) WHERE flags != 0;
      CREATE TABLE IF NOT EXISTS terms(term INTEGER NOT NULL, at INTEGER NOT NULL, record INTEGER NOT NULL, PRIMARY KEY(term, at, record)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS pending(key TEXT PRIMARY KEY, problem TEXT);
    `);
    return new SearchIndex(db, keyring.indexKey(chosen), chosen);
  }

  close(): void {
    this.db.close();
  }

  /** The keyed hash of one searchable value: 48 bits, an exact SQLite integer. A rare collision only adds a candidate the sidecar then refutes. */
  term(area: "messages" | "quarantine", field: Field, value: string): number {
    return this.termOf(area, `${field}\0${value}`);
  }

  private termOf(area: "messages" | "quarantine", fieldAndValue: string): number {
    const input = `${area}\0${fieldAndValue}`;
    const recent = this.recentTerms.get(input);
    if (recent !== undefined) return recent;
    // Senders, domains and words recur from message to message: a value used lately is not hashed
    // again. Two generations approximate "lately": when the recent one is full it becomes the older.
    const term = this.olderTerms.get(input) ?? createHmac("sha256", this.key).update(input).digest().readUIntBE(0, 6);
    if (this.recentTerms.size >= RECENT_TERMS) {
      this.olderTerms = this.recentTerms;
      this.recentTerms = new Map();
    }
    this.recentTerms.set(input, term);
    return term;
  }

  private recentTerms = new Map<string, number>();
  private olderTerms = new Map<string, number>();

  /** Adds sidecars (idempotent: a record already indexed is left as it is). Returns how many were new. */
  add(sidecars: readonly Sidecar[]): number {
    let added = 0;
    this.db.transaction(() => {
      added = this.addAll(sidecars);
    })();
    return added;
  }

  /**
   * A rebuild adds many records at once: their term rows are gathered unordered in a temporary table
   * and merged into the terms tree once, in key order (`endBulk`), rather than inserted all over a
   * growing tree batch after batch. Searches see the records only once the merge is done.
   */
  beginBulk(): void {
    this.db.exec("CREATE TEMP TABLE IF NOT EXISTS terms_load(term INTEGER NOT NULL, at INTEGER NOT NULL, record INTEGER NOT NULL); DELETE FROM terms_load;");
    // Rows go in BULK_ROWS at a time: one call into SQLite per statement, not per row.
    const insert = (rows: number) => this.db.prepare(`INSERT INTO terms_load(term, at, record) VALUES ${Array(rows).fill("(?, ?, ?)").join(", ")}`);
    this.bulk = { many: insert(BULK_ROWS), one: insert(1) };
  }

  endBulk(): void {
    this.db.transaction(() => {
      this.db.exec("INSERT OR IGNORE INTO terms(term, at, record) SELECT term, at, record FROM terms_load ORDER BY term, at, record; DELETE FROM terms_load;");
    })();
    this.bulk = undefined;
  }

  private bulk?: { readonly many: Database.Statement; readonly one: Database.Statement };

  /** Inside a transaction: the records, then their terms in term order (neighbouring inserts in the terms tree). */
  private addAll(sidecars: readonly Sidecar[]): number {
    // A bulk load sends term rows to its unordered table in statements of BULK_ROWS; otherwise they are sorted first.
    const rows: Array<[number, number, number]> = [];
    const bulk = this.bulk;
    const pending: number[] = [];
    let added = 0;
    for (const sidecar of sidecars) {
      const area = isQuarantine(sidecar) ? "quarantine" : "messages";
      const m = /^(?:messages|quarantine)\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(sidecar.key);
      if (!m) continue;
      const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
      const at = when(sidecar).getTime();
      const result = this.insertRecord.run(area === "quarantine" ? 1 : 0, Buffer.from(sidecar.sha256, "hex"), day, at, sidecar.size, SOURCES.indexOf(sidecar.source), flagBits(flagsOf(sidecar)), isCut(sidecar) ? 1 : 0);
      if (result.changes === 0) continue;
      added++;
      const record = Number(result.lastInsertRowid);
      // Each distinct value hashed once (a domain is often both sender's and recipient's).
      const values = new Set(searchableValues(sidecar).map(([field, value]) => `${field}\0${value}`));
      const seen = new Set<number>();
      for (const value of values) {
        const term = this.termOf(area, value);
        if (seen.has(term)) continue;
        seen.add(term);
        if (!bulk) rows.push([term, at, record]);
        else if (pending.push(term, at, record) === BULK_ROWS * 3) bulk.many.run(pending.splice(0));
      }
    }
    if (bulk) {
      for (let i = 0; i < pending.length; i += 3) bulk.one.run(pending[i], pending[i + 1], pending[i + 2]);
      return added;
    }
    rows.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    for (const [term, at, record] of rows) this.insertTerm.run(term, at, record);
    return added;
  }

  get count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM records").get() as { n: number }).n;
  }

  position(): TrailPosition | undefined {
    const row = this.db.prepare("SELECT value FROM settings WHERE name = 'trail'").get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as TrailPosition) : undefined;
  }

  /**
   * Adds a batch read from the trail and moves the position, in one transaction, only if the
   * position is still `from` (another process may have caught up meanwhile: then nothing is done).
   */
  advance(from: TrailPosition | undefined, to: TrailPosition, sidecars: readonly Sidecar[], pending: { add: ReadonlyArray<[string, string]>; settled: readonly string[] }): boolean {
    return this.db.transaction(() => {
      const now = this.position();
      if (JSON.stringify(now) !== JSON.stringify(from)) return false;
      this.addAll(sidecars);
      const put = this.db.prepare("INSERT OR REPLACE INTO pending(key, problem) VALUES (?, ?)");
      for (const [key, problem] of pending.add) put.run(key, problem);
      const drop = this.db.prepare("DELETE FROM pending WHERE key = ?");
      for (const key of pending.settled) drop.run(key);
      this.db.prepare("INSERT OR REPLACE INTO settings(name, value) VALUES ('trail', ?)").run(JSON.stringify(to));
      return true;
    }).immediate();
  }

  /** Audited records whose sidecar could not be read when the trail was (not yet linked, or damaged). */
  pending(): Array<{ key: string; problem: string }> {
    return this.db.prepare("SELECT key, problem FROM pending ORDER BY key").all() as Array<{ key: string; problem: string }>;
  }

  /** Empties the index (kept under the same key): `journal reindex` then fills it again. */
  clear(): void {
    this.db.exec("DELETE FROM terms; DELETE FROM records; DELETE FROM pending; DELETE FROM settings WHERE name = 'trail';");
  }

  /** Records whose terms and plain columns answer the query: how many, and the first `limit` by date then sha256. */
  find(query: Query, limit = Number.MAX_SAFE_INTEGER): IndexAnswer {
    const area = query.area;
    const areaCode = area === "quarantine" ? 1 : 0;
    const since = query.since?.getTime() ?? Number.MIN_SAFE_INTEGER;
    const until = query.until?.getTime() ?? Number.MAX_SAFE_INTEGER;
    const plain: string[] = [];
    const plainArgs: Array<number> = [];
    if (query.minSize !== undefined) (plain.push("r.size >= ?"), plainArgs.push(query.minSize));
    if (query.maxSize !== undefined) (plain.push("r.size <= ?"), plainArgs.push(query.maxSize));
    if (query.source !== undefined) (plain.push("r.source = ?"), plainArgs.push(SOURCES.indexOf(query.source)));
    // A flag is a content constraint: a sidecar with cut flags can still be a possible hit.
    // `r.flags != 0` first, so that a search by flag alone reads only flagged records (records_flagged).
    const flagClause = query.flag === undefined ? undefined : query.flag === "any" ? "r.flags != 0" : `r.flags != 0 AND (r.flags & ${1 << DETECTORS.indexOf(query.flag)}) != 0`;
    const where = [...plain, ...(flagClause ? [flagClause] : [])].map((w) => `AND ${w}`).join(" ");

    const terms = [...new Set(queryValues(query).map(([field, value]) => this.term(area, field, value)))];
    let body: string;
    let args: number[];
    let order: string;
    if (terms.length === 0) {
      body = `FROM records r WHERE r.area = ? AND r.at >= ? AND r.at < ? ${where}`;
      args = [areaCode, since, until, ...plainArgs];
      order = "r.at, r.sha256";
    } else {
      // Drive by the rarest term in the range: the others are checked by their (term, at, record) key.
      const probe = this.db.prepare("SELECT count(*) AS n FROM (SELECT 1 FROM terms WHERE term = ? AND at >= ? AND at < ? LIMIT 5000)");
      const ordered = terms.map((term) => ({ term, n: (probe.get(term, since, until) as { n: number }).n })).sort((a, b) => a.n - b.n).map((t) => t.term);
      const [first, ...rest] = ordered;
      const exists = rest.map(() => "AND EXISTS (SELECT 1 FROM terms o WHERE o.term = ? AND o.at = t.at AND o.record = t.record)").join(" ");
      body = `FROM terms t JOIN records r ON r.id = t.record WHERE t.term = ? AND t.at >= ? AND t.at < ? ${exists} ${where}`;
      args = [first, since, until, ...rest, ...plainArgs];
      order = "t.at, r.sha256";
    }
    type Row = { area: number; sha256: Buffer; day: number; at: number };
    const total = (this.db.prepare(`SELECT count(*) AS n ${body}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT r.area, r.sha256, r.day, r.at ${body} ORDER BY ${order} LIMIT ?`).all(...args, Math.min(limit, total)) as Row[];
    // Possible hits can only come from records whose sidecar was cut; the reference matcher sorts them out.
    const cutRows =
      area === "messages" && (terms.length > 0 || flagClause)
        ? (this.db.prepare(`SELECT r.area, r.sha256, r.day, r.at FROM records r WHERE r.area = 0 AND r.cut = 1 AND r.at >= ? AND r.at < ? ${plain.map((w) => `AND ${w}`).join(" ")} ORDER BY r.at, r.sha256`).all(since, until, ...plainArgs) as Row[])
        : [];
    const toRecord = (row: Row): IndexedRecord => {
      const sha256 = row.sha256.toString("hex");
      const kind = row.area === 1 ? "quarantine" : "messages";
      return { area: kind, sha256, at: row.at, key: `${kind}/${dayKey(row.day)}/${sha256}.eml` };
    };
    return { records: rows.map(toRecord), total, cut: cutRows.map(toRecord) };
  }

  /** Every record the index holds with this sha256 (hold and export by id use it to find the key). */
  locate(sha256: string): IndexedRecord[] {
    const rows = this.db.prepare("SELECT area, sha256, day, at FROM records WHERE area IN (0, 1) AND sha256 = ?").all(Buffer.from(sha256, "hex")) as Array<{ area: number; sha256: Buffer; day: number; at: number }>;
    return rows.map((row) => {
      const kind = row.area === 1 ? "quarantine" : "messages";
      return { area: kind, sha256, at: row.at, key: `${kind}/${dayKey(row.day)}/${sha256}.eml` };
    });
  }
}
