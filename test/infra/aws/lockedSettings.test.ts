// Changes the locked buckets' own policies refuse to everyone but break-glass (finding 4a): the
// program recognises them before anything is built and says which role to run as, instead of
// letting `pulumi up` fail half-way with AccessDenied.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { checkLockedSettings, lockedChanges, lockedSettingsOf, refuseLockedChanges } from "../../../infra/aws/lockedSettings";
import { parseStackConfig } from "../../../infra/config";
import { projectConfig } from "../../../infra/stackFiles";

const BREAK_GLASS = "arn:aws:iam::111122223333:role/archive-break-glass";
const primary = (changes: Record<string, unknown> = {}) => parseStackConfig({ ...projectConfig("aws-us-east-1"), ...changes }, "aws-us-east-1");
const deployed = lockedSettingsOf(primary());
const longer = { retention: { minimumDays: 3000, maximumDays: 3500, mode: "compliance" } };

// This stack's own last outputs, as Pulumi answers a reference to it: what the primary's stack file deploys.
const references: string[] = [];
beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        references.push(args.inputs.name);
        return { id: args.inputs.name, state: { ...args.inputs, outputs: { lockedSettings: deployed } } };
      },
      call: (args) => args.inputs,
    },
    "email-journal",
    "aws-us-east-1",
    true,
    "acme-bank",
  );
});

describe("the locked settings", () => {
  it("change with the Object Lock retention, the break-glass exemption, and nothing else the config holds", () => {
    expect(lockedChanges(deployed, lockedSettingsOf(primary(longer)))).toEqual([
      "archive bucket Object Lock default retention (COMPLIANCE 2557 days → COMPLIANCE 3000 days)",
      "trail log bucket Object Lock default retention (COMPLIANCE 2557 days → COMPLIANCE 3000 days)",
    ]);
    expect(lockedChanges(deployed, lockedSettingsOf(primary({ breakGlass: "arn:aws:iam::111122223333:role/other" })))).toEqual(["archive bucket bucket policy", "trail log bucket bucket policy"]);
    expect(lockedChanges(deployed, lockedSettingsOf(primary({ alertEmail: "someone@example.com", tiers: { coolAfterDays: 60, coldAfterDays: 120, archiveAfterDays: 400 } })))).toEqual([]);
  });

  it("are nothing to compare before the first deployment, or from a deployment that did not export them", () => {
    expect(lockedChanges(undefined, lockedSettingsOf(primary(longer)))).toEqual([]);
    expect(lockedChanges({}, lockedSettingsOf(primary(longer)))).toEqual([]);
  });
});

describe("a change that needs break-glass", () => {
  it("is refused, naming the role to run as and how to say so", () => {
    expect(() => refuseLockedChanges(deployed, primary(longer))).toThrow(
      `This change needs the break-glass role ${BREAK_GLASS}: run \`pulumi up\` as it, with \`pulumi config set email-journal:breakGlassRun true\``,
    );
  });

  it("goes ahead in a break-glass run, which is told what it changes", () => {
    expect(refuseLockedChanges(deployed, primary({ ...longer, breakGlassRun: true }))).toHaveLength(2);
  });

  it("needs the root user when the deployed policies exempt no role, even for a break-glass run", () => {
    const unexempted = lockedSettingsOf(primary({ breakGlass: undefined }));
    expect(() => refuseLockedChanges(unexempted, primary({ ...longer, breakGlassRun: true }))).toThrow(/exempt no break-glass role .* have the root user delete the archive's and the trail log bucket's policies/);
  });

  it("is read from the stack's own last outputs, and stops the run before anything is built", async () => {
    await expect(checkLockedSettings(primary(longer))).rejects.toThrow(`needs the break-glass role ${BREAK_GLASS}`);
    expect(references).toContain("acme-bank/email-journal/aws-us-east-1");
    await expect(checkLockedSettings(primary())).resolves.toBeUndefined();
  });

  it("warns a break-glass run that changes nothing locked to drop the flag", async () => {
    const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue();
    await checkLockedSettings(primary({ breakGlassRun: true }));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("email-journal:breakGlassRun is set, but this run changes no locked setting"));
    warn.mockRestore();
  });
});

describe("email-journal:breakGlassRun", () => {
  it("names the role the run is made as, on aws only", () => {
    expect(() => primary({ breakGlass: undefined, breakGlassRun: true })).toThrow('email-journal:breakGlassRun = true: needs email-journal:breakGlass, the role this run is made as');
    expect(() => parseStackConfig({ ...projectConfig("gcp-us-east4"), breakGlassRun: true }, "aws-us-east-1")).toThrow("email-journal:breakGlassRun = true: is for aws only");
    expect(() => primary({ breakGlassRun: "yes" })).toThrow('email-journal:breakGlassRun = "yes": must be true or false');
    expect(primary({ breakGlassRun: "true" }).breakGlassRun).toBe(true);
    expect(primary().breakGlassRun).toBe(false);
  });
});
