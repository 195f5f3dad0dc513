// Sensitive-data flags: card numbers (Luhn), US SSNs, IBANs (ISO 13616 mod-97).
// Flags only: the message is archived regardless, and no matched value is kept.
import type { DetectorName } from "./types";

export const ALL_DETECTORS: readonly DetectorName[] = ["card", "ssn", "iban"];

/** Text carried from one chunk to the next, so a number split across chunks is still seen. */
const OVERLAP = 48;

// Digit groups separated by single spaces or dashes, 13–19 digits in all, not inside a longer run.
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])/g;
const SSN = /(?<![\d-])(\d{3})-(\d{2})-(\d{4})(?![\d-])/g;
const IBAN = /(?<![A-Z0-9])([A-Z]{2})(\d{2})((?: ?[A-Z0-9]){10,30})(?![A-Z0-9])/g;

/** IBAN lengths by country (ISO 13616 registry): the SEPA countries plus a few widely used others. */
const IBAN_LENGTH: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18,
  FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27,
  VA: 22, AE: 23, SA: 24, TR: 26, IL: 23, BR: 29,
};

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== "00" && serial !== "0000";
}

export function ibanValid(compact: string): boolean {
  if (IBAN_LENGTH[compact.slice(0, 2)] !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

const MATCHERS: Record<DetectorName, (text: string) => boolean> = {
  card: (text) => anyMatch(CARD, text, (m) => luhnValid(m[0].replace(/[ -]/g, ""))),
  ssn: (text) => anyMatch(SSN, text, (m) => ssnValid(m[1], m[2], m[3])),
  // The grouped form may run on into the next word ("... 00 TODAY"): check the country's length only.
  iban: (text) => anyMatch(IBAN, text.toUpperCase(), (m) => ibanValid(m[0].replace(/ /g, "").slice(0, IBAN_LENGTH[m[1]] ?? 0))),
};

function anyMatch(pattern: RegExp, text: string, valid: (m: RegExpExecArray) => boolean): boolean {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    if (valid(m)) return true;
  }
  return false;
}

export interface DetectorScanner {
  /** Feeds the next piece of decoded text. */
  push(text: string): void;
  /** Detectors that matched so far, in the order card, ssn, iban. */
  flags(): DetectorName[];
}

/**
 * A streaming scanner: each push is scanned together with the tail of the previous
 * one, so a value split across chunks is found, and nothing but that tail is held.
 * A detector stops running once it has matched.
 */
export function createDetectorScanner(names: readonly DetectorName[]): DetectorScanner {
  const pending = new Set(names.filter((name) => name in MATCHERS));
  const found = new Set<DetectorName>();
  let tail = "";
  return {
    push(text) {
      if (pending.size === 0 || text.length === 0) return;
      const window = tail + text;
      for (const name of pending) {
        if (MATCHERS[name](window)) {
          found.add(name);
          pending.delete(name);
        }
      }
      tail = window.slice(-OVERLAP);
    },
    flags: () => ALL_DETECTORS.filter((name) => found.has(name)),
  };
}
