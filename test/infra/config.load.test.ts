// loadStackConfig as the program runs it: config handed over by Pulumi's runtime the way the CLI
// hands it to a Node program (every value a string, maps and lists as JSON, Pulumi.yaml's defaults
// filled in, secrets decrypted and their keys listed as secret).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { ConfigError, loadStackConfig, parseStackConfig, PROJECT, type StackConfig } from "../../infra/config";
import type { Declaration } from "../../infra/configSchema";
import { projectConfig, ROOT, stackNames } from "../../infra/stackFiles";

const declared = (load(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, Declaration> }).config;

/** The environment the CLI gives the program: the stack's values over Pulumi.yaml's defaults, as strings. */
function asTheCliHandsIt(values: Readonly<Record<string, unknown>>): Record<string, string> {
  const defaults = Object.fromEntries(Object.entries(declared).filter(([, d]) => d.default !== undefined).map(([key, d]) => [key, d.default]));
  return Object.fromEntries(Object.entries({ ...defaults, ...values }).map(([key, value]) => [`${PROJECT}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));
}

async function loadAs(stack: string, config: Record<string, string>, secretKeys: string[] = []): Promise<StackConfig> {
  await pulumi.runtime.setMocks({ newResource: (args) => ({ id: args.name, state: args.inputs }), call: (args) => args.inputs }, PROJECT, stack, true);
  pulumi.runtime.setAllConfig(config, secretKeys);
  return loadStackConfig();
}

const problemsOf = async (stack: string, config: Record<string, string>): Promise<readonly string[]> => {
  try {
    await loadAs(stack, config);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};


describe("loadStackConfig", () => {
  it.each(stackNames().filter((stack) => /^(aws|azure|gcp)-/.test(stack)))("reads %s as the tools read its file", async (stack) => {
    const file = projectConfig(stack);
    const loaded = await loadAs(stack, asTheCliHandsIt(file));
    expect(loaded).toEqual(parseStackConfig(file, stack));
  });

  it("refuses a key it does not know instead of ignoring it, and a misspelt nested one", async () => {
    const problems = await problemsOf("aws-us-east-1", {
      ...asTheCliHandsIt(projectConfig("aws-us-east-1")),
      [`${PROJECT}:dataClasification`]: "confidential",
      [`${PROJECT}:retention`]: JSON.stringify({ minimumDays: 2557, maximumDays: 2922, minimumDay: 3000 }),
      "aws:region": "us-east-1",
    });
    expect(problems).toEqual([
      "email-journal:dataClasification = [not shown]: unknown key; did you mean dataClassification? valid keys: cloud, region, role, peerStack, peerRegion, peerLost, sandbox, frameworks, retention, tiers, intake, alertEmail, auditors, holdAdmins, breakGlass, breakGlassRun, storageRedundancy, gcp, dataClassification, detectors, reservedConcurrency",
      "email-journal:retention.minimumDay = [not shown]: unknown key in retention; did you mean minimumDays? valid keys: minimumDays, maximumDays, mode",
    ]);
  });

  it("reports values not of their type with every other problem, rather than stopping at Pulumi's first", async () => {
    const problems = await problemsOf("aws-us-east-1", {
      ...asTheCliHandsIt(projectConfig("aws-us-east-1")),
      [`${PROJECT}:tiers`]: "coolAfterDays: 30",
      [`${PROJECT}:peerLost`]: "yes",
      [`${PROJECT}:reservedConcurrency`]: "ten",
      [`${PROJECT}:auditors`]: "arn:aws:iam::111122223333:role/compliance-auditor",
    });
    expect(problems).toEqual([
      'email-journal:peerLost = "yes": must be true or false',
      'email-journal:tiers = "coolAfterDays: 30": must be a map of settings: coolAfterDays, coldAfterDays, archiveAfterDays',
      'email-journal:auditors = "arn:aws:iam::111122223333:role/compliance-auditor": must be a non-empty list, each an IAM user or role ARN, arn:aws:iam::<12-digit account>:(user|role)/<name>',
      'email-journal:reservedConcurrency = "ten": must be a whole number from 1 to 10000',
    ]);
  });

  it("reads scalars with their types: booleans and numbers given as strings", async () => {
    const config = await loadAs("aws-us-east-1", { ...asTheCliHandsIt(projectConfig("aws-us-east-1")), [`${PROJECT}:reservedConcurrency`]: "20", [`${PROJECT}:breakGlassRun`]: "true" });
    expect(config).toMatchObject({ reservedConcurrency: 20, breakGlassRun: true, peerLost: false });
  });
});

