// Each cloud's page promises what its guarantee table says, and names the rule of the pack that
// enforces each row: every row names at least one rule, every rule named is in the pack, and every
// rule of that cloud backs a row. A promise with no rule behind it fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policyNames } from "../../policies/policies";

/** The rows of the page's guarantee table: the guarantee, and the rules named in its last column. */
function guarantees(cloud: string): Array<{ guarantee: string; rules: string[] }> {
  const lines = readFileSync(join(__dirname, "..", "..", "docs", `${cloud}.md`), "utf8").split("\n");
  const start = lines.findIndex((line) => /^\| guarantee \| how \| (checked|enforced) by \|$/.test(line));
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("| ")) break;
    const cells = line.split(" | ");
    rows.push({ guarantee: cells[0].replace(/^\| /, ""), rules: [...cells[cells.length - 1].matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]) });
  }
  return rows;
}

describe.each(["aws", "azure", "gcp"])("docs/%s.md", (cloud) => {
  const rows = guarantees(cloud);

  it("has a guarantee table, and a rule for every row", () => {
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) expect(row.rules.length, row.guarantee).toBeGreaterThan(0);
  });

  it(`names only rules the pack has, and every ${cloud} rule of the pack`, () => {
    const named = new Set(rows.flatMap((r) => r.rules));
    expect([...named].filter((rule) => !policyNames().includes(rule))).toEqual([]);
    expect(policyNames().filter((rule) => rule.startsWith(`${cloud}-`) && !named.has(rule))).toEqual([]);
  });
});
