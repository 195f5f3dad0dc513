// Sidecars for the Azure engine's tests: the real archive's (fixtures and built messages, through the
// pipeline), and variants of them that T-SQL cannot read the way JavaScript does: cases and spaces, text
// that is not ASCII (which NFKC or toLowerCase fold onto ASCII), bracketed domains and trailing dots,
// Message-IDs in brackets with spaces, dates in other forms or on another day than the key, sizes as
// text, cut fields and unread journal reports, a record of the other kind, and JSON that does not parse.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalAuditorStore } from "../../../../functions/auditor/local/localStore";
import { normalizeMessageId, normalizeName, words, type Query } from "../../../../functions/auditor/query";
import type { MessageMetadata, QuarantineRecord } from "../../../../functions/core/types";
import { createPipeline } from "../../../../functions/core/pipeline";
import { openLocalArchive } from "../../../../functions/local/archive";
import { rfc822 } from "../../../helpers/messages";
import { buildArchive } from "../archives";

export interface SidecarFile {
  readonly name: string;
  /** The blob name under the container: `meta/…` or `quarantine/…`. */
  readonly key: string;
  readonly text: string;
  /** From the pipeline untouched, plain ASCII and not cut: what the SQL must decide alone. */
  readonly clean: boolean;
}

/** The real archive's sidecars, as the pipeline wrote them, with one message more that names a Sender. */
export async function realSidecars(): Promise<SidecarFile[]> {
  const dir = mkdtempSync(join(tmpdir(), "journal-azure-engine-"));
  try {
    await buildArchive(dir);
    const archive = await openLocalArchive({ dir });
    const sent = rfc822({ from: "Dana <dana@example.com>", subject: "On behalf", messageId: "<behalf@example.com>", date: "Mon, 23 Nov 2026 09:00:00 +0000", extraHeaders: ["Sender: Assistant <Assistant@Example.com>"] });
    await createPipeline({ store: archive.store, audit: archive.audit, retentionDays: 30 }).ingest(sent, { source: "smtp", receivedAt: new Date("2026-11-23T09:00:01Z") });
    await archive.close();
    const store = new LocalAuditorStore({ dir });
    const out: SidecarFile[] = [];
    for (const prefix of ["meta/", "quarantine/"]) {
      for await (const { key } of store.list(prefix)) {
        if (!key.endsWith(".json")) continue;
        const text = (await store.get(key))!.toString("utf8");
        const sidecar = JSON.parse(text) as MessageMetadata & { truncated?: unknown; journalProblem?: unknown };
        out.push({ name: key, key, text, clean: /^[\x20-\x7e\n]*$/.test(text) && !sidecar.truncated && !sidecar.journalProblem });
      }
    }
    await store.close();
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Edit = (s: Record<string, any>) => void;

/** Variants of a message sidecar (and of a quarantine record), each filed under a key of its own. */
export function variants(real: readonly SidecarFile[]): SidecarFile[] {
  const message = JSON.parse(real.find((f) => f.key.startsWith("meta/") && f.clean && /figures/i.test(f.text))!.text) as MessageMetadata;
  const quarantine = JSON.parse(real.find((f) => f.key.startsWith("quarantine/"))!.text) as QuarantineRecord;
  const out: SidecarFile[] = [];
  let n = 0;
  const add = (name: string, base: object, edit: Edit) => {
    const copy = JSON.parse(JSON.stringify(base)) as Record<string, any>;
    const sha = (n++).toString(16).padStart(64, "f");
    const area = "correlationId" in copy ? "meta" : "quarantine";
    copy.sha256 = sha;
    copy.key = String(copy.key).replace(/[0-9a-f]{64}/, sha);
    edit(copy);
    const day = /^(?:messages|meta|quarantine)\/(\d{4}\/\d{2}\/\d{2})\//.exec(String(copy.key))?.[1] ?? "2026/11/20";
    out.push({ name, key: `${area}/${day}/${sha}.json`, text: JSON.stringify(copy, null, 2), clean: false });
  };
  const m = (name: string, edit: Edit) => add(name, message, edit);
  m("From in capitals, Sender with spaces", (s) => ((s.from = ["Alice@Example.COM"]), (s.sender = "  bob@example.org  ")));
  m("a Kelvin sign that lower-cases to k", (s) => (s.from = ["\u212Aate@example.com"]));
  m("an internationalised address", (s) => (s.to = ["jörg@exämple.de"]));
  m("a tab around an address", (s) => (s.cc = ["\tcarol@mail.example.net"]));
  m("a bracketed domain with a trailing dot", (s) => (s.to = ["ops@[Example.COM]."]));
  m("a domain that only ends like the one searched", (s) => ((s.to = ["x@notexample.net"]), (s.cc = []), (s.from = ["y@example.netx"])));
  m("a list member reached by forwarding, in capitals", (s) => (s.envelope.recipients = [{ address: "Anna@Contoso.com", field: "recipient", forwardedFrom: "Sales@Contoso.com" }]));
  m("a subject in German", (s) => (s.subject = "Bond allocation für Freitag"));
  m("a subject in full-width letters", (s) => (s.subject = "ＢＯＮＤ friday"));
  m("a subject joined by underscores", (s) => (s.subject = "bond_friday figures-q3"));
  m("no subject", (s) => delete s.subject);
  m("a Message-ID in brackets with spaces", (s) => (s.messageId = "  < Q3-Figures@Example.com >  "));
  m("a Message-ID that is not ASCII", (s) => (s.messageId = "<q3-figures@exämple.com>"));
  m("an attachment name in full-width letters", (s) => (s.attachments[0].filename = "ＦＩＧＵＲＥＳ Q3.xlsx"));
  m("an attachment name with spaces around it", (s) => (s.attachments[0].filename = "  Figures Q3.xlsx "));
  m("a correlation id with a trailing space", (s) => (s.correlationId = `${s.correlationId} `));
  m("a date without milliseconds", (s) => (s.date = String(s.date).replace(/\.000Z$/, "Z")));
  m("a date on another day than its key", (s) => (s.date = "2026-11-19T23:59:59.999Z"));
  m("a date no calendar has", (s) => (s.date = "2026-02-30T10:00:00.000Z"));
  m("a receipt time in another form", (s) => (s.receivedAt = "Fri, 20 Nov 2026 10:00:05 GMT"));
  m("a size written as text", (s) => (s.size = String(s.size)));
  m("a source in capitals", (s) => (s.source = "SMTP"));
  m("a cut subject", (s) => ((s.truncated = ["subject"]), (s.subject = "Quarterly")));
  m("cut recipients", (s) => ((s.truncated = ["envelope.recipients", "to"]), (s.to = []), (s.envelope.recipients = [])));
  m("an unread journal report", (s) => ((s.journalProblem = "Exchange journal report has no attached original"), (s.from = ["journal@contoso.com"])));
  m("flags gone", (s) => (s.flags = []));
  m("a quarantine record among the sidecars", (s) => {
    for (const k of Object.keys(s)) if (!["sha256", "key", "size", "source", "receivedAt", "retainUntil", "schema"].includes(k)) delete s[k];
    s.reason = "not an email";
    s.envelope = { recipients: [], verified: false };
  });
  const q = (name: string, edit: Edit) => add(name, quarantine, edit);
  q("a quarantined delivery with an envelope in capitals", (s) => (s.envelope = { sender: "Mallory@Evil.Example", recipients: ["CEO@example.com"], verified: false }));
  q("a quarantine reason that is not ASCII", (s) => (s.reason = "pas un e-mail : entête illisible"));
  out.push({ name: "JSON that does not parse", key: "meta/2026/11/20/" + "e".repeat(64) + ".json", text: '{"sha256": "e', clean: false });
  return out;
}

const m = (q: Omit<Query, "area">): Query => ({ area: "messages", ...q });
const q = (x: Omit<Query, "area">): Query => ({ area: "quarantine", ...x });

/** Queries on every field, the real archive's and the variants' edge cases among them. */
export const BATTERY: Array<[string, Query]> = [
  ["everything", m({})],
  ["a sender in any case", m({ from: "alice@example.com" })],
  ["a sender through the journal envelope", m({ from: "chris@contoso.com" })],
  ["a sender written with a Kelvin sign", m({ from: "kate@example.com" })],
  ["a sender with spaces around it", m({ from: "bob@example.org" })],
  ["a recipient that is an expanded list", m({ to: "sales@contoso.com" })],
  ["a recipient reached through the list", m({ to: "anna@contoso.com" })],
  ["a recipient reached by forwarding", m({ to: "assistant@contoso.com" })],
  ["a recipient only in an untrusted envelope", m({ to: "ceo@example.com" })],
  ["an internationalised recipient", m({ to: "jörg@exämple.de" })],
  ["a recipient behind a tab", m({ to: "carol@mail.example.net" })],
  ["a domain and its subdomains", m({ domain: "example.net" })],
  ["a bracketed domain", m({ domain: "example.com" })],
  ["a top-level domain", m({ domain: "org" })],
  ["an internationalised domain", m({ domain: "exämple.de" })],
  ["a date range, whole days", m({ since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-11-21T00:00:00Z") })],
  ["a range ending inside a day", m({ since: new Date("2026-11-19T00:00:00Z"), until: new Date("2026-11-20T10:00:01Z") })],
  ["a sender and a date range", m({ from: "alice@example.com", since: new Date("2026-11-21T00:00:00Z") })],
  ["subject words", m({ words: ["bond", "friday"] })],
  ["a subject word past the sidecar's cut", m({ words: ["needle"] })],
  ["a subject word in German", m({ words: words("für") })],
  ["subject words a full-width subject holds", m({ words: words("BOND friday") })],
  ["a subject word after an underscore", m({ words: ["friday", "q3"] })],
  ["the Message-ID of an original", m({ messageId: "alloc-2026-11-24@contoso.com" })],
  ["a Message-ID in any case, in brackets", m({ messageId: normalizeMessageId("<Q3-Figures@Example.com>") })],
  ["a Message-ID that is not ASCII", m({ messageId: "q3-figures@exämple.com" })],
  ["an attachment name", m({ attachmentName: "figures q3.xlsx" })],
  ["an attachment name in full-width letters", m({ attachmentName: normalizeName("ＦＩＧＵＲＥＳ Q3.xlsx") })],
  ["an attachment hash", m({ attachmentHash: createHash("sha256").update("q3 numbers").digest("hex") })],
  ["a flag", m({ flag: "ssn" })],
  ["any flag", m({ flag: "any" })],
  ["a source", m({ source: "smtp" })],
  ["a size", m({ minSize: 1000, maxSize: 5000 })],
  ["nothing", m({ from: "nobody@nowhere.example" })],
  ["all of several", m({ from: "chris@contoso.com", to: "bob@fabrikam.com", words: ["allocation"], flag: "iban" })],
  ["quarantine: everything", q({})],
  ["quarantine: reason words", q({ words: ["not", "an", "email"] })],
  ["quarantine: a reason word that is not ASCII", q({ words: words("entête") })],
  ["quarantine: an envelope sender in any case", q({ from: "mallory@evil.example" })],
  ["quarantine: a recipient domain", q({ domain: "example.com" })],
  ["quarantine: size", q({ maxSize: 100 })],
  ["quarantine: a Message-ID, which no quarantine record has", q({ messageId: "a@b" })],
];
