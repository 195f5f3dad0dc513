// Real local archives for the auditor's tests: the project's fixtures (journal reports, plain mail,
// a Workspace copy, quarantined input) and a few messages built here for what the fixtures lack
// (dates across months, attachments, a subject the sidecar had to cut), through the real pipeline.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createPipeline } from "../../../functions/core/pipeline";
import type { IngestResult, IntakeContext } from "../../../functions/core/types";
import { openLocalArchive } from "../../../functions/local/archive";
import { rfc822 } from "../../helpers/messages";

export const FIXTURES = join(__dirname, "..", "..", "fixtures");
export const RECEIVED = new Date("2026-11-24T12:00:00Z");

export interface Built {
  readonly name: string;
  readonly result: IngestResult;
}

/** A message with an attachment, as a mail client sends it. */
export function withAttachment(parts: { from: string; to: string; subject: string; date: string; messageId: string; filename: string; content: string }): Buffer {
  return Buffer.from(
    [
      `From: ${parts.from}`,
      `To: ${parts.to}`,
      `Subject: ${parts.subject}`,
      `Date: ${parts.date}`,
      `Message-ID: ${parts.messageId}`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b1"',
      "",
      "--b1",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "See attached.",
      "--b1",
      `Content-Type: application/octet-stream; name="${parts.filename}"`,
      `Content-Disposition: attachment; filename="${parts.filename}"`,
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from(parts.content).toString("base64"),
      "--b1--",
      "",
    ].join("\r\n"),
  );
}

/** The messages built here, each with when and how it arrived. */
export function builtMessages(): Array<{ name: string; bytes: Buffer; context: IntakeContext }> {
  const at = (iso: string, extra: Partial<IntakeContext> = {}): IntakeContext => ({ source: "smtp", receivedAt: new Date(iso), ...extra });
  return [
    {
      name: "figures",
      bytes: withAttachment({ from: "Alice Example <Alice@Example.com>", to: "bob@example.org, Carol <carol@mail.example.net>", subject: "Quarterly figures Q3", date: "Fri, 20 Nov 2026 10:00:00 +0000", messageId: "<Q3-Figures@example.com>", filename: "Figures Q3.xlsx", content: "q3 numbers" }),
      context: at("2026-11-20T10:00:05Z", { envelopeSender: "alice@example.com", envelopeRecipients: ["bob@example.org", "audit@example.org"], senderTrusted: true }),
    },
    {
      name: "lunch-october",
      bytes: rfc822({ from: "dave@other.org", to: "alice@example.com", subject: "Lunch plans", date: "Mon, 05 Oct 2026 12:00:00 +0000", messageId: "<lunch-oct@other.org>" }),
      context: at("2026-10-05T12:00:01Z"),
    },
    {
      name: "forged-envelope",
      // An untrusted SMTP client claims a Bcc recipient: archived, matched, and said to be unverified.
      bytes: rfc822({ from: "mallory@evil.example", to: "bob@example.org", subject: "Invoice", date: "Sun, 01 Nov 2026 09:00:00 +0000", messageId: "<invoice@evil.example>" }),
      context: at("2026-11-01T09:00:01Z", { envelopeSender: "mallory@evil.example", envelopeRecipients: ["ceo@example.com"], senderTrusted: false }),
    },
    {
      name: "long-subject",
      // The sidecar keeps 4096 characters of a subject: a word past them is for the raw message to say.
      bytes: rfc822({ from: "alice@example.com", to: "bob@example.org", subject: `${"minutes ".repeat(600)}needle`, date: "Wed, 25 Nov 2026 08:00:00 +0000", messageId: "<long@example.com>" }),
      context: at("2026-11-25T08:00:01Z"),
    },
  ];
}

/** Ingests the fixtures and the built messages into a new archive at `dir`; returns what each became. */
export async function buildArchive(dir: string, options: { masterKey?: Buffer } = {}): Promise<Built[]> {
  const archive = await openLocalArchive({ dir, ...(options.masterKey ? { masterKey: options.masterKey } : {}) });
  const pipeline = createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30 });
  const out: Built[] = [];
  for (const folder of ["plain", "journal", "workspace", "malformed"]) {
    for (const name of readdirSync(join(FIXTURES, folder)).sort()) {
      const result = await pipeline.ingest(readFileSync(join(FIXTURES, folder, name)), { source: "file", receivedAt: RECEIVED, senderTrusted: folder === "journal" });
      out.push({ name: `${folder}/${name}`, result });
    }
  }
  for (const { name, bytes, context } of builtMessages()) out.push({ name, result: await pipeline.ingest(bytes, context) });
  await archive.close();
  return out;
}
