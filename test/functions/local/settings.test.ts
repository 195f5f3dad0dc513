// The SMTP access and intake limit settings: safe defaults, and every bad value named.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readLocalSettings } from "../../../functions/local/settings";

const folder = mkdtempSync(join(tmpdir(), "journal-settings-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const secretFile = (name: string, content: string) => {
  const path = join(folder, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
};
const PASSWORD = "a-long-enough-smtp-secret";
const problemsOf = (env: Record<string, string>): string => {
  try {
    readLocalSettings(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("settings were accepted");
};

describe("SMTP access settings", () => {
  it("defaults to the try-it setup: loopback, TLS optional, no AUTH or allow-list, journal@localhost, bounded limits", () => {
    expect(readLocalSettings({})).toMatchObject({
      bind: "127.0.0.1",
      smtp: { requireTls: false, allow: [], journalAddresses: ["journal@localhost"], maxClients: 32 },
      intake: { maxConcurrentTransfers: 8, maxConcurrentIngests: 2 },
    });
    expect(readLocalSettings({}).smtp.credentials).toBeUndefined();
  });

  it("requires TLS by default on a non-loopback bind, and lets the operator say otherwise", () => {
    const network = { JOURNAL_BIND: "0.0.0.0", JOURNAL_SMTP_ALLOW: "192.0.2.10" };
    expect(readLocalSettings(network).smtp.requireTls).toBe(true);
    expect(readLocalSettings({ ...network, JOURNAL_SMTP_REQUIRE_TLS: "false" }).smtp.requireTls).toBe(false);
    expect(readLocalSettings({ JOURNAL_SMTP_REQUIRE_TLS: "true" }).smtp.requireTls).toBe(true);
    expect(readLocalSettings({ JOURNAL_BIND: "::1" }).smtp.requireTls).toBe(false);
  });

  it("refuses a non-loopback bind with nobody identified, naming the settings that fix it", () => {
    expect(problemsOf({ JOURNAL_BIND: "0.0.0.0" })).toMatch(/JOURNAL_BIND="0.0.0.0" takes SMTP from the network: .*JOURNAL_SMTP_USER \+ JOURNAL_SMTP_PASSWORD_FILE .*JOURNAL_SMTP_ALLOW/);
    expect(problemsOf({ JOURNAL_BIND: "::" })).toMatch(/JOURNAL_BIND="::" takes SMTP from the network/);
  });

  it("reads credentials from a password file (one trailing line break dropped) or the environment", () => {
    const file = secretFile("password", `${PASSWORD}\n`);
    expect(readLocalSettings({ JOURNAL_SMTP_USER: "mta", JOURNAL_SMTP_PASSWORD_FILE: file }).smtp.credentials).toEqual({ username: "mta", password: PASSWORD });
    expect(readLocalSettings({ JOURNAL_SMTP_USER: "mta", JOURNAL_SMTP_PASSWORD: PASSWORD }).smtp.credentials).toEqual({ username: "mta", password: PASSWORD });
    expect(readLocalSettings({ JOURNAL_BIND: "10.1.2.3", JOURNAL_SMTP_USER: "mta", JOURNAL_SMTP_PASSWORD_FILE: file }).bind).toBe("10.1.2.3");
  });

  it("parses the allow-list and the journal addresses", () => {
    const settings = readLocalSettings({ JOURNAL_SMTP_ALLOW: "192.0.2.0/24, 2001:db8::/32, ::ffff:198.51.100.7", JOURNAL_ADDRESSES: "Journal@Example.com, audit@example.com,journal@example.com" });
    expect(settings.smtp.allow).toEqual([
      { network: "192.0.2.0", prefix: 24, family: "ipv4" },
      { network: "2001:db8::", prefix: 32, family: "ipv6" },
      { network: "198.51.100.7", prefix: 32, family: "ipv4" },
    ]);
    expect(settings.smtp.journalAddresses).toEqual(["journal@example.com", "audit@example.com"]);
  });

  it.each([
    [{ JOURNAL_SMTP_REQUIRE_TLS: "yes" }, /JOURNAL_SMTP_REQUIRE_TLS="yes": must be true or false/],
    [{ JOURNAL_SMTP_ALLOW: "10.0.0.0/33" }, /JOURNAL_SMTP_ALLOW entry "10.0.0.0\/33": must be an IPv4 or IPv6 address, optionally with a \/prefix/],
    [{ JOURNAL_SMTP_ALLOW: "mail.example.com" }, /JOURNAL_SMTP_ALLOW entry "mail.example.com": must be an IPv4 or IPv6 address/],
    [{ JOURNAL_SMTP_ALLOW: "2001:db8::/129" }, /JOURNAL_SMTP_ALLOW entry "2001:db8::\/129"/],
    [{ JOURNAL_SMTP_ALLOW: "0.0.0.0/0" }, /JOURNAL_SMTP_ALLOW entry "0.0.0.0\/0": a \/0 range would trust every client/],
    [{ JOURNAL_ADDRESSES: "journal" }, /JOURNAL_ADDRESSES entry "journal": must be a mail address like journal@example.com/],
    [{ JOURNAL_ADDRESSES: " , " }, /JOURNAL_ADDRESSES is empty/],
    [{ JOURNAL_SMTP_USER: "mta" }, /JOURNAL_SMTP_USER and JOURNAL_SMTP_PASSWORD\(_FILE\): set both for SMTP AUTH, or neither/],
    [{ JOURNAL_SMTP_PASSWORD: PASSWORD }, /JOURNAL_SMTP_USER and JOURNAL_SMTP_PASSWORD\(_FILE\): set both/],
    [{ JOURNAL_SMTP_USER: "m t a", JOURNAL_SMTP_PASSWORD: PASSWORD }, /JOURNAL_SMTP_USER="m t a": must be 1-256 characters without spaces/],
    [{ JOURNAL_SMTP_USER: "mta", JOURNAL_SMTP_PASSWORD: PASSWORD, JOURNAL_SMTP_PASSWORD_FILE: "/x" }, /set one, not both/],
    [{ JOURNAL_SMTP_USER: "mta", JOURNAL_SMTP_PASSWORD_FILE: join(tmpdir(), "no-such-journal-password") }, /JOURNAL_SMTP_PASSWORD_FILE=".*no-such-journal-password": cannot be read \(ENOENT\)/],
    [{ JOURNAL_SMTP_MAX_CLIENTS: "0" }, /JOURNAL_SMTP_MAX_CLIENTS="0": must be a whole number from 1 to 10000/],
    [{ JOURNAL_MAX_CONCURRENT_TRANSFERS: "many" }, /JOURNAL_MAX_CONCURRENT_TRANSFERS="many": must be a whole number from 1 to 1000/],
    [{ JOURNAL_MAX_CONCURRENT_INGESTS: "65" }, /JOURNAL_MAX_CONCURRENT_INGESTS="65": must be a whole number from 1 to 64/],
    [{ JOURNAL_MAX_CONCURRENT_TRANSFERS: "2", JOURNAL_MAX_CONCURRENT_INGESTS: "3" }, /JOURNAL_MAX_CONCURRENT_INGESTS \(3\) is more than JOURNAL_MAX_CONCURRENT_TRANSFERS \(2\)/],
  ])("rejects %j", (env, message) => {
    expect(problemsOf(env)).toMatch(message);
  });

  it("names a short password without showing it, from the environment or a file", () => {
    const short = "tiny-secret";
    const fromEnv = problemsOf({ JOURNAL_SMTP_USER: "mta", JOURNAL_SMTP_PASSWORD: short });
    expect(fromEnv).toContain("JOURNAL_SMTP_PASSWORD (value not shown, 11 characters): must be at least 16 characters");
    const fromFile = problemsOf({ JOURNAL_SMTP_USER: "mta", JOURNAL_SMTP_PASSWORD_FILE: secretFile("short", short) });
    expect(fromFile).toMatch(/JOURNAL_SMTP_PASSWORD_FILE=".*short" \(value not shown, 11 characters\)/);
    for (const message of [fromEnv, fromFile]) expect(message).not.toContain(short);
  });

  it("collects every SMTP problem in one error", () => {
    const message = problemsOf({ JOURNAL_SMTP_REQUIRE_TLS: "maybe", JOURNAL_SMTP_ALLOW: "nope", JOURNAL_ADDRESSES: "bad", JOURNAL_SMTP_MAX_CLIENTS: "-1" });
    expect(message.split("\n").slice(1).map((line) => line.trim().split(/[ =]/)[0])).toEqual([
      "JOURNAL_SMTP_REQUIRE_TLS",
      "JOURNAL_SMTP_ALLOW",
      "JOURNAL_ADDRESSES",
      "JOURNAL_SMTP_MAX_CLIENTS",
    ]);
  });
});
