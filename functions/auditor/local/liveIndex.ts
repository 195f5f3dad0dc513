// The running server keeps the search index current: once a delivery's pipeline result is known
// (its records and audit line are on disk), the index catches up from the trail. One catch-up at a
// time; deliveries during one are picked up by the next. An index failure never fails a delivery:
// the archive is the record, the index only finds it, and the next catch-up (or `journal reindex`)
// completes it.
import type { Logger } from "../../core/log";
import type { Pipeline } from "../../core/pipeline";
import type { ArchiveReader } from "../../local/archive";
import { catchUp } from "./indexer";
import { SearchIndex } from "./searchIndex";

export interface LiveIndex {
  /** The pipeline, each delivery followed by a catch-up of the index. */
  readonly pipeline: Pipeline;
  /** Resolves when no catch-up is running or due (tests, shutdown). */
  settled(): Promise<void>;
  /** Waits for a running catch-up and closes the index. */
  close(): Promise<void>;
}

export function indexAsArchived(pipeline: Pipeline, archive: ArchiveReader, logger: Logger): LiveIndex {
  let index: SearchIndex | undefined;
  try {
    index = SearchIndex.open(archive.dir, archive.keyring);
  } catch (err) {
    logger.log("warn", "search index unavailable; searches scan the sidecars until `journal reindex`", { error: err instanceof Error ? err.message : String(err) });
  }
  let running: Promise<void> | undefined;
  let again = false;
  const kick = (): void => {
    if (!index) return;
    if (running) {
      again = true;
      return;
    }
    running = catchUp(index, archive)
      .then(
        () => undefined,
        (err: unknown) => logger.log("warn", "search index catch-up failed; the next delivery retries it", { error: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  };
  kick();
  const settled = async () => {
    while (running) await running;
  };
  return {
    pipeline: {
      async ingest(input, context) {
        const result = await pipeline.ingest(input, context);
        kick();
        return result;
      },
    },
    settled,
    async close() {
      await settled();
      index?.close();
      index = undefined;
    },
  };
}
