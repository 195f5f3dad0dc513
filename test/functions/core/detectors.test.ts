import { describe, expect, it } from "vitest";
import { createDetectorScanner, ibanValid, luhnValid, ssnValid } from "../../../functions/core/detectors";
import type { DetectorName } from "../../../functions/core/types";

const scan = (texts: string[], names: readonly DetectorName[] = ["card", "ssn", "iban"]) => {
  const scanner = createDetectorScanner(names);
  for (const text of texts) scanner.push(text);
  return scanner.flags();
};

describe("card numbers", () => {
  it("flags Luhn-valid numbers, plain or grouped by spaces or dashes", () => {
    expect(scan(["pay with 4111111111111111 please"])).toEqual(["card"]);
    expect(scan(["card 4111 1111 1111 1111."])).toEqual(["card"]);
    expect(scan(["card 5500-0000-0000-0004"])).toEqual(["card"]);
  });

  it("ignores Luhn-invalid numbers and digits inside longer runs", () => {
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(scan(["ref 4111111111111112"])).toEqual([]);
    expect(scan(["tracking 94111111111111111119"])).toEqual([]);
  });

  it("finds a number split across two chunks", () => {
    expect(scan(["card 4111 1111 ", "1111 1111 end"])).toEqual(["card"]);
  });
});

describe("US social security numbers", () => {
  it("flags AAA-GG-SSSS with a valid area, group and serial", () => {
    expect(scan(["SSN 123-45-6789"])).toEqual(["ssn"]);
  });

  it("rejects areas 000, 666 and 900-999, group 00 and serial 0000, and undashed numbers", () => {
    for (const [a, g, s] of [["000", "12", "3456"], ["666", "12", "3456"], ["912", "12", "3456"], ["123", "00", "4567"], ["123", "45", "0000"]]) {
      expect(ssnValid(a, g, s)).toBe(false);
      expect(scan([`SSN ${a}-${g}-${s}`])).toEqual([]);
    }
    expect(scan(["order 123456789"])).toEqual([]);
  });
});

describe("IBANs", () => {
  it("flags valid IBANs, compact or grouped", () => {
    expect(scan(["GB82WEST12345698765432"])).toEqual(["iban"]);
    expect(scan(["to DE89 3704 0044 0532 0130 00 today"])).toEqual(["iban"]);
  });

  it("rejects a wrong check digit, a wrong length for the country and an unknown country", () => {
    expect(ibanValid("GB83WEST12345698765432")).toBe(false);
    expect(ibanValid("GB82WEST1234569876543")).toBe(false);
    expect(ibanValid("XX82WEST12345698765432")).toBe(false);
    expect(scan(["GB83 WEST 1234 5698 7654 32"])).toEqual([]);
  });
});

it("runs only the detectors it is given and reports in a fixed order", () => {
  expect(scan(["GB82WEST12345698765432 and 123-45-6789 and 4111111111111111"])).toEqual(["card", "ssn", "iban"]);
  expect(scan(["123-45-6789 4111111111111111"], ["ssn"])).toEqual(["ssn"]);
});
