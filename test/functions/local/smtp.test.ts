// Finding 6: the SMTP intake takes mail only from whom it should, only for the journal addresses,
// and tells the pipeline whether the sender is known.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../functions/core/log";
import { parseAllowList } from "../../../functions/local/clientAddresses";
import { startSmtpIntake } from "../../../functions/local/smtp";
import { loadOrCreateCertificate } from "../../../functions/local/tls";
import { rfc822 } from "../../helpers/messages";
import { harness, JOURNAL, plain, RawSmtp, type Harness } from "./smtpHarness";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const USER = "exchange-journal";
const PASSWORD = "correct-horse-battery-staple-42";
const WRONG = "not-the-password-at-all-99";
const credentials = { username: USER, password: PASSWORD };
const envelope = { from: "mta@example.com", to: [JOURNAL] };

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

describe("TLS before mail", () => {
  it("refuses MAIL FROM in plaintext with 530 when TLS is required, and takes the same message after STARTTLS", async () => {
    const intake = await h.start({ access: { requireTls: true } });
    const raw = rfc822({ messageId: "<tls-first@example.com>" });
    await expect(intake.transport({ ignoreTLS: true, requireTLS: false }).sendMail({ envelope, raw })).rejects.toMatchObject({ responseCode: 530, command: "MAIL FROM" });
    expect(await h.archive.store.keys()).toEqual([]);

    const info = await intake.transport().sendMail({ envelope, raw });
    expect(info.response).toBe(`250 archived ${sha(raw)}`);
  });

  it("takes plaintext on loopback when TLS is not required", async () => {
    const intake = await h.start({ access: { requireTls: false } });
    const info = await intake.transport({ ignoreTLS: true, requireTLS: false }).sendMail({ envelope, raw: rfc822() });
    expect(info.response).toMatch(/^250 archived /);
  });

  it("offers STARTTLS and not AUTH before TLS, and AUTH (PLAIN, LOGIN) only inside it", async () => {
    const intake = await h.start({ access: { credentials } });
    const { client } = await RawSmtp.open(intake.port);
    const before = await client.send("EHLO client.example.com");
    expect(before.lines).toContain("250-STARTTLS");
    expect(before.text).not.toMatch(/AUTH/);
    expect((await client.send(`AUTH PLAIN ${plain({ user: USER, pass: PASSWORD })}`)).code).toBeGreaterThanOrEqual(500);

    await client.startTls();
    const after = await client.send("EHLO client.example.com");
    expect(after.text).toMatch(/^250[- ]AUTH PLAIN LOGIN$/m);
    expect(after.text).not.toMatch(/STARTTLS/);
    client.destroy();
  });
});

describe("SMTP AUTH", () => {
  it("accepts the configured credentials over TLS and marks the sender trusted", async () => {
    const intake = await h.start({ access: { credentials } });
    const raw = rfc822({ messageId: "<authenticated@example.com>" });
    const info = await intake.transport({ auth: { user: USER, pass: PASSWORD } }).sendMail({ envelope, raw });
    expect(info.response).toBe(`250 archived ${sha(raw)}`);
    expect(h.contexts.at(-1)).toMatchObject({ source: "smtp", senderTrusted: true, envelopeRecipients: [JOURNAL] });
  });

  it("refuses a wrong password with 535 and an unauthenticated MAIL FROM with 530", async () => {
    const intake = await h.start({ access: { credentials } });
    await expect(intake.transport({ auth: { user: USER, pass: WRONG } }).sendMail({ envelope, raw: rfc822() })).rejects.toMatchObject({ responseCode: 535 });
    await expect(intake.transport({ auth: { user: "someone-else", pass: PASSWORD } }).sendMail({ envelope, raw: rfc822() })).rejects.toMatchObject({ responseCode: 535 });
    await expect(intake.transport().sendMail({ envelope, raw: rfc822() })).rejects.toMatchObject({ responseCode: 530, command: "MAIL FROM" });
    expect(await h.archive.store.keys()).toEqual([]);
  });

  it("closes the connection with 421 after three failed attempts", async () => {
    const intake = await h.start({ access: { credentials } });
    const { client } = await RawSmtp.open(intake.port);
    await client.send("EHLO client.example.com");
    await client.startTls();
    await client.send("EHLO client.example.com");
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await client.send(`AUTH PLAIN ${plain({ user: USER, pass: `${WRONG}${i}` })}`)).code);
    expect(codes).toEqual([535, 535, 421]);
  });

  it("never writes the password, right or wrong, to the log", async () => {
    const intake = await h.start({ access: { credentials } });
    await intake.transport({ auth: { user: USER, pass: PASSWORD } }).sendMail({ envelope, raw: rfc822() });
    await intake.transport({ auth: { user: USER, pass: WRONG }, authMethod: "LOGIN" }).sendMail({ envelope, raw: rfc822() }).catch(() => undefined);
    await intake.transport({ auth: { user: PASSWORD, pass: WRONG } }).sendMail({ envelope, raw: rfc822() }).catch(() => undefined);
    const log = h.logs.join("");
    expect(log).toContain("smtp authentication refused");
    for (const secret of [PASSWORD, WRONG, Buffer.from(PASSWORD).toString("base64"), Buffer.from(WRONG).toString("base64")]) expect(log).not.toContain(secret);
  });
});

describe("client allow-list", () => {
  it("trusts a listed client without AUTH", async () => {
    const intake = await h.start({ access: { allow: parseAllowList("JOURNAL_SMTP_ALLOW", "10.0.0.0/8, 127.0.0.1").entries } });
    await intake.transport().sendMail({ envelope, raw: rfc822() });
    expect(h.contexts.at(-1)).toMatchObject({ senderTrusted: true });
  });

  it("refuses an unlisted client at the greeting when only the allow-list can admit it", async () => {
    const intake = await h.start({ access: { allow: parseAllowList("JOURNAL_SMTP_ALLOW", "10.0.0.0/8, ::ffff:192.168.0.0/112").entries } });
    const { client, greeting } = await RawSmtp.open(intake.port);
    expect(greeting.code).toBe(554);
    expect(greeting.text).toContain("not allowed");
    client.destroy();
  });

  it("lets an unlisted client in to authenticate when credentials are also configured", async () => {
    const intake = await h.start({ access: { credentials, allow: parseAllowList("JOURNAL_SMTP_ALLOW", "10.0.0.0/8").entries } });
    await expect(intake.transport().sendMail({ envelope, raw: rfc822() })).rejects.toMatchObject({ responseCode: 530 });
    await intake.transport({ auth: { user: USER, pass: PASSWORD } }).sendMail({ envelope, raw: rfc822() });
    expect(h.contexts.map((c) => c.senderTrusted)).toEqual([true]);
  });
});

describe("recipients", () => {
  it("refuses a non-journal recipient with 550 naming the rule, not the address, and archives the journal copy", async () => {
    const intake = await h.start();
    const { client } = await RawSmtp.open(intake.port);
    await client.send("EHLO client.example.com");
    await client.startTls();
    await client.send("EHLO client.example.com");
    expect((await client.send("MAIL FROM:<mta@example.com>")).code).toBe(250);
    const refused = await client.send("RCPT TO:<victim@elsewhere.example>");
    expect(refused.code).toBe(550);
    expect(refused.text).toContain("JOURNAL_ADDRESSES");
    expect(refused.text).not.toContain("victim");
    expect((await client.send(`RCPT TO:<${JOURNAL.toUpperCase()}>`)).code).toBe(250);
    client.destroy();

    const raw = rfc822({ messageId: "<mixed-rcpt@example.com>" });
    const info = await intake.transport().sendMail({ envelope: { from: "mta@example.com", to: ["victim@elsewhere.example", JOURNAL] }, raw });
    expect(info.rejected).toEqual(["victim@elsewhere.example"]);
    const meta = await h.metaFor(sha(raw));
    expect(meta.envelope.recipients.map((r) => r.address)).toEqual([JOURNAL]);
  });
});

describe("forged journal reports", () => {
  const report = readFileSync(join(__dirname, "..", "..", "fixtures", "journal", "exchange-online.eml"));

  it("archives a journal report from an untrusted client and tells the pipeline the sender is not trusted", async () => {
    // Loopback, no AUTH and no allow-list: mail is taken, but nobody vouches for its envelope.
    const intake = await h.start({ access: { requireTls: false } });
    const info = await intake.transport().sendMail({ envelope: { from: "attacker@example.net", to: [JOURNAL] }, raw: report });
    expect(info.response).toBe(`250 archived ${sha(report)}`);
    const key = (await h.archive.store.keys("messages/")).find((k) => k.includes(sha(report)))!;
    expect((await h.archive.store.get(key))!.equals(report)).toBe(true);
    // The forged envelope is kept, and the sidecar says nobody vouched for it.
    expect(await h.metaFor(sha(report))).toMatchObject({ format: "exchange-journal", envelope: { sender: "chris@contoso.com", verified: false } });
    expect(h.contexts).toEqual([expect.objectContaining({ source: "smtp", envelopeSender: "attacker@example.net", senderTrusted: false })]);
  });

  it("marks the same report trusted when it comes from an authenticated client", async () => {
    const intake = await h.start({ access: { credentials } });
    await intake.transport({ auth: { user: USER, pass: PASSWORD } }).sendMail({ envelope, raw: report });
    expect(await h.metaFor(sha(report))).toMatchObject({ format: "exchange-journal", envelope: { sender: "chris@contoso.com", verified: true } });
    expect(h.contexts).toEqual([expect.objectContaining({ senderTrusted: true })]);
  });
});

describe("unsafe configurations", () => {
  it("will not listen beyond loopback when nobody is identified", async () => {
    const tls = await loadOrCreateCertificate(h.dir);
    await expect(
      startSmtpIntake({
        pipeline: h.pipeline,
        port: 0,
        host: "0.0.0.0",
        maxMessageBytes: 1024,
        tls,
        logger: silentLogger,
        access: { requireTls: true, allow: [], journalAddresses: [JOURNAL] },
      }),
    ).rejects.toThrow(/non-loopback address needs AUTH credentials or an allow-list/);
  });

  it("names the setting of a configured certificate that cannot be read", async () => {
    const missing = join(h.dir, "no-such-cert.pem");
    await expect(loadOrCreateCertificate(h.dir, { certPath: missing, keyPath: missing })).rejects.toThrow(`JOURNAL_TLS_CERT="${missing}": cannot be read (ENOENT)`);
  });
});
