// What an auditor can ask of an archive, and what each question means. Every search engine (the
// scan below, the local index, the clouds' query engines) must give the answers `verdict` gives on
// the same sidecars: it is the reference, and the tests hold each engine to it.
//
// A sidecar can say less than its message: a field over a cap is cut (`truncated`), and a journal
// report that could not be unwrapped describes the report, not the mail inside (`journalProblem`).
// A constraint such a sidecar cannot decide is not a miss: the message is a *possible* hit, listed
// apart, for the auditor to read. An envelope an untrusted sender wrote (`envelope.verified` not
// true) still matches, and the hit says it matched only through that claim.
import type { AttachmentInfo, DetectorName, IntakeSource, MessageMetadata, QuarantineRecord, TruncatedField } from "../core/types";

export const DETECTORS: readonly DetectorName[] = ["card", "ssn", "iban"];
export const SOURCES: readonly IntakeSource[] = ["smtp", "http", "ses", "s3-drop", "blob-drop", "gcs-drop", "file"];

export interface Query {
  /** `messages` searches sidecars (meta/), `quarantine` the records of quarantined input. */
  readonly area: "messages" | "quarantine";
  /** A sender: From, Sender, or the envelope's sender. Lower-case address. */
  readonly from?: string;
  /** A recipient: To, Cc, Bcc, or the envelope's recipients, including those reached through an expanded list (and the list itself). */
  readonly to?: string;
  /** A domain (or any of its subdomains) of a sender or recipient. */
  readonly domain?: string;
  /** From this instant (inclusive) … */
  readonly since?: Date;
  /** … to this one (exclusive), on `when` (the date the record is filed under). */
  readonly until?: Date;
  /** Words that must all be in the subject (quarantine: in the reason). Lower-case, as `words` makes them. */
  readonly words?: readonly string[];
  /** A Message-ID, of the message or (journal report) of its original; without `<>`, lower-case. */
  readonly messageId?: string;
  /** Every report of one original (Exchange bifurcation) and the original itself. */
  readonly correlationId?: string;
  /** An attachment's file name, whole, case-insensitive. */
  readonly attachmentName?: string;
  /** An attachment's SHA-256 (decoded content). */
  readonly attachmentHash?: string;
  /** A sensitive-data flag, or `any` for a message with at least one. */
  readonly flag?: DetectorName | "any";
  readonly source?: IntakeSource;
  readonly minSize?: number;
  readonly maxSize?: number;
  /** The most hits to return (sorted by date); `total` still counts them all. */
  readonly limit?: number;
}

export type Sidecar = MessageMetadata | QuarantineRecord;

export interface Hit {
  readonly key: string;
  readonly sha256: string;
  /** `when` of the record, ISO. */
  readonly at: string;
  readonly sidecar: Sidecar;
  /** Why the hit needs a second look: matched only through an unverified envelope, or a possible hit's cut fields. */
  readonly notes: readonly string[];
}

export interface SearchResult {
  /** Hits sorted by date (then sha256), at most `limit`. */
  readonly hits: readonly Hit[];
  /** Every hit, however many were returned. */
  readonly total: number;
  /** Records whose sidecar cannot decide the query (cut fields, an unread journal report) and match on all it can decide. */
  readonly possible: readonly Hit[];
  /** What the engine wants the auditor to know (e.g. records it could not read). */
  readonly notes: readonly string[];
}

export interface SearchEngine {
  /** Shown to the auditor: which engine answered (`index`, `scan`, `athena`…). */
  readonly name: string;
  search(query: Query): Promise<SearchResult>;
}

/** Subject and reason words: letters and digits, NFKC, lower-case. */
export function words(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export const normalizeAddress = (address: string) => address.trim().toLowerCase();
export const normalizeMessageId = (id: string) => id.trim().replace(/^<|>$/g, "").trim().toLowerCase();
export const normalizeName = (name: string) => name.normalize("NFKC").trim().toLowerCase();

/** The domain of an address and every parent domain: `a.example.com` → a.example.com, example.com, com. */
export function domainsOf(address: string): string[] {
  const at = address.lastIndexOf("@");
  const domain = (at >= 0 ? address.slice(at + 1) : "").replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  if (!domain) return [];
  const labels = domain.split(".");
  return labels.map((_, i) => labels.slice(i).join(".")).filter(Boolean);
}

export const isQuarantine = (sidecar: Sidecar): sidecar is QuarantineRecord => "reason" in sidecar && !("correlationId" in sidecar);

/** The day a record is filed under, from its key (`meta/2026/11/24/…` → 2026-11-24). */
function dayOfKey(key: string): string | undefined {
  const m = /^(?:messages|meta|quarantine)\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(key);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/**
 * When a record happened, for sorting and date ranges: the message's own Date when the archive
 * filed it under that day (a plausible date), otherwise its receipt. Always within the day of its key.
 */
export function when(sidecar: Sidecar): Date {
  const received = new Date(sidecar.receivedAt);
  if (isQuarantine(sidecar) || !sidecar.date) return received;
  const date = new Date(sidecar.date);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === dayOfKey(sidecar.key) ? date : received;
}

/** Senders: From, Sender, and the envelope's sender (a quarantine record has only the last). */
export function sendersOf(sidecar: Sidecar): { headers: string[]; envelope: string[] } {
  if (isQuarantine(sidecar)) return { headers: [], envelope: sidecar.envelope.sender ? [normalizeAddress(sidecar.envelope.sender)] : [] };
  return {
    headers: [...sidecar.from, ...(sidecar.sender ? [sidecar.sender] : [])].map(normalizeAddress),
    envelope: sidecar.envelope.sender ? [normalizeAddress(sidecar.envelope.sender)] : [],
  };
}

/** Recipients: To, Cc, Bcc; the envelope's recipients and the lists and mailboxes they were reached through. */
export function recipientsOf(sidecar: Sidecar): { headers: string[]; envelope: string[] } {
  if (isQuarantine(sidecar)) return { headers: [], envelope: sidecar.envelope.recipients.map(normalizeAddress) };
  const envelope = sidecar.envelope.recipients.flatMap((r) => [r.address, ...(r.expandedFrom ? [r.expandedFrom] : []), ...(r.forwardedFrom ? [r.forwardedFrom] : [])]);
  return { headers: [...sidecar.to, ...sidecar.cc, ...sidecar.bcc].map(normalizeAddress), envelope: envelope.map(normalizeAddress) };
}

export function envelopeVerified(sidecar: Sidecar): boolean {
  return sidecar.envelope.verified === true;
}

function subjectOrReason(sidecar: Sidecar): string {
  return isQuarantine(sidecar) ? sidecar.reason : (sidecar.subject ?? "");
}

export function messageIdsOf(sidecar: Sidecar): string[] {
  if (isQuarantine(sidecar)) return [];
  return [sidecar.messageId, sidecar.original?.messageId].filter((id): id is string => Boolean(id)).map(normalizeMessageId);
}

export function attachmentsOf(sidecar: Sidecar): readonly AttachmentInfo[] {
  return isQuarantine(sidecar) ? [] : sidecar.attachments;
}

export function flagsOf(sidecar: Sidecar): readonly DetectorName[] {
  return isQuarantine(sidecar) ? [] : sidecar.flags;
}

/** Whether a sidecar holds only part of what its message says about `fields` (cut, or an unread journal report). */
export function cutIn(sidecar: Sidecar, fields: readonly TruncatedField[]): boolean {
  if (isQuarantine(sidecar)) return false;
  // An unread journal report's sidecar describes the report, not the original; its flags still cover every byte scanned.
  if (sidecar.journalProblem && fields.some((field) => field !== "flags")) return true;
  return (sidecar.truncated ?? []).some((field) => fields.includes(field));
}

/** Whether a sidecar can say less than its message about anything: the records a possible hit can come from. */
export const isCut = (sidecar: Sidecar) => !isQuarantine(sidecar) && (Boolean(sidecar.journalProblem) || (sidecar.truncated ?? []).length > 0);

type Outcome = "yes" | "unknown" | "no";

export interface Verdict {
  readonly match: "yes" | "possible" | "no";
  readonly notes: readonly string[];
}

/**
 * The reference: whether `sidecar` answers `query`. `possible` when every constraint the sidecar
 * can decide holds and the rest fall on fields it holds only in part.
 */
export function verdict(sidecar: Sidecar, query: Query): Verdict {
  const quarantined = isQuarantine(sidecar);
  if (quarantined !== (query.area === "quarantine")) return { match: "no", notes: [] };
  const notes: string[] = [];
  const outcomes: Outcome[] = [];
  const check = (ok: boolean, cutFields: readonly TruncatedField[], what: string): void => {
    if (ok) return void outcomes.push("yes");
    if (cutIn(sidecar, cutFields)) {
      outcomes.push("unknown");
      notes.push(!quarantined && (sidecar as MessageMetadata).journalProblem ? `${what}: undecided, the journal report could not be unwrapped` : `${what}: undecided, the sidecar's ${cutFields.join("/")} is cut`);
      return;
    }
    outcomes.push("no");
  };

  const at = when(sidecar).getTime();
  if (query.since && at < query.since.getTime()) return { match: "no", notes: [] };
  if (query.until && at >= query.until.getTime()) return { match: "no", notes: [] };
  if (query.minSize !== undefined && sidecar.size < query.minSize) return { match: "no", notes: [] };
  if (query.maxSize !== undefined && sidecar.size > query.maxSize) return { match: "no", notes: [] };
  if (query.source && sidecar.source !== query.source) return { match: "no", notes: [] };

  const senders = sendersOf(sidecar);
  const recipients = recipientsOf(sidecar);
  const unverified = !envelopeVerified(sidecar);
  if (query.from !== undefined) {
    const inHeaders = senders.headers.includes(query.from);
    const inEnvelope = senders.envelope.includes(query.from);
    check(inHeaders || inEnvelope, ["from", "sender", "envelope.sender"], "sender");
    if (!inHeaders && inEnvelope && unverified) notes.push(`sender ${query.from} only in an unverified envelope`);
  }
  if (query.to !== undefined) {
    const inHeaders = recipients.headers.includes(query.to);
    const inEnvelope = recipients.envelope.includes(query.to);
    check(inHeaders || inEnvelope, ["to", "cc", "bcc", "envelope.recipients"], "recipient");
    if (!inHeaders && inEnvelope && unverified) notes.push(`recipient ${query.to} only in an unverified envelope`);
  }
  if (query.domain !== undefined) {
    const domain = query.domain;
    const has = (list: string[]) => list.some((address) => domainsOf(address).includes(domain));
    const inHeaders = has(senders.headers) || has(recipients.headers);
    const inEnvelope = has(senders.envelope) || has(recipients.envelope);
    check(inHeaders || inEnvelope, ["from", "sender", "to", "cc", "bcc", "envelope.sender", "envelope.recipients"], "domain");
    if (!inHeaders && inEnvelope && unverified) notes.push(`domain ${domain} only in an unverified envelope`);
  }
  if (query.words && query.words.length > 0) {
    const have = new Set(words(subjectOrReason(sidecar)));
    check(query.words.every((word) => have.has(word)), ["subject"], quarantined ? "reason" : "subject");
  }
  if (query.messageId !== undefined) check(messageIdsOf(sidecar).includes(query.messageId), ["messageId", "original.messageId"], "Message-ID");
  if (query.correlationId !== undefined) check(!quarantined && (sidecar as MessageMetadata).correlationId === query.correlationId, ["messageId", "original.messageId"], "correlation id");
  if (query.attachmentName !== undefined) {
    check(attachmentsOf(sidecar).some((a) => a.filename !== undefined && normalizeName(a.filename) === query.attachmentName), ["attachments"], "attachment name");
  }
  if (query.attachmentHash !== undefined) check(attachmentsOf(sidecar).some((a) => a.sha256 === query.attachmentHash), ["attachments"], "attachment hash");
  if (query.flag !== undefined) {
    const flags = flagsOf(sidecar);
    check(query.flag === "any" ? flags.length > 0 : flags.includes(query.flag), ["flags"], "sensitive-data flag");
  }

  if (outcomes.includes("no")) return { match: "no", notes: [] };
  if (outcomes.includes("unknown")) return { match: "possible", notes };
  return { match: "yes", notes };
}

/** The reference matcher: the hits every engine must return for `query`. */
export function matches(sidecar: Sidecar, query: Query): boolean {
  return verdict(sidecar, query).match === "yes";
}

/** Hits in the order every engine returns them: by date, then sha256. */
export function byDate(a: Hit, b: Hit): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0;
}

export function hitOf(sidecar: Sidecar, notes: readonly string[] = []): Hit {
  return { key: sidecar.key, sha256: sidecar.sha256, at: when(sidecar).toISOString(), sidecar, notes };
}

/** The query as one line, for the audit trail and the chain-of-custody record. */
export function describeQuery(query: Query): string {
  const parts: string[] = [];
  const put = (name: string, value: string | number | undefined) => {
    if (value !== undefined) parts.push(`${name}=${/[\s"=]/.test(String(value)) ? JSON.stringify(String(value)) : String(value)}`);
  };
  if (query.area === "quarantine") parts.push("quarantined");
  put("from", query.from);
  put("to", query.to);
  put("domain", query.domain);
  put("since", query.since?.toISOString());
  put("until", query.until?.toISOString());
  put(query.area === "quarantine" ? "reason" : "subject", query.words && query.words.length > 0 ? query.words.join(" ") : undefined);
  put("message-id", query.messageId);
  put("correlation", query.correlationId);
  put("attachment", query.attachmentName);
  put("attachment-hash", query.attachmentHash);
  put("flag", query.flag);
  put("source", query.source);
  put("min-size", query.minSize);
  put("max-size", query.maxSize);
  return parts.length > 0 ? parts.join(" ") : "everything";
}

/**
 * The `meta/` (or `quarantine/`) prefixes that hold a date range: whole years and months where the
 * range covers them, days elsewhere. A scan lists only these.
 */
export function prefixesFor(query: Pick<Query, "area" | "since" | "until">): string[] {
  const area = query.area === "quarantine" ? "quarantine" : "meta";
  if (!query.since && !query.until) return [`${area}/`];
  const DAY = 86_400_000;
  const start = query.since ? Math.floor(query.since.getTime() / DAY) * DAY : Date.UTC(1970, 0, 1);
  // `until` is exclusive: the last day is the one holding the instant just before it.
  const end = query.until ? Math.floor((query.until.getTime() - 1) / DAY) * DAY : Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
  if (end < start) return [];
  const out: string[] = [];
  let day = start;
  const pad = (n: number) => String(n).padStart(2, "0");
  while (day <= end) {
    const d = new Date(day);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    const yearEnd = Date.UTC(y + 1, 0, 1) - DAY;
    const monthEnd = Date.UTC(y, m + 1, 1) - DAY;
    if (m === 0 && d.getUTCDate() === 1 && yearEnd <= end) {
      out.push(`${area}/${y}/`);
      day = yearEnd + DAY;
    } else if (d.getUTCDate() === 1 && monthEnd <= end) {
      out.push(`${area}/${y}/${pad(m + 1)}/`);
      day = monthEnd + DAY;
    } else {
      out.push(`${area}/${y}/${pad(m + 1)}/${pad(d.getUTCDate())}/`);
      day += DAY;
    }
  }
  return out;
}
