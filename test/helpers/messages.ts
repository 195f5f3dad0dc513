// Small messages built in the test, for behaviour that needs exact control of the bytes.
export interface MessageParts {
  readonly from?: string;
  readonly to?: string;
  readonly subject?: string;
  readonly date?: string;
  readonly messageId?: string;
  readonly body?: string;
  readonly extraHeaders?: readonly string[];
}

export function rfc822(parts: MessageParts = {}): Buffer {
  const headers = [
    `From: ${parts.from ?? "Alice Example <alice@example.com>"}`,
    `To: ${parts.to ?? "bob@example.org"}`,
    `Subject: ${parts.subject ?? "Quarterly figures"}`,
    `Date: ${parts.date ?? "Tue, 24 Nov 2026 09:30:00 +0000"}`,
    `Message-ID: ${parts.messageId ?? "<q3-figures@example.com>"}`,
    ...(parts.extraHeaders ?? []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
  ];
  return Buffer.from(headers.join("\r\n") + "\r\n\r\n" + (parts.body ?? "Please find the figures below.\r\n"));
}
