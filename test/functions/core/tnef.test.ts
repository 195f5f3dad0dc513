// The TNEF reader (functions/core/tnef.ts) on the TNEF parts of the fixtures, and on damaged TNEF:
// it reads what is there and stops where the bytes stop making sense, never throwing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTnef, TNEF_SIGNATURE } from "../../../functions/core/tnef";

/** The base64 TNEF part of a fixture, decoded. */
function tnefOf(path: string): Buffer {
  const text = readFileSync(join(__dirname, "..", "..", "fixtures", path), "latin1");
  const base64 = /Content-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)/.exec(text)![1];
  return Buffer.from(base64.replace(/\r\n/g, ""), "base64");
}

describe("readTnef", () => {
  it("reads the body and an attached RFC 822 message with its title and MIME tag", () => {
    const message = readTnef(tnefOf("journal/tnef-winmail.eml"))!;
    expect(message.body).toMatch(/^Sender: chris@contoso\.com\r\n/);
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]).toMatchObject({ title: "original.eml", mimeTag: "message/rfc822" });
    expect(message.attachments[0].data!.toString()).toMatch(/^From: Chris Trader <chris@contoso\.com>\r\n/);
  });

  it("reads PR_BODY in Unicode and an embedded MAPI message's transport headers", () => {
    const message = readTnef(tnefOf("journal/tnef-summary.eml"))!;
    expect(message.body).toMatch(/^Sender: chris@contoso\.com\r\n/);
    const embedded = message.attachments[0].message!;
    expect(embedded.transportHeaders).toMatch(/^From: Chris Trader <chris@contoso\.com>\r\n[\s\S]*Message-ID: <alloc-2026-11-24@contoso\.com>/);
    expect(embedded.body).toMatch(/^Allocation attached/);
  });

  it("is undefined for bytes that are not TNEF", () => {
    expect(readTnef(Buffer.from("From: a@example.com\r\n\r\nhi"))).toBeUndefined();
    expect(readTnef(Buffer.alloc(0))).toBeUndefined();
  });

  it("reads every truncation and every single-byte change of a TNEF stream without throwing", () => {
    const tnef = tnefOf("journal/tnef-summary.eml");
    for (let length = 0; length <= tnef.length; length++) expect(() => readTnef(tnef.subarray(0, length))).not.toThrow();
    for (let at = 4; at < tnef.length; at++) {
      const damaged = Buffer.from(tnef);
      damaged[at] ^= 0xff;
      expect(() => readTnef(damaged)).not.toThrow();
    }
    expect(tnef.readUInt32LE(0)).toBe(TNEF_SIGNATURE);
  });
});
