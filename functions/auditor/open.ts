// Which archive a command acts on, and how to search it. `--archive ./dir` (or nothing: JOURNAL_DIR)
// is the local archive: its own store adapter and its search index. `--archive s3://…`, an Azure
// container URL, `gs://…` or `--stack <name>` is a cloud archive, resolved by functions/auditor/target.ts
// (the cloud half of the auditor) to its store and the identity to act as; its search is the stack's
// own query engine when its outputs name one (Athena, BigQuery: engines/cloud.ts), else a scan.
import { readLocalSettings } from "../local/settings";
import { catchUp } from "./local/indexer";
import { indexEngine } from "./local/indexEngine";
import { LocalAuditorStore } from "./local/localStore";
import { SearchIndex } from "./local/searchIndex";
import type { SearchEngine } from "./query";
import { scanEngine } from "./scan";
import type { AuditorStore } from "./store";

/** Which identity a command needs: reading (auditor) or changing holds (hold admin). */
export type Role = "auditor" | "hold-admin";

export interface TargetRequest {
  /** `--archive` as given. */
  readonly archive?: string;
  /** `--stack` as given. */
  readonly stack?: string;
  readonly role: Role;
}

/** What functions/auditor/target.ts gives for a cloud archive: its store, and what the stack says. */
export interface CloudResolution {
  readonly store: AuditorStore;
  /** The stack's maximum retention in days (for `retention`), when known. */
  readonly maximumDays?: number;
  /** A query engine of the cloud's own (Athena, BigQuery, Synapse), when one is wired; else the scan. */
  readonly engine?: SearchEngine;
}

/** The seam functions/auditor/target.ts fills: `export const resolveAuditorTarget: CloudResolver`. */
export type CloudResolver = (request: TargetRequest, env: NodeJS.ProcessEnv) => Promise<CloudResolution>;

export interface AuditTarget {
  readonly store: AuditorStore;
  /** Set for the local archive: its folder (for the commands only it has: head, reindex, today's verify). */
  readonly local?: LocalAuditorStore;
  readonly maximumDays?: number;
  /** The engine a search uses: the local index (caught up first), else the cloud's, else the scan. */
  engine(onProgress?: (read: number) => void): Promise<SearchEngine>;
  /** The key of the message or quarantined input with this SHA-256. */
  locate(sha256: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Whether `--archive` names a cloud store rather than a folder. */
export const isCloudLocation = (archive: string) => /^(s3|gs):\/\//i.test(archive) || /^https:\/\//i.test(archive);

export async function openTarget(request: TargetRequest, env: NodeJS.ProcessEnv = process.env): Promise<AuditTarget> {
  if (request.stack !== undefined || (request.archive !== undefined && isCloudLocation(request.archive))) return openCloud(request, env);
  const settings = readLocalSettings(request.archive !== undefined ? { ...env, JOURNAL_DIR: request.archive } : env);
  const store = new LocalAuditorStore({ dir: settings.dir, ...(settings.masterKey ? { masterKey: settings.masterKey } : {}) });
  // The keys must be the archive's before anything is searched or written.
  await store.checkKeys();
  let index: SearchIndex | undefined;
  return {
    store,
    local: store,
    async engine() {
      index ??= SearchIndex.open(store.archive.dir, store.archive.keyring);
      await catchUp(index, store.archive);
      return indexEngine(index, (key) => store.get(key));
    },
    locate: (sha256) => store.archive.store.locate(sha256),
    async close() {
      index?.close();
      await store.close();
    },
  };
}

async function openCloud(request: TargetRequest, env: NodeJS.ProcessEnv): Promise<AuditTarget> {
  const resolution = await loadCloudResolver()(request, env);
  const { store } = resolution;
  return {
    store,
    ...(resolution.maximumDays !== undefined ? { maximumDays: resolution.maximumDays } : {}),
    engine: async (onProgress) => resolution.engine ?? scanEngine(store, onProgress ? { onProgress } : {}),
    async locate(sha256) {
      // Without an index the key is found by listing: the raw bytes' name ends with their hash.
      for (const prefix of ["messages/", "quarantine/"]) for await (const { key } of store.list(prefix)) if (key.endsWith(`/${sha256}.eml`)) return key;
      return undefined;
    },
    close: async () => store.close?.(),
  };
}

function loadCloudResolver(): CloudResolver {
  // Loaded only for a cloud archive, so that the local commands never load the cloud SDKs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const target = require("./target") as typeof import("./target");
  return target.resolveAuditorTarget;
}
