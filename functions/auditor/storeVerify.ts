// `verify` over any store: what the store itself says, checked against the archive's layout. Each
// message's bytes hash to its name and to the checksum the store kept; each message has its sidecar
// and each sidecar its message (and each quarantined input its record); each object is under the
// retention (and hold) the store reports; and, given the DR copy, what the primary has that the
// standby lacks. The local archive's own `verify` (functions/local/verify.ts) proves more (its trail);
// this is what can be proved of any store through the auditor's port.
import { createHash } from "node:crypto";
import { parseKey } from "../core/layout";
import type { Sidecar } from "./query";
import type { AuditorStore, RecordState } from "./store";

export interface StoreProblem {
  readonly key: string;
  readonly reason: string;
}

export interface StoreVerdict {
  readonly ok: boolean;
  readonly archive: string;
  /** Objects listed, by area. */
  readonly listed: { readonly messages: number; readonly sidecars: number; readonly quarantine: number };
  /** Objects whose bytes and state were read (all of them, or the sample). */
  readonly checked: number;
  readonly sampled: boolean;
  /** How the checked objects are kept, as the store reports it (`expired`: retention over, awaiting lifecycle deletion). */
  readonly worm: { readonly retained: number; readonly expired: number; readonly withoutRetention: number; readonly onHold: number; readonly modes: Record<string, number> };
  readonly problems: readonly StoreProblem[];
  readonly peer?: { readonly archive: string; readonly listed: number; readonly missing: readonly string[] };
}

export interface StoreVerifyOptions {
  /** Check the bytes and state of this many messages (and quarantined inputs), chosen at random; pairing is checked for all. */
  readonly sample?: number;
  /** The DR copy: every object of the primary must be there too. */
  readonly peer?: AuditorStore;
  readonly onProgress?: (done: number, total: number) => void;
  /** For tests: the random choice of the sample. */
  readonly random?: () => number;
}

const AREAS = ["messages/", "meta/", "quarantine/"] as const;

async function keysOf(store: AuditorStore): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const prefix of AREAS) for await (const { key, size } of store.list(prefix)) out.set(key, size);
  return out;
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as GCS reports it: big-endian, base64. */
export function crc32c(bytes: Buffer): Buffer {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out;
}

/** Whether the store's checksum is the bytes' one; it may be given in hex or base64. */
export function checksumProblem(bytes: Buffer, checksum: RecordState["checksum"]): string | undefined {
  if (!checksum) return undefined;
  const digest = checksum.algorithm === "crc32c" ? crc32c(bytes) : createHash(checksum.algorithm).update(bytes).digest();
  const given = checksum.value.trim();
  if (given.toLowerCase() === digest.toString("hex") || given === digest.toString("base64")) return undefined;
  return `the store's ${checksum.algorithm} checksum ${given} is not the bytes' (${digest.toString("base64")}): the object changed after it was stored, or the store's record of it did`;
}

function sample<T>(items: readonly T[], n: number, random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

export async function verifyStore(store: AuditorStore, options: StoreVerifyOptions = {}): Promise<StoreVerdict> {
  const problems: StoreProblem[] = [];
  const listed = await keysOf(store);
  const keys = [...listed.keys()];
  const sidecarOf = (key: string) => (key.startsWith("messages/") ? key.replace(/^messages\//, "meta/") : key).replace(/\.eml$/, ".json");
  const messageOf = (key: string) => (key.startsWith("meta/") ? key.replace(/^meta\//, "messages/") : key).replace(/\.json$/, ".eml");

  // Pairing, both ways, for every object: listing is cheap next to reading.
  for (const key of keys) {
    const parsed = parseKey(key);
    if (!parsed) {
      problems.push({ key, reason: "not a name the archive writes" });
      continue;
    }
    if (parsed.ext === "eml" && !listed.has(sidecarOf(key))) problems.push({ key, reason: `its ${parsed.area === "messages" ? "sidecar" : "quarantine record"} ${sidecarOf(key)} is missing` });
    if (parsed.ext === "json" && !listed.has(messageOf(key))) problems.push({ key, reason: `the ${parsed.area === "meta" ? "message" : "quarantined input"} it describes, ${messageOf(key)}, is missing` });
  }

  const raw = keys.filter((key) => parseKey(key)?.ext === "eml");
  const chosen = options.sample !== undefined && options.sample < raw.length ? sample(raw, options.sample, options.random ?? Math.random) : raw;
  const worm = { retained: 0, expired: 0, withoutRetention: 0, onHold: 0, modes: {} as Record<string, number> };
  const now = Date.now();
  let checked = 0;
  const look = async (key: string): Promise<RecordState | undefined> => {
    const state = await store.state(key);
    if (!state) {
      problems.push({ key, reason: "listed, but the store has no state for it: it was deleted meanwhile" });
      return undefined;
    }
    checked++;
    if (!state.retainUntil) {
      worm.withoutRetention++;
      problems.push({ key, reason: "the store reports no retention on it: it can be deleted" });
    } else if (state.retainUntil.getTime() > now) worm.retained++;
    else worm.expired++;
    if (state.legalHold) worm.onHold++;
    const mode = state.retentionMode ?? "not reported";
    worm.modes[mode] = (worm.modes[mode] ?? 0) + 1;
    return state;
  };
  for (let i = 0; i < chosen.length; i++) {
    const key = chosen[i];
    const parsed = parseKey(key)!;
    const state = await look(key);
    const bytes = await store.get(key).catch((err: unknown) => {
      problems.push({ key, reason: err instanceof Error ? err.message : String(err) });
      return undefined;
    });
    if (state && bytes) {
      const hash = createHash("sha256").update(bytes).digest("hex");
      if (hash !== parsed.sha256) problems.push({ key, reason: `its bytes hash to ${hash}, not to its name: it was altered or put under another name` });
      const bad = checksumProblem(bytes, state.checksum);
      if (bad) problems.push({ key, reason: bad });
      if (state.size !== bytes.length) problems.push({ key, reason: `the store says ${state.size} bytes, ${bytes.length} were read` });
    }
    const sidecarKey = sidecarOf(key);
    if (listed.has(sidecarKey)) {
      const sidecarState = await look(sidecarKey);
      const sidecarBytes = await store.get(sidecarKey).catch(() => undefined);
      let sidecar: Sidecar | undefined;
      try {
        sidecar = sidecarBytes ? (JSON.parse(sidecarBytes.toString("utf8")) as Sidecar) : undefined;
      } catch {
        sidecar = undefined;
      }
      if (!sidecar) problems.push({ key: sidecarKey, reason: "not readable as the JSON the archive writes" });
      else {
        if (sidecar.sha256 !== parsed.sha256 || sidecar.key !== key) problems.push({ key: sidecarKey, reason: `it describes ${String(sidecar.key)}, not ${key}: a record was copied over another` });
        // The store must keep the record at least as long as the archive promised when it wrote it.
        for (const [k, s] of [[key, state], [sidecarKey, sidecarState]] as const) {
          if (s?.retainUntil && s.retainUntil.getTime() + 1000 < Date.parse(sidecar.retainUntil)) {
            problems.push({ key: k, reason: `the store retains it until ${s.retainUntil.toISOString()}, before the ${sidecar.retainUntil} its record promises` });
          }
        }
      }
    }
    options.onProgress?.(i + 1, chosen.length);
  }

  let peer: StoreVerdict["peer"];
  if (options.peer) {
    const theirs = await keysOf(options.peer);
    const missing = keys.filter((key) => !theirs.has(key));
    for (const key of missing.slice(0, 1000)) problems.push({ key, reason: `the DR copy ${options.peer.location} does not have it` });
    peer = { archive: options.peer.location, listed: theirs.size, missing };
  }

  return {
    ok: problems.length === 0,
    archive: store.location,
    listed: {
      messages: keys.filter((k) => k.startsWith("messages/")).length,
      sidecars: keys.filter((k) => k.startsWith("meta/")).length,
      quarantine: keys.filter((k) => k.startsWith("quarantine/")).length,
    },
    checked,
    sampled: chosen.length < raw.length,
    worm,
    problems,
    ...(peer ? { peer } : {}),
  };
}
