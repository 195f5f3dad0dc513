// The shapes that cross the pipeline's boundaries. Function code never imports @pulumi/*.

/** Where a message came in. */
export type IntakeSource = "smtp" | "http" | "ses" | "s3-drop" | "blob-drop" | "gcs-drop" | "file";

/** What the intake knows about a delivery besides its bytes. */
export interface IntakeContext {
  /** Which intake received the message. */
  readonly source: IntakeSource;
  /** SMTP `MAIL FROM` (empty string for a null sender), when the intake saw an envelope. */
  readonly envelopeSender?: string;
  /** SMTP `RCPT TO` addresses, when the intake saw an envelope. */
  readonly envelopeRecipients?: readonly string[];
  /** When the intake accepted the message. Defaults to now. */
  readonly receivedAt?: Date;
  /**
   * Whether the intake knows who delivered the message: an SMTP client that authenticated or is
   * allow-listed, a caller holding the HTTP token or a cloud identity allowed to write the inbox.
   * A journal report's envelope is authoritative only then; otherwise it is archived all the same,
   * and its sidecar says the envelope is unverified. Unset means not trusted.
   */
  readonly senderTrusted?: boolean;
}

/** The outcome a caller (and an HTTP client) sees. */
export type IngestStatus = "archived" | "duplicate" | "quarantined";

export interface IngestResult {
  readonly status: IngestStatus;
  /** SHA-256 of the raw bytes, lower-case hex. */
  readonly sha256: string;
  /** Object key of the stored raw bytes (`messages/...` or `quarantine/...`). */
  readonly key: string;
  /** Object key of the metadata sidecar. */
  readonly metaKey: string;
  readonly size: number;
  /** Why the message was quarantined. */
  readonly reason?: string;
}

/** A recipient named by a journal envelope, with how Exchange reached it. */
export interface JournalRecipient {
  readonly address: string;
  /** The envelope field that named it. `recipient` is Exchange's field for envelope-only recipients. */
  readonly field: "to" | "cc" | "bcc" | "recipient";
  /** The distribution list that was expanded to reach this recipient. */
  readonly expandedFrom?: string;
  /** The mailbox that forwarded to this recipient. */
  readonly forwardedFrom?: string;
}

/** The envelope block of an Exchange journal report. */
export interface JournalEnvelope {
  readonly sender?: string;
  readonly onBehalfOf?: string;
  readonly subject?: string;
  readonly messageId?: string;
  readonly recipients: readonly JournalRecipient[];
}

export interface AttachmentInfo {
  readonly filename?: string;
  readonly contentType: string;
  /** Decoded size in bytes. */
  readonly size: number;
  /** SHA-256 of the decoded content. */
  readonly sha256: string;
}

/** Names of the sensitive-data detectors; which run is configurable. */
export type DetectorName = "card" | "ssn" | "iban";

/** The searchable sidecar stored at `meta/YYYY/MM/DD/<sha256>.json`. Never holds body text. */
export interface MessageMetadata {
  readonly schema: 1;
  readonly sha256: string;
  readonly key: string;
  readonly size: number;
  readonly source: IntakeSource;
  readonly receivedAt: string;
  readonly retainUntil: string;
  /** `exchange-journal`, `workspace-copy` or `smtp` (any other delivery). */
  readonly format: "exchange-journal" | "workspace-copy" | "smtp";
  readonly messageId?: string;
  readonly date?: string;
  readonly from: readonly string[];
  readonly sender?: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  /** Bcc header of the message itself (rarely present on delivered mail). */
  readonly bcc: readonly string[];
  readonly subject?: string;
  /** The recipient list: journal envelope, else intake envelope and Workspace headers. */
  readonly envelope: {
    readonly sender?: string;
    readonly onBehalfOf?: string;
    readonly recipients: readonly JournalRecipient[];
    /**
     * Whether this envelope is authoritative: true only when the intake trusted the sender
     * (IntakeContext.senderTrusted), for every format. A journal report, a Workspace copy or an
     * SMTP envelope from anyone else is archived all the same, and says here that it was not
     * verified. Absent in sidecars written before the field existed: read that as false.
     */
    readonly verified?: boolean;
  };
  /**
   * Same value on every journal report for one original (Exchange bifurcation), and on the
   * original itself: derived from the original's Message-ID, or its headers where it has none.
   */
  readonly correlationId: string;
  /** For a journal report: the attached original message. */
  readonly original?: {
    readonly sha256: string;
    readonly size: number;
    readonly messageId?: string;
  };
  readonly attachments: readonly AttachmentInfo[];
  readonly flags: readonly DetectorName[];
  /**
   * Fields this sidecar holds only in part, because the message's value was over a cap
   * (metadata.ts SIDECAR_CAPS) or its header or body could not be read whole. The raw
   * message holds all of it. Absent when nothing was cut.
   */
  readonly truncated?: readonly TruncatedField[];
  /**
   * Set when an Exchange journal report could not be unwrapped (no attached original, an unreadable
   * envelope): the report is archived all the same, indexed by its own headers and the intake's
   * envelope, and this says why it could not be read as a report.
   */
  readonly journalProblem?: string;
}

/** Sidecar fields that can be cut, as named in `MessageMetadata.truncated`. */
export type TruncatedField =
  | "messageId"
  | "date"
  | "from"
  | "sender"
  | "to"
  | "cc"
  | "bcc"
  | "subject"
  | "envelope.sender"
  | "envelope.onBehalfOf"
  | "envelope.recipients"
  | "original.messageId"
  | "attachments"
  | "flags";

/** Sidecar of a quarantined input: `quarantine/YYYY/MM/DD/<sha256>.json`. */
export interface QuarantineRecord {
  readonly schema: 1;
  readonly sha256: string;
  readonly key: string;
  readonly size: number;
  readonly source: IntakeSource;
  readonly receivedAt: string;
  readonly retainUntil: string;
  readonly reason: string;
  readonly envelope: {
    readonly sender?: string;
    readonly recipients: readonly string[];
    /** Whether the intake trusted who delivered it (IntakeContext.senderTrusted). */
    readonly verified: boolean;
  };
}

/** One line of the audit trail. Holds identifiers only, never message content. */
export interface AuditEvent {
  /**
   * What happened. `recovered` is the local archive's own: a start-up that rolled its trail
   * forward or cut a torn tail after a crash, or removed what a crash left half-written.
   */
  readonly action: "ingested" | "duplicate" | "quarantined" | "read" | "exported" | "hold-set" | "hold-cleared" | "searched" | "verified" | "recovered";
  readonly at: string;
  /** The message's SHA-256; absent only on archive-wide events (`recovered`). */
  readonly sha256?: string;
  /** The object acted on; absent only on archive-wide events (`recovered`). */
  readonly key?: string;
  /** Who acted: the intake for writes, the authenticated caller for reads. */
  readonly actor: string;
  readonly source?: IntakeSource;
  readonly size?: number;
  readonly reason?: string;
  /** The legal matter a hold or an export belongs to. */
  readonly case?: string;
  /** An auditor's search, as given (`searched`, `exported`): who looked for what. */
  readonly query?: string;
  /** How many records an auditor's act covered. */
  readonly count?: number;
}
