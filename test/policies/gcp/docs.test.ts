// docs/gcp.md promises what its guarantee table says, and names the rule that enforces each row:
// every named rule is in the pack, every row names at least one, and every GCP rule backs a row.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { policyNames } from "../../../policies/policies";

const doc = readFileSync(join(__dirname, "..", "..", "..", "docs", "gcp.md"), "utf8");
const rows = doc
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| guarantee") && !line.startsWith("|---"))
  .map((line) => line.split("|").map((cell) => cell.trim()))
  .map((cells) => ({ guarantee: cells[1], rules: [...cells[3].matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]) }));

it("has a rule for every guarantee row", () => {
  expect(rows.map((r) => r.guarantee)).toEqual(["WORM", "no public access, TLS", "customer key", "roles", "intake", "audit", "alerts", "cost tiers", "backup", "DR"]);
  for (const row of rows) expect(row.rules.length, row.guarantee).toBeGreaterThan(0);
});

it("names only rules the pack has, and every GCP rule of the pack", () => {
  const named = new Set(rows.flatMap((r) => r.rules));
  expect([...named].filter((rule) => !policyNames().includes(rule))).toEqual([]);
  expect(policyNames().filter((rule) => rule.startsWith("gcp-") && !named.has(rule))).toEqual([]);
});
