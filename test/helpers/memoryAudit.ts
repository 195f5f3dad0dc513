import type { AuditSink } from "../../functions/core/audit";
import type { AuditEvent } from "../../functions/core/types";

/** Records audit events; `failNext` makes the next append fail as a log service outage would. */
export class MemoryAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];
  failNext = false;

  async append(event: AuditEvent): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("injected audit sink outage");
    }
    this.events.push(event);
  }
}
