import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_MAX_MESSAGE_BYTES, gcpLabels, parseStackConfig, resourceTags, type StackConfig } from "../../infra/config";
import { requiredMinimumDays } from "../../policies/shared/frameworks";
import { projectConfig } from "../../infra/stackFiles";

const prod = () => projectConfig("aws-us-east-1");
const problemsOf = (raw: Record<string, unknown>, stack = "prod"): string[] => {
  try {
    parseStackConfig(raw, stack);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};
const withChange = (change: Record<string, unknown>) => ({ ...prod(), ...change });
const GCP = { project: "acme-journal-prod", relayInvokers: ["serviceAccount:relay@acme-mail.iam.gserviceaccount.com"] };
const gcpStack = (): Record<string, unknown> => {
  const { breakGlass: _aws, ...rest } = prod();
  return { ...rest, cloud: "gcp", region: "us-east4", peerRegion: "us-central1", auditors: ["group:auditors@example.com"], holdAdmins: ["group:legal-holds@example.com"], gcp: GCP };
};

describe("the real stack files", () => {
  it("parse, and each pair's stacks are each other's peers in two regions", () => {
    const p = parseStackConfig(projectConfig("aws-us-east-1"), "aws-us-east-1");
    const d = parseStackConfig(projectConfig("aws-us-west-2"), "aws-us-west-2");
    expect(p).toMatchObject({ cloud: "aws", region: "us-east-1", role: "primary", peerStack: "acme-bank/email-journal/aws-us-west-2", peerRegion: "us-west-2" });
    expect(d).toMatchObject({ cloud: "aws", region: "us-west-2", role: "standby", peerStack: "acme-bank/email-journal/aws-us-east-1", peerRegion: "us-east-1" });
    expect(p.retention).toEqual({ minimumDays: 2557, maximumDays: 2922, mode: "compliance" });
    expect(p.intake.domains).toEqual(["archive.example.com"]);
    expect(p.detectors).toEqual(["card", "ssn", "iban"]);
  });
});

describe("a sandbox stack", () => {
  it("is governance-mode by default with a short retention and no framework, and says it is a sandbox", () => {
    const config = parseStackConfig(withChange({ sandbox: true, frameworks: [], retention: { minimumDays: 7 } }), "prod");
    expect(config).toMatchObject({ sandbox: true, frameworks: [], retention: { minimumDays: 7, mode: "governance" } });
    expect(parseStackConfig(prod(), "prod").sandbox).toBe(false);
  });
});

describe("rejections name the key, the value and what is allowed", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["an unknown cloud", { cloud: "oracle" }, /email-journal:cloud = "oracle": must be one of aws, azure, gcp/],
    ["a region of another cloud", { region: "westeurope" }, /email-journal:region = "westeurope": must be one of the aws regions: us-east-1, /],
    ["an AWS region without SES receiving", { region: "eu-south-2", peerRegion: "us-west-2" }, /email-journal:region = "eu-south-2": Amazon SES receives email only in us-east-1, .* \(source: AWS General Reference/],
    ["an unknown role", { role: "active" }, /email-journal:role = "active": must be one of primary, standby/],
    ["a peer that is this stack", { peerStack: "acme-bank/email-journal/prod" }, /email-journal:peerStack = "acme-bank\/email-journal\/prod": must name the other stack of the pair, not this stack \(prod\)/],
    ["a peer region equal to the region", { peerRegion: "us-east-1" }, /email-journal:peerRegion = "us-east-1": must differ from region/],
    ["retention below SOX", { retention: { minimumDays: 2200, maximumDays: 2922 } }, /email-journal:retention.minimumDays = 2200: SOX 802, 17 CFR 210.2-06 \(sox\) requires at least 2557 days/],
    ["governance mode under SEC 17a-4", { retention: { minimumDays: 2557, maximumDays: 2922, mode: "governance" } }, /email-journal:retention.mode = "governance": SEC 17a-4\(b\)\(4\), 17a-4\(f\) \(sec-17a-4\) requires "compliance"/],
    ["GDPR without a deletion date", { retention: { minimumDays: 2557 } }, /email-journal:retention.maximumDays = \(not set\): GDPR Art. 5\(1\)\(e\) \(gdpr\) requires a deletion date/],
    ["a maximum below the minimum", { frameworks: [], retention: { minimumDays: 400, maximumDays: 300 } }, /email-journal:retention.maximumDays = 300: must be at least retention.minimumDays \(400\)/],
    ["a fractional retention", { frameworks: [], retention: { minimumDays: 1.5 } }, /email-journal:retention.minimumDays = 1.5: must be a whole number from 1 to 36500/],
    ["an unknown framework", { frameworks: ["pci"] }, /email-journal:frameworks\[0\] = "pci": must be one of sec-17a-4, finra-4511, hipaa, sox, gdpr/],
    ["tiers out of order", { tiers: { coolAfterDays: 90, coldAfterDays: 60, archiveAfterDays: 365 } }, /email-journal:tiers = .*: must increase: coolAfterDays < coldAfterDays < archiveAfterDays/],
    ["archive tier after deletion", { tiers: { coolAfterDays: 30, coldAfterDays: 90, archiveAfterDays: 3000 } }, /email-journal:tiers.archiveAfterDays = 3000: must be below retention.maximumDays \(2922\)/],
    ["no journal address", { intake: { addresses: [] } }, /email-journal:intake.addresses = \[\]: must be a non-empty list, each an email address/],
    ["a bad journal address", { intake: { addresses: ["journal at example.com"] } }, /email-journal:intake.addresses\[0\] = "journal at example.com": must be an email address/],
    ["a message limit over SES's 40 MB", { intake: { addresses: ["j@example.com"], maxMessageBytes: 157286400 } }, /email-journal:intake.maxMessageBytes = 157286400: must be a whole number from 1048576 to 41943040: Amazon SES receives messages up to 41943040 bytes \(40 MB, Amazon SES Developer Guide, "Service quotas"\)/],
    ["an unknown nested setting", { intake: { addresses: ["j@example.com"], maxMessageByte: 1048576 } }, /email-journal:intake.maxMessageByte = \[not shown\]: unknown key in intake; did you mean maxMessageBytes\? valid keys: addresses, domains, allowedSenders, maxMessageBytes/],
    ["a bad alert email", { alertEmail: "oncall" }, /email-journal:alertEmail = "oncall": must be an email address/],
    ["an AWS auditor that is not an IAM ARN", { auditors: ["alice@example.com"] }, /email-journal:auditors\[0\] = "alice@example.com": must be an IAM user or role ARN/],
    ["no hold admins", { holdAdmins: [] }, /email-journal:holdAdmins = \[\]: must be a non-empty list/],
    ["a break-glass user instead of a role", { breakGlass: "arn:aws:iam::111122223333:user/bob" }, /email-journal:breakGlass = "arn:aws:iam::111122223333:user\/bob": must be an IAM role ARN/],
    ["peerLost not a boolean", { peerLost: "yes" }, /email-journal:peerLost = "yes": must be true or false/],
    ["peerLost on a standby", { role: "standby", peerLost: true }, /email-journal:peerLost = true: is for a primary whose standby's region is lost/],
    ["an unknown storage redundancy", { storageRedundancy: "geo" }, /email-journal:storageRedundancy = "geo": must be one of zone, geo-zone/],
    ["a sandbox under a framework", { sandbox: true }, /email-journal:sandbox = true: is not for records: remove it, or remove frameworks \(sec-17a-4, finra-4511, sox, gdpr\)/],
    ["a sandbox in compliance mode", { sandbox: true, frameworks: [], retention: { minimumDays: 7, mode: "compliance" } }, /email-journal:retention.mode = "compliance": a sandbox must be "governance"/],
    ["a sandbox keeping objects for years", { sandbox: true, frameworks: [], retention: { minimumDays: 365 } }, /email-journal:retention.minimumDays = 365: a sandbox keeps objects at most 30 days/],
    ["an AWS sandbox without a break-glass role", { sandbox: true, frameworks: [], retention: { minimumDays: 7 }, breakGlass: undefined }, /email-journal:breakGlass = \(not set\): a sandbox on aws is destroyed by the break-glass role/],
    ["reserved concurrency on azure", { cloud: "azure", region: "eastus2", peerRegion: "centralus", reservedConcurrency: 20 }, /email-journal:reservedConcurrency = 20: is for aws only/],
    ["an unknown classification", { dataClassification: "public" }, /email-journal:dataClassification = "public": must be one of confidential, restricted/],
    ["an unknown detector", { detectors: ["passport"] }, /email-journal:detectors\[0\] = "passport": must be one of card, ssn, iban/],
  ])("%s", (_what, change, message) => {
    const problems = problemsOf(withChange(change));
    expect(problems.some((p) => message.test(p)), problems.join("\n")).toBe(true);
  });

  it.each(["cloud", "region", "role", "peerStack", "peerRegion", "retention", "intake", "alertEmail", "auditors", "holdAdmins"])("a missing %s", (key) => {
    const raw = prod();
    delete raw[key];
    expect(problemsOf(raw).some((p) => p.startsWith(`email-journal:${key}`) && p.includes("(not set)"))).toBe(true);
  });

  it("validates principals in each cloud's own form, and keeps breakGlass to aws", () => {
    const azure = { ...prod(), cloud: "azure", region: "eastus2", peerRegion: "centralus", intake: { addresses: ["j@example.com"] } };
    expect(problemsOf(azure)).toEqual(expect.arrayContaining([expect.stringMatching(/email-journal:auditors\[0\] = .*: must be an Entra ID object id/), expect.stringMatching(/email-journal:breakGlass = .*: is for aws only/)]));
    const gcp = { ...gcpStack(), holdAdmins: ["alice@example.com"] };
    expect(problemsOf(gcp)).toEqual([expect.stringMatching(/email-journal:holdAdmins\[0\] = "alice@example.com": must be user:<email>, group:<email> or serviceAccount:<email>/)]);
  });

  it.each([
    ["no gcp settings on a gcp stack", { gcp: undefined }, /email-journal:gcp = \(not set\): must be a map of settings/],
    ["a project id with capitals", { gcp: { ...GCP, project: "Acme-Archive" } }, /email-journal:gcp.project = "Acme-Archive": must be a Google Cloud project id/],
    ["a relay that is a person", { gcp: { ...GCP, relayInvokers: ["user:bob@example.com"] } }, /email-journal:gcp.relayInvokers\[0\] = "user:bob@example.com": must be serviceAccount:<name>@<project>.iam.gserviceaccount.com/],
    ["no relays", { gcp: { ...GCP, relayInvokers: [] } }, /email-journal:gcp.relayInvokers = \[\]: must be a non-empty list/],
    ["an unknown replication", { gcp: { ...GCP, replication: "crr" } }, /email-journal:gcp.replication = "crr": must be one of transfer, dual-region/],
    ["a dual-region across continents", { peerRegion: "europe-west1", gcp: { ...GCP, replication: "dual-region" } }, /email-journal:gcp.replication = "dual-region": a dual-region needs region and peerRegion in one of the US, EU or ASIA multi-regions .* us-east4 and europe-west1 are not/],
  ])("gcp: %s", (_what, change, message) => {
    const problems = problemsOf({ ...gcpStack(), ...change });
    expect(problems.some((p) => message.test(p)), problems.join("\n")).toBe(true);
  });

  it("keeps the gcp settings to gcp stacks", () => {
    expect(problemsOf(withChange({ gcp: GCP }))).toEqual([expect.stringMatching(/email-journal:gcp = .*: is for gcp only/)]);
  });

  it("reports every problem at once, in one ConfigError", () => {
    const problems = problemsOf(withChange({ cloud: "aws", role: "leader", alertEmail: "x", detectors: ["nope"] }));
    expect(problems).toHaveLength(3);
    expect(() => parseStackConfig(withChange({ role: "leader", alertEmail: "x" }), "prod")).toThrow(/invalid stack configuration \(2 problems\):\n {2}email-journal:role/);
  });
});

describe("defaults", () => {
  const minimal = (cloud: "aws" | "azure") => ({
    cloud,
    region: cloud === "aws" ? "us-east-1" : "eastus2",
    peerRegion: cloud === "aws" ? "us-west-2" : "centralus",
    role: "primary",
    peerStack: "acme/email-journal/other",
    retention: { minimumDays: 365 },
    intake: { addresses: ["journal@Archive.Example.com"] },
    alertEmail: "oncall@example.com",
    auditors: cloud === "aws" ? ["arn:aws:iam::111122223333:role/auditor"] : ["6f1c3a52-8d4e-4b7a-9c21-3e5f7a9b1d04"],
    holdAdmins: cloud === "aws" ? ["arn:aws:iam::111122223333:role/holds"] : ["2a9e7c41-5b3d-4f86-a1c9-8d2e4f6b0a73"],
  });

  it("fill every setting a stack file leaves out, the message ceiling by cloud", () => {
    const config = parseStackConfig(minimal("aws"), "prod");
    expect(config).toEqual({
      stack: "prod",
      ...minimal("aws"),
      peerLost: false,
      sandbox: false,
      frameworks: [],
      retention: { minimumDays: 365, mode: "compliance" },
      tiers: { coolAfterDays: 30, coldAfterDays: 90, archiveAfterDays: 180 },
      intake: { addresses: ["journal@Archive.Example.com"], domains: ["archive.example.com"], allowedSenders: [], maxMessageBytes: 40 * 1024 * 1024 },
      breakGlassRun: false,
      storageRedundancy: "zone",
      dataClassification: "restricted",
      detectors: ["card", "ssn", "iban"],
    });
    expect(parseStackConfig(minimal("azure"), "prod").intake.maxMessageBytes).toBe(DEFAULT_MAX_MESSAGE_BYTES);
  });

  it("fill a map's missing settings and keep the ones given", () => {
    const config = parseStackConfig({ ...minimal("aws"), tiers: { coolAfterDays: 60 } }, "prod");
    expect(config.tiers).toEqual({ coolAfterDays: 60, coldAfterDays: 90, archiveAfterDays: 180 });
  });
});

describe("keys the schema does not know are refused at every level, with the nearest valid key", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["a top-level typo", { dataClasification: "confidential" }, /^email-journal:dataClasification = \[not shown\]: unknown key; did you mean dataClassification\? valid keys: cloud, region, role, .*, reservedConcurrency$/],
    ["in retention", { retention: { minimumDays: 2557, minimumDay: 3000, maximumDays: 2922 } }, /^email-journal:retention.minimumDay = \[not shown\]: unknown key in retention; did you mean minimumDays\? valid keys: minimumDays, maximumDays, mode$/],
    ["in tiers", { tiers: { coolAfterDays: 30, coldAfterdays: 90 } }, /^email-journal:tiers.coldAfterdays = \[not shown\]: unknown key in tiers; did you mean coldAfterDays\? valid keys: coolAfterDays, coldAfterDays, archiveAfterDays$/],
    ["in intake", { intake: { addresses: ["j@example.com"], allowedSender: ["example.com"] } }, /^email-journal:intake.allowedSender = \[not shown\]: unknown key in intake; did you mean allowedSenders\?/],
    ["governance, which moved to its own stack", { governance: { enabled: true, webhookUrl: "https://hooks.example.com/x?token=s3cret" } }, /^email-journal:governance = \[not shown\]: unknown key; valid keys: cloud, /],
    ["without a near one, only the valid keys", { colour: "blue" }, /^email-journal:colour = \[not shown\]: unknown key; valid keys: cloud, /],
  ])("%s", (_what, change, message) => {
    const problems = problemsOf(withChange(change));
    expect(problems.filter((p) => message.test(p)), problems.join("\n")).toHaveLength(1);
    expect(problems.join("\n")).not.toContain("s3cret");
  });

  it("in gcp", () => {
    const problems = problemsOf({ ...gcpStack(), gcp: { ...GCP, projectId: "acme-journal-prod" } });
    expect(problems).toEqual(["email-journal:gcp.projectId = [not shown]: unknown key in gcp; did you mean project? valid keys: project, relayInvokers, replication"]);
  });

  it("a misspelt required key is named, and so is the key it leaves unset", () => {
    const problems = problemsOf(withChange({ retention: { minimumDay: 2557, maximumDays: 2922 } }));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^email-journal:retention.minimumDay = \[not shown\]: unknown key in retention; did you mean minimumDays\?/),
        expect.stringMatching(/^email-journal:retention.minimumDays = \(not set\): must be a whole number from 1 to 36500$/),
      ]),
    );
  });
});

describe("settings a stack file encrypts", () => {
  it("none of the archive's may be: an encrypted one is refused, saying what it must be", () => {
    expect(problemsOf(withChange({ alertEmail: { secure: "v1:Zm9vYmFy" } }))).toEqual([
      'email-journal:alertEmail = {"secure":"v1:Zm9vYmFy"}: is encrypted, but it is not a secret setting: set it in plain text (pulumi config set --plaintext); it must be an email address',
    ]);
  });
});

describe("frameworks and tags", () => {
  it("takes the strictest framework's minimum", () => {
    expect(requiredMinimumDays(["hipaa", "sox"])).toEqual({ days: 2557, framework: "sox" });
    expect(requiredMinimumDays(["gdpr"])).toEqual({ days: 0 });
  });

  it("tags every resource with stack, role and classification, and makes valid GCP labels of them", () => {
    const config = parseStackConfig(prod(), "prod") as StackConfig;
    const tags = resourceTags(config);
    expect(tags).toEqual({ project: "email-journal", stack: "prod", role: "primary", "data-classification": "restricted", "managed-by": "pulumi" });
    expect(gcpLabels({ "Data Classification": "Restricted/PII", "9lives": "x".repeat(80) })).toEqual({ data_classification: "restricted_pii", k9lives: "x".repeat(63) });
  });
});
