// What every HTTP intake answers (local, Azure, GCP): the same body, so a relay works with any.
import type { IngestResult } from "./types";

export interface IngestAnswer {
  readonly sha256: string;
  readonly key: string;
  readonly status: IngestResult["status"];
  readonly reason?: string;
}

/** 200: where the message went. */
export function ingestAnswer(result: IngestResult): IngestAnswer {
  return { sha256: result.sha256, key: result.key, status: result.status, ...(result.reason ? { reason: result.reason } : {}) };
}

/** 503: the store or audit log failed, nothing was acknowledged, and the sender should retry. */
export const RETRY_LATER = "archive temporarily unavailable; nothing was stored, retry the request";
