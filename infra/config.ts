// The stack's configuration: read once, checked whole, passed down typed. SETTINGS says what
// each key may hold (infra/configSchema.ts walks it, refusing unknown keys at every level) and
// RULES how settings constrain each other. Every problem names the key, the value found (never a
// secret) and what is allowed, and all of them are reported together so that a platform engineer
// fixes the stack file in one pass.
import * as pulumi from "@pulumi/pulumi";
import { ROLE_TAG } from "../policies/shared/conventions";
import { FRAMEWORK_RULES, FRAMEWORKS, requiredMinimumDays, type Framework } from "../policies/shared/frameworks";
import { checkSettings, problemLine, type FieldsOf, type ListSpec, type Scope, type Spec, type TextSpec } from "./configSchema";
import { REGIONS, SES_MAX_MESSAGE_BYTES, SES_RECEIVING_REGIONS, SES_RECEIVING_SOURCE } from "./regions";

export const PROJECT = "email-journal";
export const CLOUDS = ["aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];
export type Role = "primary" | "standby";
export type DetectorName = "card" | "ssn" | "iban";
const DETECTORS = ["card", "ssn", "iban"] as const satisfies readonly DetectorName[];
const MiB = 1024 * 1024;
/** The pipeline's own default (150 MiB); repeated here because infra never imports function code. */
export const DEFAULT_MAX_MESSAGE_BYTES = 150 * MiB;

export interface RetentionConfig {
  /** Days every message is kept, unalterable, from when it is archived. */
  readonly minimumDays: number;
  /** Days after which messages are deleted (GDPR storage limitation); unset keeps them indefinitely. */
  readonly maximumDays?: number;
  /** `compliance`: nobody, not even an administrator, can shorten retention. `governance`: a privileged role can. */
  readonly mode: "compliance" | "governance";
}

export interface TierConfig {
  /** Days after which objects move to the cloud's cool tier. */
  readonly coolAfterDays: number;
  /** Days after which objects move to the cold tier (S3 Glacier Instant Retrieval, Azure cold, GCS Coldline). */
  readonly coldAfterDays: number;
  /** Days after which objects move to the archive tier (S3 Deep Archive, Azure archive, GCS Archive). */
  readonly archiveAfterDays: number;
}

export interface IntakeConfig {
  /** Journal addresses that Exchange/Workspace/MTAs deliver to. */
  readonly addresses: readonly string[];
  /** Domains the intake receives for (SES rule recipients, MX); defaults to the addresses' domains. */
  readonly domains: readonly string[];
  /** Journaling senders allowed to deliver (addresses or domains); empty allows any. */
  readonly allowedSenders: readonly string[];
  /** Larger messages are refused at intake or quarantined. */
  readonly maxMessageBytes: number;
}

export interface GcpConfig {
  /** The Google Cloud project the stack deploys into. */
  readonly project: string;
  /** The only members that may call the HTTP intake (`serviceAccount:<email>` of each relay); the function refuses everyone else. */
  readonly relayInvokers: readonly string[];
  /**
   * How a primary keeps its copy in the peer region: `transfer` (an event-driven Storage Transfer
   * Service job into the standby's bucket) or `dual-region` (the bucket itself spans region and
   * peerRegion, with turbo replication: a 15-minute RPO target).
   */
  readonly replication: "transfer" | "dual-region";
}

export interface StackConfig {
  /** The stack's name, as `pulumi stack` shows it. */
  readonly stack: string;
  /** Which cloud this stack builds on. */
  readonly cloud: Cloud;
  /** The cloud region of this stack's archive. */
  readonly region: string;
  /** `primary` takes mail and replicates to its peer; `standby` receives replication with intake inactive. */
  readonly role: Role;
  /** The other half of the DR pair, as a stack reference name (`org/project/stack`). */
  readonly peerStack: string;
  /** The peer stack's region: a different region of the same cloud. */
  readonly peerRegion: string;
  /**
   * The peer's region is lost (set by `npm run dr:promote -- --old-primary-lost`): this primary takes
   * mail without replicating into it, and its archive is marked so. Cleared when the peer is back.
   */
  readonly peerLost: boolean;
  readonly retention: RetentionConfig;
  /** The frameworks the archive must satisfy; each raises the minimum retention it requires. */
  readonly frameworks: readonly Framework[];
  readonly tiers: TierConfig;
  readonly intake: IntakeConfig;
  /** Where alerts are sent. */
  readonly alertEmail: string;
  /** People who may read the archive (with MFA): IAM ARNs, Entra object ids or GCP members, per cloud. */
  readonly auditors: readonly string[];
  /** People who may set and clear legal holds (with MFA). */
  readonly holdAdmins: readonly string[];
  /** AWS only: the one role exempt from the archive's explicit denies, for emergencies. */
  readonly breakGlass?: string;
  /**
   * AWS only: this run is made with the break-glass role's credentials, to change what the locked
   * buckets' policies refuse everyone else (versioning, Object Lock, the bucket policies). Without
   * it the program stops such a change before anything is built (infra/aws/lockedSettings.ts).
   */
  readonly breakGlassRun: boolean;
  /** Azure archive redundancy: `zone` (ZRS) or `geo-zone` (GZRS, a second copy in the paired region too). The DR copy is the peer stack's either way. */
  readonly storageRedundancy: "zone" | "geo-zone";
  /** GCP only: project, relay identities and replication mode. */
  readonly gcp?: GcpConfig;
  /** Data classification tag on every resource. */
  readonly dataClassification: "confidential" | "restricted";
  /** Sensitive-data detectors the ingestor runs. */
  readonly detectors: readonly DetectorName[];
  /**
   * A stack for trying the platform in a test account, never for records: retention in
   * governance mode and at most SANDBOX_MAX_RETENTION_DAYS, nothing Pulumi-protected or retained
   * on delete, so `pulumi destroy` removes it. Refused together with any compliance framework.
   */
  readonly sandbox: boolean;
  /**
   * AWS only: concurrent executions reserved for the ingestor Lambda. Unset (the default) leaves
   * it unreserved: Lambda refuses a reservation that would leave the account fewer than 100
   * unreserved executions, and new accounts often have a quota of 10 or 50.
   */
  readonly reservedConcurrency?: number;
}

/** The longest retention a sandbox stack may have, in days. */
export const SANDBOX_MAX_RETENTION_DAYS = 30;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

const EMAIL = /^[^\s@<>]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const STACK_REF = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;
const PRINCIPAL: Record<Cloud, { pattern: RegExp; allowed: string }> = {
  aws: { pattern: /^arn:aws:iam::\d{12}:(user|role)\/[\w+=,.@/-]+$/, allowed: "an IAM user or role ARN, arn:aws:iam::<12-digit account>:(user|role)/<name>" },
  azure: { pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, allowed: "an Entra ID object id (a GUID)" },
  gcp: { pattern: /^(user|group|serviceAccount):[^\s@]+@[^\s@]+$/, allowed: "user:<email>, group:<email> or serviceAccount:<email>" },
};
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_SERVICE_ACCOUNT = /^serviceAccount:[a-z0-9-]+@[a-z0-9-]+\.iam\.gserviceaccount\.com$/;

/** The multi-region a configurable dual-region belongs to: both of its regions must share one (Cloud Storage, "Bucket locations"). */
export function gcsMultiRegionOf(region: string): "US" | "EU" | "ASIA" | undefined {
  if (region.startsWith("us-")) return "US";
  if (region.startsWith("europe-")) return "EU";
  if (region.startsWith("asia-")) return "ASIA";
  return undefined;
}

type Raw = Readonly<Record<string, unknown>>;

// What some settings depend on: the cloud and the sandbox flag, read from the settings checked before them.
const cloudOf = (scope: Scope) => scope.root.cloud as Cloud | undefined;
const knowsCloud = (scope: Scope) => cloudOf(scope) !== undefined;
const onlyOn = (cloud: Cloud, what: string) => ({ holds: (scope: Scope) => cloudOf(scope) === cloud, problem: `is for ${cloud} only (${what})` });
const messageCeiling = (scope: Scope) => (cloudOf(scope) === "aws" ? SES_MAX_MESSAGE_BYTES : DEFAULT_MAX_MESSAGE_BYTES);

const region = (description: string): TextSpec => ({
  type: "string",
  description,
  required: true,
  checkedWhen: knowsCloud,
  values: (scope) => REGIONS[cloudOf(scope)!],
  is: (scope) => `one of the ${cloudOf(scope)} regions: ${REGIONS[cloudOf(scope)!].join(", ")}`,
});
const principals = (description: string): ListSpec => ({
  type: "array",
  description,
  required: true,
  nonEmpty: true,
  checkedWhen: knowsCloud,
  items: { pattern: (scope) => PRINCIPAL[cloudOf(scope)!].pattern, is: (scope) => PRINCIPAL[cloudOf(scope)!].allowed },
});


const RETENTION: FieldsOf<RetentionConfig> = {
  minimumDays: { type: "integer", description: "Days every message is kept, unalterable, from when it is archived.", required: true, min: 1, max: 36500 },
  maximumDays: { type: "integer", description: "Days after which messages are deleted (GDPR storage limitation); unset keeps them indefinitely.", min: 1, max: 36500 },
  mode: {
    type: "string",
    description: "compliance: nobody, not even an administrator, can shorten retention; governance: a privileged role can. Default compliance (governance on a sandbox).",
    values: ["compliance", "governance"],
    default: (scope) => (scope.root.sandbox === true ? "governance" : "compliance"),
  },
};

const TIERS: FieldsOf<TierConfig> = {
  coolAfterDays: { type: "integer", description: "Days after which objects move to the cloud's cool tier.", min: 30, max: 36500, default: 30 },
  coldAfterDays: { type: "integer", description: "Days after which objects move to the cold tier.", min: 31, max: 36500, default: 90 },
  archiveAfterDays: { type: "integer", description: "Days after which objects move to the archive tier.", min: 32, max: 36500, default: 180 },
};

const INTAKE: FieldsOf<IntakeConfig> = {
  addresses: { type: "array", description: "Journal addresses that Exchange/Workspace/MTAs deliver to.", required: true, nonEmpty: true, items: { pattern: EMAIL, is: "an email address" } },
  domains: {
    type: "array",
    description: "Domains the intake receives for (SES rule recipients, MX); defaults to the addresses' domains.",
    nonEmpty: true,
    items: { pattern: DOMAIN, is: "a domain name" },
    default: (scope) => [...new Set(((scope.siblings.addresses as string[] | undefined) ?? []).map((a) => a.split("@")[1].toLowerCase()))],
  },
  allowedSenders: {
    type: "array",
    description: "Journaling senders allowed to deliver (addresses or domains); empty allows any.",
    items: { pattern: new RegExp(`(?:${EMAIL.source})|(?:${DOMAIN.source})`), is: "an email address or a domain" },
    default: [],
  },
  maxMessageBytes: {
    type: "integer",
    description: "Larger messages are refused at intake or quarantined. Default and ceiling: 40 MB on aws (SES), 150 MiB elsewhere.",
    min: MiB,
    max: messageCeiling,
    default: messageCeiling,
    because: (scope) => (cloudOf(scope) === "aws" ? `Amazon SES receives messages up to ${SES_MAX_MESSAGE_BYTES} bytes (40 MB, Amazon SES Developer Guide, "Service quotas")` : undefined),
  },
};

const GCP: FieldsOf<GcpConfig> = {
  project: { type: "string", description: "The Google Cloud project the stack deploys into.", required: true, pattern: GCP_PROJECT, is: "a Google Cloud project id: 6-30 lower-case letters, digits and hyphens, starting with a letter" },
  relayInvokers: {
    type: "array",
    description: "The only members that may call the HTTP intake: each relay's serviceAccount:<email>.",
    required: true,
    nonEmpty: true,
    items: { pattern: GCP_SERVICE_ACCOUNT, is: "serviceAccount:<name>@<project>.iam.gserviceaccount.com, a relay's identity" },
  },
  replication: { type: "string", description: "How a primary keeps its copy in the peer region: transfer (Storage Transfer Service) or dual-region (turbo replication).", values: ["transfer", "dual-region"], default: "transfer" },
};

/**
 * Every setting a stack file may give (as `email-journal:<key>`), in the order they are checked:
 * what a later one depends on (cloud, sandbox) comes first. Pulumi.yaml declares the same keys
 * (test/infra/config.declarations.test.ts keeps the two in step).
 */
export const SETTINGS: FieldsOf<Omit<StackConfig, "stack">> = {
  cloud: { type: "string", description: "Which cloud this stack builds on.", required: true, values: CLOUDS },
  region: region("The cloud region of this stack's archive: one of the chosen cloud's regions (infra/regions.ts)."),
  role: { type: "string", description: "primary takes mail and replicates to its peer; standby receives replication with intake inactive.", required: true, values: ["primary", "standby"] },
  peerStack: {
    type: "string",
    description: "The other half of the DR pair, as a stack reference name (org/project/stack).",
    required: true,
    pattern: STACK_REF,
    must: "name the other stack of the DR pair: <org>/<project>/<stack>, <project>/<stack> or <stack>",
  },
  peerRegion: region("The peer stack's region: another region of the same cloud."),
  peerLost: { type: "boolean", description: "The peer's region is lost (set by npm run dr:promote -- --old-primary-lost): this primary takes mail without replicating.", default: false },
  sandbox: { type: "boolean", description: "A stack for trying the platform in a test account, never for records: governance-mode retention of at most 30 days, nothing protected.", default: false },
  frameworks: { type: "array", description: "The frameworks the archive must satisfy; each raises the minimum retention it requires.", items: { values: FRAMEWORKS }, default: [] },
  retention: { type: "object", description: "How long messages are kept, and who may shorten that.", required: true, fields: RETENTION },
  tiers: { type: "object", description: "When objects move to cheaper storage tiers (days, increasing).", fields: TIERS, default: {} },
  intake: { type: "object", description: "Where journaled mail arrives and what is accepted.", required: true, fields: INTAKE },
  alertEmail: { type: "string", description: "Where alerts are sent.", required: true, pattern: EMAIL, is: "an email address" },
  auditors: principals("People who may read the archive (with MFA): IAM ARNs, Entra object ids or GCP members, per cloud."),
  holdAdmins: principals("People who may set and clear legal holds (with MFA), in the cloud's own form."),
  breakGlass: {
    type: "string",
    description: "AWS only: the one role exempt from the archive's explicit denies, for emergencies.",
    onlyWhen: onlyOn("aws", "the one role exempt from the archive bucket's explicit denies"),
    pattern: /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    is: "an IAM role ARN, arn:aws:iam::<account>:role/<name>",
  },
  breakGlassRun: { type: "boolean", description: "AWS only: this run is made as the breakGlass role, to change what the locked buckets' policies refuse everyone else.", default: false },
  storageRedundancy: { type: "string", description: "Azure archive redundancy: zone (ZRS) or geo-zone (GZRS).", values: ["zone", "geo-zone"], default: "zone" },
  gcp: { type: "object", description: "GCP only: project, relay identities and replication mode.", required: (scope) => cloudOf(scope) === "gcp", onlyWhen: onlyOn("gcp", "project, relayInvokers, replication"), fields: GCP },
  dataClassification: { type: "string", description: "Data classification tag on every resource.", values: ["confidential", "restricted"], default: "restricted" },
  detectors: { type: "array", description: "Sensitive-data detectors the ingestor runs.", items: { values: DETECTORS }, default: DETECTORS },
  reservedConcurrency: {
    type: "integer",
    description: "AWS only: concurrent executions reserved for the ingestor Lambda; unset leaves it unreserved.",
    onlyWhen: onlyOn("aws", "the ingestor Lambda's reserved concurrency"),
    min: 1,
    max: 10000,
  },
};

/** The settings as far as they passed their own checks: what the rules between settings see. */
type Partly<T> = { readonly [K in keyof T]?: T[K] extends readonly unknown[] | pulumi.Output<unknown> ? T[K] : T[K] extends object ? Partly<T[K]> : T[K] };
type Report = (key: string, value: unknown, allowed: string) => void;
/** A rule between settings; `isSet` tells what the stack file gave, valid or not. */
type Rule = (c: Partly<StackConfig>, report: Report, isSet: (key: string) => boolean) => void;

const sesReceivesInRegion: Rule = (c, report) => {
  if (c.cloud === "aws" && c.region && !(SES_RECEIVING_REGIONS as readonly string[]).includes(c.region)) {
    report("region", c.region, `Amazon SES receives email only in ${SES_RECEIVING_REGIONS.join(", ")} (source: ${SES_RECEIVING_SOURCE})`);
  }
};

const peerIsAnotherStack: Rule = (c, report) => {
  if (c.peerStack && c.peerStack.split("/").pop() === c.stack) report("peerStack", c.peerStack, `must name the other stack of the pair, not this stack (${c.stack})`);
  if (c.peerRegion && c.peerRegion === c.region) report("peerRegion", c.peerRegion, "must differ from region: the DR copy has to survive the loss of the primary region");
  if (c.peerLost && c.role === "standby") report("peerLost", true, "is for a primary whose standby's region is lost; a standby replicates nothing");
};

const sandboxIsNotForRecords: Rule = (c, report, isSet) => {
  if (!c.sandbox) return;
  const frameworks = c.frameworks ?? [];
  if (frameworks.length > 0) report("sandbox", true, `is not for records: remove it, or remove frameworks (${frameworks.join(", ")})`);
  if (c.retention?.mode === "compliance") report("retention.mode", "compliance", `a sandbox must be "governance" so that its test objects can be removed`);
  const days = c.retention?.minimumDays;
  if (days !== undefined && days > SANDBOX_MAX_RETENTION_DAYS) report("retention.minimumDays", days, `a sandbox keeps objects at most ${SANDBOX_MAX_RETENTION_DAYS} days`);
  if (c.cloud === "aws" && !isSet("breakGlass")) {
    report("breakGlass", undefined, "a sandbox on aws is destroyed by the break-glass role (the archive's denies and the key exempt only it): set breakGlass");
  }
};

const retentionMeetsFrameworks: Rule = (c, report) => {
  const { minimumDays, maximumDays, mode } = c.retention ?? {};
  if (minimumDays !== undefined && maximumDays !== undefined && maximumDays < minimumDays) {
    report("retention.maximumDays", maximumDays, `must be at least retention.minimumDays (${minimumDays})`);
  }
  const frameworks = c.frameworks ?? [];
  const strictest = requiredMinimumDays(frameworks);
  if (minimumDays !== undefined && strictest.framework && minimumDays < strictest.days) {
    report("retention.minimumDays", minimumDays, `${FRAMEWORK_RULES[strictest.framework].control} (${strictest.framework}) requires at least ${strictest.days} days`);
  }
  if (c.retention === undefined) return;
  for (const framework of frameworks) {
    const rule = FRAMEWORK_RULES[framework];
    if (rule.requiresComplianceMode && mode === "governance") report("retention.mode", mode, `${rule.control} (${framework}) requires "compliance": records nobody can alter or erase`);
    if (rule.requiresMaximum && maximumDays === undefined) report("retention.maximumDays", undefined, `${rule.control} (${framework}) requires a deletion date: set retention.maximumDays`);
  }
};

const tiersIncreaseBeforeDeletion: Rule = (c, report) => {
  const { coolAfterDays, coldAfterDays, archiveAfterDays } = c.tiers ?? {};
  if (coolAfterDays === undefined || coldAfterDays === undefined || archiveAfterDays === undefined) return;
  if (!(coolAfterDays < coldAfterDays && coldAfterDays < archiveAfterDays)) report("tiers", c.tiers, "must increase: coolAfterDays < coldAfterDays < archiveAfterDays");
  const maximumDays = c.retention?.maximumDays;
  if (maximumDays !== undefined && archiveAfterDays >= maximumDays) report("tiers.archiveAfterDays", archiveAfterDays, `must be below retention.maximumDays (${maximumDays})`);
};

const breakGlassRunOnAws: Rule = (c, report, isSet) => {
  if (!c.breakGlassRun) return;
  if (c.cloud !== "aws") report("breakGlassRun", true, "is for aws only (a run made as the breakGlass role)");
  else if (!isSet("breakGlass")) report("breakGlassRun", true, `needs ${PROJECT}:breakGlass, the role this run is made as`);
};

const dualRegionInOneMultiRegion: Rule = (c, report) => {
  const { region, peerRegion } = c;
  if (c.gcp?.replication !== "dual-region" || !region || !peerRegion) return;
  if (!gcsMultiRegionOf(region) || gcsMultiRegionOf(region) !== gcsMultiRegionOf(peerRegion)) {
    report("gcp.replication", "dual-region", `a dual-region needs region and peerRegion in one of the US, EU or ASIA multi-regions (us-*, europe-* or asia-*); ${region} and ${peerRegion} are not; use "transfer"`);
  }
};

const RULES: readonly Rule[] = [sesReceivesInRegion, peerIsAnotherStack, sandboxIsNotForRecords, retentionMeetsFrameworks, tiersIncreaseBeforeDeletion, breakGlassRunOnAws, dualRegionInOneMultiRegion];

/**
 * Checks a stack's raw config (keys without the `email-journal:` prefix), as Pulumi hands it to the
 * program or as a tool reads it from the stack file. Throws a ConfigError listing every problem.
 */
export function parseStackConfig(raw: Raw, stack: string): StackConfig {
  const { values, problems } = checkSettings(PROJECT, SETTINGS, raw);
  const report: Report = (key, value, allowed) => problems.push(problemLine(PROJECT, key, value === undefined ? "(not set)" : JSON.stringify(value), allowed));
  const partly = { stack, ...values } as Partly<StackConfig>;
  for (const rule of RULES) rule(partly, report, (key) => raw[key] !== undefined);
  if (problems.length > 0) throw new ConfigError(problems);
  // Every setting passed its checks above, and SETTINGS has exactly StackConfig's keys.
  return partly as StackConfig;
}

/**
 * Reads this stack's config through Pulumi, once, for the program: each setting with Pulumi's
 * accessor for its type (maps and lists with `getObject`), and every other `email-journal:` key
 * too, so that a typo is refused rather than ignored.
 */
export function loadStackConfig(): StackConfig {
  const config = new pulumi.Config(PROJECT);
  const raw: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const value = readTyped(config, key, spec.type);
    if (value !== undefined) raw[key] = value;
  }
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    const key = fullKey.slice(PROJECT.length + 1);
    if (fullKey.startsWith(`${PROJECT}:`) && !(key in SETTINGS)) raw[key] = config.get(key);
  }
  return parseStackConfig(raw, pulumi.getStack());
}

/** A setting read with Pulumi's accessor for its type; a value not of that type comes back as the string it is, for the checks to report with the rest. */
function readTyped(config: pulumi.Config, key: string, type: Spec["type"]): unknown {
  try {
    switch (type) {
      case "object":
      case "array":
        return config.getObject<unknown>(key);
      case "boolean":
        return config.getBoolean(key);
      case "integer":
        return config.getNumber(key);
      case "string":
        return config.get(key);
    }
  } catch (err) {
    if (!pulumi.RunError.isInstance(err)) throw err;
    return config.get(key);
  }
}

/** Tags for every resource; GCP takes them through `gcpLabels`. */
export function resourceTags(config: StackConfig): Record<string, string> {
  return { project: PROJECT, stack: config.stack, [ROLE_TAG]: config.role, "data-classification": config.dataClassification, "managed-by": "pulumi" };
}

/** GCP labels: lower-case keys and values of [a-z0-9_-], at most 63 characters, keys starting with a letter. */
export function gcpLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, 63);
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [clean(/^[a-z]/i.test(key) ? key : `k${key}`), clean(value)]));
}
