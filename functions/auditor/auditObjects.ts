// The auditor's own trail in a cloud archive: one create-only JSON object per act under
// `audit/YYYY/MM/DD/<iso-time>-<sequence>-<random>.json`, WORM like every record beside it. Key
// order is time order, so listing `audit/` reads the trail oldest first; the sequence keeps the
// acts of one process in order within a millisecond, the random part keeps two processes apart.
import { randomBytes } from "node:crypto";
import { datePath } from "../core/layout";
import type { AuditorEvent } from "./store";

/** Where the trail lives in the archive. The ingestor never writes here; verify's record checks skip it. */
export const AUDIT_PREFIX = "audit/";

const AUDITOR_ACTIONS: ReadonlySet<string> = new Set<AuditorEvent["action"]>(["read", "exported", "hold-set", "hold-cleared", "searched", "verified"]);

let sequence = 0;

/** The object key an event is written under. Throws when the event's time is not a date. */
export function auditObjectKey(event: AuditorEvent, random: string = randomBytes(6).toString("hex")): string {
  const at = new Date(event.at);
  if (Number.isNaN(at.getTime())) throw new Error(`audit event time "${event.at}" is not an ISO 8601 date`);
  sequence = (sequence + 1) % 1_000_000;
  return `${AUDIT_PREFIX}${datePath(at)}/${at.toISOString()}-${String(sequence).padStart(6, "0")}-${random}.json`;
}

/** The object's bytes: the event as one JSON line. */
export function encodeAuditEvent(event: AuditorEvent): Buffer {
  return Buffer.from(JSON.stringify(event) + "\n", "utf8");
}

/** The event an audit object holds; an object that is not one is an error naming it (the trail is create-only, so it was written so). */
export function decodeAuditEvent(key: string, bytes: Buffer): AuditorEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new Error(`audit object ${key} is not JSON`);
  }
  const event = parsed as Partial<AuditorEvent> | null;
  if (!event || typeof event !== "object" || typeof event.action !== "string" || !AUDITOR_ACTIONS.has(event.action) || typeof event.at !== "string" || typeof event.actor !== "string") {
    throw new Error(`audit object ${key} is not an auditor event (it needs an action of ${[...AUDITOR_ACTIONS].join(", ")}, an at and an actor)`);
  }
  return event as AuditorEvent;
}

/** Whether a key is an audit object's (and so not a record): `audit/` and below. */
export const isAuditKey = (key: string) => key.startsWith(AUDIT_PREFIX);
