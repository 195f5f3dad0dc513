// The archive layout of DESIGN.md, the same on every cloud and locally.

const SHA256_HEX = /^[0-9a-f]{64}$/;

export type Area = "messages" | "meta" | "quarantine";

/** `YYYY/MM/DD` of an instant, in UTC. */
export function datePath(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}

export function isSha256(value: string): boolean {
  return SHA256_HEX.test(value);
}

function objectKey(area: Area, at: Date, sha256: string, ext: "eml" | "json"): string {
  if (!isSha256(sha256)) {
    throw new Error(`sha256 must be 64 lower-case hex characters, got "${sha256}"`);
  }
  return `${area}/${datePath(at)}/${sha256}.${ext}`;
}

export const messageKey = (at: Date, sha256: string) => objectKey("messages", at, sha256, "eml");
export const metaKey = (at: Date, sha256: string) => objectKey("meta", at, sha256, "json");
export const quarantineKey = (at: Date, sha256: string) => objectKey("quarantine", at, sha256, "eml");
export const quarantineRecordKey = (at: Date, sha256: string) => objectKey("quarantine", at, sha256, "json");

const KEY_PATTERN = /^(messages|meta|quarantine)\/(\d{4})\/(\d{2})\/(\d{2})\/([0-9a-f]{64})\.(eml|json)$/;

export interface ParsedKey {
  readonly area: Area;
  readonly date: string;
  readonly sha256: string;
  readonly ext: "eml" | "json";
}

/** Parses a layout key; `undefined` for anything that is not one. */
export function parseKey(key: string): ParsedKey | undefined {
  const m = KEY_PATTERN.exec(key);
  if (!m) return undefined;
  return { area: m[1] as Area, date: `${m[2]}-${m[3]}-${m[4]}`, sha256: m[5], ext: m[6] as "eml" | "json" };
}
