// `npm run dr:promote` on temporary copies of the real stack files, with the Pulumi runs recorded
// at the one boundary the command crosses (StackRunner): the plan, the file edits, the order of
// updates, dry runs, a lost old primary, and a failure that stops with the next command.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../infra/dr/cli";
import type { StackRunner } from "../../../infra/dr/runner";
import { ROOT } from "../../../infra/stackFiles";

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
/** The role each stack has as deployed, as its outputs say; an update deploys its file's role. */
let deployed: Map<string, unknown>;
let previewsFail: string | undefined;

const runner: StackRunner = {
  async preview(stack, configFile) {
    record("preview", stack, configFile);
    if (previewsFail) throw new Error(previewsFail);
    return { same: 40, update: 3, create: 2 };
  },
  async up(stack, configFile) {
    const call = record("up", stack, configFile);
    deployed.set(short(stack), call.role);
    return { intakeUrl: `https://intake.example/${short(stack)}`, role: call.role };
  },
  async outputs(stack) {
    if (!deployed.has(short(stack))) throw new Error("the pulumi CLI is not on PATH");
    return { role: deployed.get(short(stack)) };
  },
};
const short = (stack: string) => stack.split("/").pop()!;

function record(op: Call["op"], stack: string, configFile: string) {
  const config = (load(readFileSync(configFile, "utf8")) as { config: Record<string, unknown> }).config;
  const call = { op, stack, configFile, role: config["email-journal:role"], peerLost: config["email-journal:peerLost"] };
  calls.push(call);
  if (failOn?.(call)) throw new Error("error: update failed: the region's API endpoint timed out");
  return call;
}

const promote = (...args: string[]) => main(args, { root, runner, out: (l) => out.push(l), err: (l) => err.push(l) });
const file = (path: string) => readFileSync(join(root, path), "utf8");
const roleIn = (path: string) => (load(file(path)) as { config: Record<string, unknown> }).config["email-journal:role"];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "journal-promote-test-"));
  for (const name of readdirSync(ROOT).filter((n) => /^Pulumi\..*\.yaml$/.test(n))) cpSync(join(ROOT, name), join(root, name));
  calls = [];
  deployed = new Map(["aws-us-east-1", "azure-eastus2", "gcp-us-east4"].flatMap((p) => [[p, "primary"]]).concat(["aws-us-west-2", "azure-centralus", "gcp-us-central1"].map((s) => [s, "standby"])) as Array<[string, unknown]>);
  previewsFail = undefined;
  out = [];
  err = [];
  failOn = undefined;
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("the standby:promote", () => {
  it("promotes the standby, then demotes the primary, editing only the role line of each file, and prints the AWS cut-over", async () => {
    const before = { standby: file("Pulumi.aws-us-west-2.yaml"), primary: file("Pulumi.aws-us-east-1.yaml") };
    expect(await promote("--stack", "aws-us-west-2")).toBe(0);
    expect(file("Pulumi.aws-us-west-2.yaml")).toBe(before.standby.replace("email-journal:role: standby", "email-journal:role: primary"));
    expect(file("Pulumi.aws-us-east-1.yaml")).toBe(before.primary.replace("email-journal:role: primary", "email-journal:role: standby"));
    expect(calls.map((c) => [c.op, c.stack, c.role])).toEqual([
      ["up", "acme-bank/email-journal/aws-us-west-2", "primary"],
      ["up", "acme-bank/email-journal/aws-us-east-1", "standby"],
    ]);
    // Plain stack files: Pulumi reads Pulumi.<stack>.yaml itself.
    for (const call of calls) expect(call.configFile).toBe(join(root, `Pulumi.${short(call.stack)}.yaml`));
    const printed = out.join("\n");
    expect(printed).toMatch(/\[\d{4}-\d\d-\d\dT[\d:.]+Z\] promote acme-bank\/email-journal\/aws-us-west-2: update: started/);
    expect(printed).toContain("pulumi up --stack acme-bank/email-journal/aws-us-west-2\n");
    expect(printed).toContain("done by the update: The SES receipt rule set in us-west-2 is now the active one");
    expect(printed).toContain("Point the MX record of archive.example.com at inbound-smtp.us-west-2.amazonaws.com");
  });

  it("on a dry run prints the whole plan, previews both updates against edited copies, and leaves the files as they were", async () => {
    const before = { standby: file("Pulumi.gcp-us-central1.yaml"), primary: file("Pulumi.gcp-us-east4.yaml") };
    expect(await promote("--stack", "gcp-us-central1", "--dry-run")).toBe(0);
    expect(file("Pulumi.gcp-us-central1.yaml")).toBe(before.standby);
    expect(file("Pulumi.gcp-us-east4.yaml")).toBe(before.primary);
    expect(calls.map((c) => [c.op, c.stack, c.role])).toEqual([
      ["preview", "acme-bank/email-journal/gcp-us-central1", "primary"],
      ["preview", "acme-bank/email-journal/gcp-us-east4", "standby"],
    ]);
    for (const call of calls) expect(call.configFile.startsWith(root)).toBe(false);
    const printed = out.join("\n");
    expect(printed).toContain("DRY RUN (nothing changes)");
    expect(printed).toMatch(/the plan, in order:\n  1\. promote acme-bank\/email-journal\/gcp-us-central1 \(role standby → primary\)\n .*Pulumi\.gcp-us-central1\.yaml:\n\s+- email-journal:role: standby\n\s+\+ email-journal:role: primary\n\s+then pulumi up --stack acme-bank\/email-journal\/gcp-us-central1\n  2\. demote acme-bank\/email-journal\/gcp-us-east4 \(role primary → standby\)/);
    expect(printed).toMatch(/  3\. the mail cut-over:\n.*done by the update: The configured relays may invoke the HTTP intake in us-central1/);
    expect(printed).toContain("would change: 3 update, 2 create");
    expect(printed).toContain("every preview ran");
  });

  it("on a dry run where no preview can run, still prints the whole plan, then which previews were skipped and why", async () => {
    previewsFail = "the pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to the stacks' backend";
    deployed.clear();
    expect(await promote("--stack", "aws-us-west-2", "--dry-run")).toBe(0);
    const printed = out.join("\n");
    expect(printed).toMatch(/1\. promote acme-bank\/email-journal\/aws-us-west-2[\s\S]*2\. demote acme-bank\/email-journal\/aws-us-east-1[\s\S]*3\. the mail cut-over:[\s\S]*Point the MX record/);
    expect(printed).toContain(`previews skipped (the plan above still stands):\n  acme-bank/email-journal/aws-us-west-2: ${previewsFail}\n  acme-bank/email-journal/aws-us-east-1: ${previewsFail}`);
    expect(err).toEqual([]);
  });

  it("on Azure demotes the primary first: its replication policy makes the standby's archive refuse writes until it is gone", async () => {
    expect(await promote("--stack", "azure-centralus")).toBe(0);
    expect(calls.map((c) => [c.stack, c.role])).toEqual([
      ["acme-bank/email-journal/azure-eastus2", "standby"],
      ["acme-bank/email-journal/azure-centralus", "primary"],
    ]);
    expect(out.join("\n")).toContain("Point every relay (journal connector, MTA) at https://intake.example/azure-centralus");
  });

  it("with the old primary lost, promotes the standby alone with peerLost, and says what to do first and later", async () => {
    expect(await promote("--stack", "azure-centralus", "--old-primary-lost")).toBe(0);
    expect(calls.map((c) => [c.stack, c.role, c.peerLost])).toEqual([["acme-bank/email-journal/azure-centralus", "primary", true]]);
    expect(roleIn("Pulumi.azure-eastus2.yaml")).toBe("primary");
    const printed = out.join("\n");
    expect(printed).toContain("before promoting: Remove the old primary's object replication policy from azure-centralus's archive account");
    expect(printed).toContain("when its region is back, run npm run dr:promote -- --stack azure-centralus --old-primary-lost without --old-primary-lost");
  });

  it("stops at the first failed step with what is done and the command to carry on, which then completes the pair", async () => {
    failOn = (call) => call.stack.endsWith("/gcp-us-east4");
    expect(await promote("--stack", "gcp-us-central1")).toBe(1);
    expect(err.join("\n")).toContain('promotion stopped: step "demote acme-bank/email-journal/gcp-us-east4: update" failed: error: update failed: the region\'s API endpoint timed out');
    expect(err.join("\n")).toContain(
      "done: promote acme-bank/email-journal/gcp-us-central1: set role primary; promote acme-bank/email-journal/gcp-us-central1: update; demote acme-bank/email-journal/gcp-us-east4: set role standby",
    );
    expect(err.join("\n")).toContain("next: fix the cause above, then run `npm run dr:promote -- --stack gcp-us-central1`");

    // Both files now say where the pair is going, but the old primary is still deployed as primary: the rerun has work left.
    failOn = undefined;
    out = [];
    err = [];
    expect(await promote("--stack", "gcp-us-central1")).toBe(0);
    expect(out.join("\n")).toContain("already says role primary; no change");
    expect([roleIn("Pulumi.gcp-us-central1.yaml"), roleIn("Pulumi.gcp-us-east4.yaml")]).toEqual(["primary", "standby"]);
  });

  it("refuses to promote the stack that already is the primary, in its file and as deployed", async () => {
    expect(await promote("--stack", "aws-us-west-2")).toBe(0);
    calls = [];
    expect(await promote("--stack", "aws-us-west-2")).toBe(2);
    expect(err.join("\n")).toContain("aws-us-west-2 already is the primary and acme-bank/email-journal/aws-us-east-1 the standby, in its stack file and as deployed: nothing to promote");
    expect(calls).toEqual([]);
    // Failing back is promoting the other stack of the pair.
    expect(await promote("--stack", "aws-us-east-1")).toBe(0);
    expect([roleIn("Pulumi.aws-us-east-1.yaml"), roleIn("Pulumi.aws-us-west-2.yaml")]).toEqual(["primary", "standby"]);
  });

  it.each([
    [[], "--stack is required: the standby to promote, e.g. aws-us-west-2"],
    [["--stack", "staging"], "cannot plan the promotion: no stack file for staging: expected"],
    [["--stack", "aws-us-west-2", "--force"], "Unknown option '--force'"],
  ])("refuses %j with exit 2 and says why", async (args, message) => {
    expect(await promote(...args)).toBe(2);
    expect(err.join("\n")).toContain(message);
    expect(calls).toEqual([]);
  });

  it("refuses two files that are not one pair", async () => {
    const primary = join(root, "Pulumi.gcp-us-east4.yaml");
    writeFileSync(primary, readFileSync(primary, "utf8").replace("peerStack: acme-bank/email-journal/gcp-us-central1", "peerStack: acme-bank/email-journal/gcp-europe-west1"));
    expect(await promote("--stack", "gcp-us-central1")).toBe(2);
    expect(err.join("\n")).toContain("names acme-bank/email-journal/gcp-europe-west1 as its peer, not gcp-us-central1: the two files are not one DR pair");
  });
});
