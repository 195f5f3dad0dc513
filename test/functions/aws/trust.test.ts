// Which AWS deliveries have an authoritative envelope (IntakeContext.senderTrusted): an S3 drop
// under drop/ (IAM write on the inbox), and an SES delivery only from an allow-listed sender whose
// SPF, DKIM and DMARC all passed (functions/aws/events.ts).
import { describe, expect, it } from "vitest";
import { inboxObjects, sesSenderTrusted } from "../../../functions/aws/events";
import { readAwsSettings } from "../../../functions/aws/settings";

const INBOX = "journal-inbox-aws-us-east-1";
const ALLOWED = { allowedSenders: ["contoso.com", "journal@fabrikam.com"] };

interface Sent {
  readonly source?: string;
  readonly from?: string[];
  readonly spf?: string;
  readonly dkim?: string;
  readonly dmarc?: string;
}

/** An SES "Received" notification as SES documents it, with the verdicts given. */
function received({ source = "MicrosoftExchange329e71ec@contoso.com", from = ["Microsoft Exchange <MicrosoftExchange329e71ec@contoso.com>"], spf = "PASS", dkim = "PASS", dmarc = "PASS" }: Sent = {}) {
  return {
    notificationType: "Received",
    mail: { source, destination: ["journal@archive.example.com"], commonHeaders: { from } },
    receipt: {
      recipients: ["journal@archive.example.com"],
      timestamp: "2026-11-24T08:15:03.000Z",
      spfVerdict: { status: spf },
      dkimVerdict: { status: dkim },
      dmarcVerdict: { status: dmarc },
      action: { type: "S3", bucketName: INBOX, objectKey: "ses/abc" },
    },
  };
}

const sqsBody = (notification: object) => JSON.stringify({ Type: "Notification", Message: JSON.stringify(notification) });

describe("SES deliveries", () => {
  it("trusts an allow-listed sender (by domain or by address) whose SPF, DKIM and DMARC passed", () => {
    expect(sesSenderTrusted(received(), ALLOWED)).toBe(true);
    expect(sesSenderTrusted(received({ source: "Journal@Fabrikam.com", from: ["journal@fabrikam.com"] }), ALLOWED)).toBe(true);
    const [object] = inboxObjects(sqsBody(received()), ALLOWED);
    expect(object.context).toMatchObject({ source: "ses", senderTrusted: true });
  });

  it("trusts nothing from SES without an allow-list, whatever the verdicts", () => {
    expect(sesSenderTrusted(received(), { allowedSenders: [] })).toBe(false);
    const [object] = inboxObjects(sqsBody(received()));
    expect(object.context.senderTrusted).toBe(false);
  });

  it.each([
    ["SPF failed", { spf: "FAIL" }],
    ["DKIM failed", { dkim: "FAIL" }],
    ["DMARC failed", { dmarc: "FAIL" }],
    ["DMARC not evaluated (no policy)", { dmarc: "GRAY" }],
    ["the MAIL FROM is not allow-listed", { source: "journal@attacker.example" }],
    ["the From header is not allow-listed", { from: ["Microsoft Exchange <journal@attacker.example>"] }],
    ["one of two From addresses is not allow-listed", { from: ["a@contoso.com", "b@attacker.example"] }],
    ["there is no From header", { from: [] }],
    ["the domain is only a suffix of an allowed one", { source: "x@evilcontoso.com", from: ["x@evilcontoso.com"] }],
    ["a subdomain of an allowed domain sends", { source: "x@mail.contoso.com", from: ["x@mail.contoso.com"] }],
    ["another address at an allowed address's domain sends", { source: "other@fabrikam.com", from: ["other@fabrikam.com"] }],
  ])("does not trust a delivery when %s", (_why, sent: Sent) => {
    expect(sesSenderTrusted(received(sent), ALLOWED)).toBe(false);
  });
});

describe("S3 drops", () => {
  const s3Event = (key: string) => JSON.stringify({ Records: [{ eventTime: "2026-11-24T08:15:03.000Z", s3: { bucket: { name: INBOX }, object: { key } } }] });

  it("trusts an object created under drop/, which only a principal with write on the inbox can create", () => {
    expect(inboxObjects(s3Event("drop/relay+0001.eml"))[0]).toMatchObject({ key: "drop/relay 0001.eml", context: { source: "s3-drop", senderTrusted: true } });
  });

  it("does not trust an object event outside drop/", () => {
    expect(inboxObjects(s3Event("ses/abc"))[0].context.senderTrusted).toBe(false);
  });
});

describe("ALLOWED_SENDERS", () => {
  const ENV = { ARCHIVE_BUCKET: "journal-archive-aws-us-east-1", ARCHIVE_KMS_KEY_ARN: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", INBOX_BUCKET: INBOX, RETENTION_DAYS: "2557", MAX_MESSAGE_BYTES: "41943040" };

  it("is the stack's allow-list, comma-separated, and empty when unset", () => {
    expect(readAwsSettings({ ...ENV, ALLOWED_SENDERS: "contoso.com,journal@fabrikam.com" }).allowedSenders).toEqual(["contoso.com", "journal@fabrikam.com"]);
    expect(readAwsSettings(ENV).allowedSenders).toEqual([]);
  });

  it("refuses an entry that is neither an address nor a domain, naming the variable", () => {
    expect(() => readAwsSettings({ ...ENV, ALLOWED_SENDERS: "contoso.com,*" })).toThrow(/ALLOWED_SENDERS="contoso\.com,\*": must be comma-separated email addresses or domains/);
  });
});
