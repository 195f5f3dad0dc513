// Group commit for folder syncs: deliveries in flight that need the same folder synced share one
// fsync. A request is answered by a sync that starts after it was made, so whatever the caller did in
// the folder before asking is covered; a request made while a sync runs waits for the next one, which
// every request arriving meanwhile shares. One delivery alone waits for nobody: its sync starts at once.
import type { FileIo } from "./fileIo";

export class FolderSyncs {
  private readonly folders = new Map<string, { running?: Promise<void>; next?: Promise<void> }>();
  /** Syncs made, for the benchmark's count of syncs per message. */
  count = 0;

  constructor(private readonly io: FileIo) {}

  /** Resolves once `folder` has been synced by an fsync that started after this call. */
  sync(folder: string): Promise<void> {
    let state = this.folders.get(folder);
    if (!state) this.folders.set(folder, (state = {}));
    if (state.next) return state.next;
    const s = state;
    const next = (s.running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        s.running = next;
        s.next = undefined;
        this.count++;
        return this.io.syncFolder(folder);
      })
      .finally(() => {
        if (s.running === next) s.running = undefined;
      });
    s.next = next;
    return next;
  }
}
