import type { AuditEvent } from "./types";

/**
 * Where audit events go: a hash-chained file locally, the cloud's log service in a
 * function. `append` resolves only once the event is durable; a failure throws so
 * that the caller retries the delivery rather than lose the line.
 */
export interface AuditSink {
  /**
   * `together`: writes the line depends on (staged objects still syncing). A sink that can, makes the
   * line durable only with them, so that their syncs overlap its own; others may ignore it, as the
   * caller awaits them anyway before making anything visible.
   */
  append(event: AuditEvent, together?: Promise<void>): Promise<void>;
}

/** Audit sink for cloud functions: one JSON line on stdout, collected by the platform's log service. */
export class StdoutAuditSink implements AuditSink {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(line)) {}

  async append(event: AuditEvent): Promise<void> {
    this.write(JSON.stringify({ type: "audit", ...event }) + "\n");
  }
}
