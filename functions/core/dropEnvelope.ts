// The SMTP envelope of a message dropped into an inbox bucket or container: a relay that knows it
// sets it as the object's metadata, the same names on every cloud.
import type { IntakeContext } from "./types";

/** Object metadata names (lower case: Azure returns metadata names lower-cased). */
export const ENVELOPE_METADATA = { sender: "envelope_sender", recipients: "envelope_recipients" } as const;

/** The envelope the metadata carries; `envelope_recipients` is comma-separated. */
export function envelopeFromMetadata(metadata: Readonly<Record<string, string>>): Pick<IntakeContext, "envelopeSender" | "envelopeRecipients"> {
  const sender = metadata[ENVELOPE_METADATA.sender];
  const recipients = metadata[ENVELOPE_METADATA.recipients];
  return {
    ...(sender !== undefined ? { envelopeSender: sender } : {}),
    ...(recipients ? { envelopeRecipients: recipients.split(",").map((r) => r.trim()).filter(Boolean) } : {}),
  };
}
