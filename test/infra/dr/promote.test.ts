// `npm run dr:promote` on temporary copies of the real stack files, with the Pulumi runs recorded
// at the one boundary the command crosses (StackRunner): the plan, the file edits, the order of
// updates, dry runs, a lost old primary, and a failure that stops with the next command.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../infra/dr/cli";
import type { StackRunner } from "../../../infra/dr/runner";
import { ROOT } from "../../../policies/check/stackFiles";

interface Call {
  readonly op: "preview" | "up";
  readonly stack: string;
  readonly configFile: string;
  /** The config the file held when Pulumi would have read it. */
  readonly role: unknown;
  readonly peerLost: unknown;
}

let root: string;
let calls: Call[];
let out: string[];
let err: string[];
let failOn: ((call: Call) => boolean) | undefined;

const runner: StackRunner = {
  async preview(stack, configFile) {
    record("preview", stack, configFile);
    return { same: 40, update: 3, create: 2 };
  },
  async up(stack, configFile) {
    record("up", stack, configFile);
    return { intakeUrl: `https://intake.example/${stack.split("/").pop()}` };
  },
};

function record(op: Call["op"], stack: string, configFile: string) {
  const config = (load(readFileSync(configFile, "utf8")) as { config: Record<string, unknown> }).config;
  const call = { op, stack, configFile, role: config["email-journal:role"], peerLost: config["email-journal:peerLost"] };
  calls.push(call);
  if (failOn?.(call)) throw new Error("error: update failed: the region's API endpoint timed out");
}

const promote = (...args: string[]) => main(args, { root, runner, out: (l) => out.push(l), err: (l) => err.push(l) });
const file = (path: string) => readFileSync(join(root, path), "utf8");
const roleIn = (path: string) => (load(file(path)) as { config: Record<string, unknown> }).config["email-journal:role"];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "journal-promote-test-"));
  for (const path of ["Pulumi.prod.yaml", "Pulumi.dr.yaml", "stacks"]) cpSync(join(ROOT, path), join(root, path), { recursive: true });
  calls = [];
  out = [];
  err = [];
  failOn = undefined;
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("dr:promote", () => {
  it("promotes dr, then demotes prod, editing only the role line of each file, and prints the AWS cut-over", async () => {
    const before = { dr: file("Pulumi.dr.yaml"), prod: file("Pulumi.prod.yaml") };
    expect(await promote("--stack", "dr")).toBe(0);
    expect(file("Pulumi.dr.yaml")).toBe(before.dr.replace("email-journal:role: standby", "email-journal:role: primary"));
    expect(file("Pulumi.prod.yaml")).toBe(before.prod.replace("email-journal:role: primary", "email-journal:role: standby"));
    expect(calls.map((c) => [c.op, c.stack, c.role])).toEqual([
      ["up", "acme-bank/email-journal/dr", "primary"],
      ["up", "acme-bank/email-journal/prod", "standby"],
    ]);
    const printed = out.join("\n");
    expect(printed).toMatch(/\[\d{4}-\d\d-\d\dT[\d:.]+Z\] promote acme-bank\/email-journal\/dr: update: started/);
    expect(printed).toContain("pulumi up --stack acme-bank/email-journal/dr --config-file Pulumi.dr.yaml");
    expect(printed).toContain("done by the update: The SES receipt rule set in us-west-2 is now the active one");
    expect(printed).toContain("Point the MX record of archive.example.com at inbound-smtp.us-west-2.amazonaws.com");
  });

  it("on a dry run previews both updates against edited copies and leaves the stack files as they were", async () => {
    const before = { dr: file("stacks/gcp/Pulumi.dr.yaml"), prod: file("stacks/gcp/Pulumi.prod.yaml") };
    expect(await promote("--stack", "dr", "--cloud", "gcp", "--dry-run")).toBe(0);
    expect(file("stacks/gcp/Pulumi.dr.yaml")).toBe(before.dr);
    expect(file("stacks/gcp/Pulumi.prod.yaml")).toBe(before.prod);
    expect(calls.map((c) => [c.op, c.stack, c.role])).toEqual([
      ["preview", "acme-bank/email-journal/dr", "primary"],
      ["preview", "acme-bank/email-journal/prod", "standby"],
    ]);
    for (const call of calls) expect(call.configFile.startsWith(root)).toBe(false);
    const printed = out.join("\n");
    expect(printed).toContain("DRY RUN (nothing changes)");
    expect(printed).toContain("- email-journal:role: standby\n    + email-journal:role: primary");
    expect(printed).toContain("would change: 3 update, 2 create");
    expect(printed).toContain("Point every relay at the promoted stack's `intakeUrl` output");
  });

  it("on Azure demotes prod first: its replication policy makes dr's archive refuse writes until it is gone", async () => {
    expect(await promote("--stack", "dr", "--cloud", "azure")).toBe(0);
    expect(calls.map((c) => [c.stack, c.role])).toEqual([
      ["acme-bank/email-journal/prod", "standby"],
      ["acme-bank/email-journal/dr", "primary"],
    ]);
    expect(out.join("\n")).toContain("Point every relay (journal connector, MTA) at https://intake.example/dr");
  });

  it("with the old primary lost, promotes dr alone with peerLost, and says what to do first and later", async () => {
    expect(await promote("--stack", "dr", "--cloud", "azure", "--old-primary-lost")).toBe(0);
    expect(calls.map((c) => [c.stack, c.role, c.peerLost])).toEqual([["acme-bank/email-journal/dr", "primary", true]]);
    expect(roleIn("stacks/azure/Pulumi.prod.yaml")).toBe("primary");
    const printed = out.join("\n");
    expect(printed).toContain("before promoting: Remove the old primary's object replication policy from dr's archive account");
    expect(printed).toContain("when its region is back, run npm run dr:promote -- --stack dr --cloud azure --old-primary-lost without --old-primary-lost");
  });

  it("stops at the first failed step with what is done and the command to carry on, which then completes the pair", async () => {
    failOn = (call) => call.stack.endsWith("/prod");
    expect(await promote("--stack", "dr", "--cloud", "gcp")).toBe(1);
    expect(err.join("\n")).toContain('promotion stopped: step "demote acme-bank/email-journal/prod: update" failed: error: update failed: the region\'s API endpoint timed out');
    expect(err.join("\n")).toContain("done: promote acme-bank/email-journal/dr: set role primary; promote acme-bank/email-journal/dr: update; demote acme-bank/email-journal/prod: set role standby");
    expect(err.join("\n")).toContain("next: fix the cause above, then run `npm run dr:promote -- --stack dr --cloud gcp`");

    failOn = undefined;
    out = [];
    expect(await promote("--stack", "dr", "--cloud", "gcp")).toBe(0);
    expect(out.join("\n")).toContain("already says role primary; no change");
    expect([roleIn("stacks/gcp/Pulumi.dr.yaml"), roleIn("stacks/gcp/Pulumi.prod.yaml")]).toEqual(["primary", "standby"]);
  });

  it.each([
    [["--cloud", "aws"], "--stack is required: the standby to promote, e.g. dr"],
    [["--stack", "dr", "--cloud", "oracle"], '--cloud is "oracle"; use one of aws, azure, gcp'],
    [["--stack", "staging"], "cannot plan the promotion: no stack file for staging on aws: expected"],
    [["--stack", "dr", "--force"], "Unknown option '--force'"],
  ])("refuses %j with exit 2 and says why", async (args, message) => {
    expect(await promote(...args)).toBe(2);
    expect(err.join("\n")).toContain(message);
    expect(calls).toEqual([]);
  });

  it("refuses two files that are not one pair", async () => {
    const prod = join(root, "stacks/gcp/Pulumi.prod.yaml");
    writeFileSync(prod, readFileSync(prod, "utf8").replace("peerStack: acme-bank/email-journal/dr", "peerStack: acme-bank/email-journal/dr2"));
    expect(await promote("--stack", "dr", "--cloud", "gcp")).toBe(2);
    expect(err.join("\n")).toContain("names acme-bank/email-journal/dr2 as its peer, not dr: the two files are not one DR pair");
  });
});
