// A deterministic large message: a text body and binary attachments, base64-encoded
// and line-wrapped as a mail client would send them, about `targetBytes` in total.
import { createHash } from "node:crypto";

function pseudoRandomBytes(length: number, seed: string): Buffer {
  const out = Buffer.alloc(length);
  let block = createHash("sha256").update(seed).digest();
  for (let offset = 0; offset < length; offset += block.length) {
    block.copy(out, offset);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

function base64Lines(data: Buffer): string {
  return data.toString("base64").replace(/.{76}/g, "$&\r\n");
}

export function largeMessage(targetBytes = 40 * 1024 * 1024, attachments = 4): Buffer {
  // base64 grows data by 4/3 plus CRLF every 76 characters.
  const perAttachment = Math.floor(((targetBytes - 4096) / attachments) * (3 / 4) * (76 / 78));
  const parts: string[] = [
    "From: Treasury Desk <treasury@example.com>",
    "To: Compliance <compliance@example.org>",
    "Subject: Month-end position files",
    "Date: Tue, 24 Nov 2026 09:30:00 +0000",
    "Message-ID: <month-end-positions@example.com>",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="bench-boundary"',
    "",
    "--bench-boundary",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Position files attached. Settlement account GB82 WEST 1234 5698 7654 32.\r\n".repeat(20),
  ];
  for (let i = 0; i < attachments; i++) {
    parts.push(
      "--bench-boundary",
      `Content-Type: application/octet-stream; name="positions-${i}.bin"`,
      `Content-Disposition: attachment; filename="positions-${i}.bin"`,
      "Content-Transfer-Encoding: base64",
      "",
      base64Lines(pseudoRandomBytes(perAttachment, `attachment-${i}`)),
    );
  }
  parts.push("--bench-boundary--", "");
  return Buffer.from(parts.join("\r\n"));
}
