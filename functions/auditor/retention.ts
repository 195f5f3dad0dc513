// What the archive keeps and until when: counts and bytes by retain-until year and storage tier, what
// is under legal hold, and what is older than the stack's maximum retention (lifecycle deletes it once
// its retention has ended and no hold keeps it).
import type { AuditorStore } from "./store";

export interface RetentionBucket {
  readonly year: string;
  readonly tier: string;
  readonly count: number;
  readonly bytes: number;
}

export interface RetentionReport {
  readonly archive: string;
  readonly objects: number;
  readonly bytes: number;
  readonly byYearAndTier: readonly RetentionBucket[];
  readonly onHold: { readonly count: number; readonly bytes: number };
  /** Given `maximumDays`: objects older than it, by whether lifecycle may delete them now. */
  readonly pastMaximum?: {
    readonly maximumDays: number;
    /** Retention over and no hold: lifecycle deletion is due. */
    readonly awaitingDeletion: { readonly count: number; readonly bytes: number; readonly oldest?: string };
    /** Kept past the maximum by a legal hold or a retention still running. */
    readonly kept: { readonly count: number; readonly bytes: number };
  };
}

const DAY_MS = 86_400_000;

export async function retentionReport(store: AuditorStore, options: { readonly maximumDays?: number; readonly now?: Date; readonly onProgress?: (done: number) => void } = {}): Promise<RetentionReport> {
  const now = (options.now ?? new Date()).getTime();
  const buckets = new Map<string, { year: string; tier: string; count: number; bytes: number }>();
  const onHold = { count: 0, bytes: 0 };
  const awaiting = { count: 0, bytes: 0, oldest: undefined as string | undefined };
  const kept = { count: 0, bytes: 0 };
  let objects = 0;
  let bytes = 0;
  for (const prefix of ["messages/", "meta/", "quarantine/"]) {
    for await (const { key } of store.list(prefix)) {
      const state = await store.state(key);
      if (!state) continue;
      objects++;
      bytes += state.size;
      options.onProgress?.(objects);
      const year = state.retainUntil ? String(state.retainUntil.getUTCFullYear()) : "none";
      const tier = state.tier ?? "-";
      const bucket = buckets.get(`${year}\0${tier}`) ?? { year, tier, count: 0, bytes: 0 };
      bucket.count++;
      bucket.bytes += state.size;
      buckets.set(`${year}\0${tier}`, bucket);
      if (state.legalHold) (onHold.count++, (onHold.bytes += state.size));
      if (options.maximumDays !== undefined && state.lastModified && now - state.lastModified.getTime() > options.maximumDays * DAY_MS) {
        const retained = state.retainUntil !== undefined && state.retainUntil.getTime() > now;
        if (state.legalHold || retained) (kept.count++, (kept.bytes += state.size));
        else {
          awaiting.count++;
          awaiting.bytes += state.size;
          const at = state.lastModified.toISOString();
          if (!awaiting.oldest || at < awaiting.oldest) awaiting.oldest = at;
        }
      }
    }
  }
  return {
    archive: store.location,
    objects,
    bytes,
    byYearAndTier: [...buckets.values()].sort((a, b) => a.year.localeCompare(b.year) || a.tier.localeCompare(b.tier)),
    onHold,
    ...(options.maximumDays !== undefined
      ? { pastMaximum: { maximumDays: options.maximumDays, awaitingDeletion: { count: awaiting.count, bytes: awaiting.bytes, ...(awaiting.oldest ? { oldest: awaiting.oldest } : {}) }, kept } }
      : {}),
  };
}
