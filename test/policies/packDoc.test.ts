// docs/policy-pack.md lists every rule as the pack declares it (`policy:check --rules`), states the
// version the pack publishes under, and tells how to publish it in a way the CLI accepts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ruleCatalogue } from "../../infra/policyCheck/catalogue";
import { policyNames } from "../../policies/policies";
import { PACK_NAME, PACK_VERSION } from "../../policies/shared/pack";

const doc = readFileSync(join(__dirname, "..", "..", "docs", "policy-pack.md"), "utf8");

describe("docs/policy-pack.md", () => {
  it("lists every rule of the pack, one line each by cloud, as the pack declares it", () => {
    const listed = /<!-- rules: npm run policy:check -- --rules -->\n([\s\S]*?)\n<!-- \/rules -->/.exec(doc)?.[1];
    expect(listed, "the generated block is missing; paste `npm run policy:check -- --rules` between the markers").toBeDefined();
    expect(listed).toBe(ruleCatalogue());
    expect([...listed!.matchAll(/^- `([a-z0-9-]+)`/gm)].map((m) => m[1]).sort()).toEqual(policyNames().sort());
  });

  it("states the version the pack publishes under", () => {
    expect(/`policies\/package\.json`'s `version` \(now `([^`]+)`\)/.exec(doc)?.[1]).toBe(PACK_VERSION);
    expect(doc).toContain(`\`${PACK_NAME}\``);
  });

  it("publishes from the pack's folder, naming the organization (the command's only argument)", () => {
    expect(doc).toContain("npm ci --prefix policies");
    expect(doc).toMatch(/cd policies && pulumi policy publish <org>/);
  });
});
