// The stack's configuration: read once, checked whole, passed down typed. Every
// problem names the key, the value found and what is allowed, and all of them are
// reported together so that a platform engineer fixes the stack file in one pass.
import * as pulumi from "@pulumi/pulumi";
import { ROLE_TAG } from "../policies/shared/conventions";
import { FRAMEWORK_RULES, FRAMEWORKS, requiredMinimumDays, type Framework } from "../policies/shared/frameworks";
import { REGIONS, SES_MAX_MESSAGE_BYTES, SES_RECEIVING_REGIONS, SES_RECEIVING_SOURCE } from "./regions";

export const PROJECT = "email-journal";
export const CLOUDS = ["aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];
export type Role = "primary" | "standby";
export type DetectorName = "card" | "ssn" | "iban";
const DETECTORS: readonly DetectorName[] = ["card", "ssn", "iban"];
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

export interface GovernanceConfig {
  /** Create the Pulumi Cloud governance resources. */
  readonly enabled: boolean;
  /** Pulumi Cloud organization. */
  readonly organization?: string;
  /** Pulumi Cloud team given read-only access for auditors. */
  readonly auditorsTeam?: string;
  /** HTTPS endpoint notified of updates, failed (policy-blocked) previews and updates, and drift. */
  readonly webhookUrl?: string;
  /** GitHub repository (`owner/name`) Pulumi Deployments runs the stack from, promotion included. */
  readonly repository?: string;
  /** The branch Pulumi Deployments deploys. Default `main`. */
  readonly branch: string;
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
  readonly breakGlassRun?: boolean;
  /** Azure archive redundancy: `zone` (ZRS) or `geo-zone` (GZRS, a second copy in the paired region too). The DR copy is the peer stack's either way. */
  readonly storageRedundancy: "zone" | "geo-zone";
  /** GCP only: project, relay identities and replication mode. */
  readonly gcp?: GcpConfig;
  /** Data classification tag on every resource. */
  readonly dataClassification: "confidential" | "restricted";
  /** Sensitive-data detectors the ingestor runs. */
  readonly detectors: readonly DetectorName[];
  readonly governance?: GovernanceConfig;
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

/** Reads and checks raw values, remembering every problem instead of stopping at the first. */
class Reader {
  readonly problems: string[] = [];

  problem(key: string, value: unknown, allowed: string): void {
    this.problems.push(`${PROJECT}:${key} = ${value === undefined ? "(not set)" : JSON.stringify(value)}: ${allowed}`);
  }

  oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback?: T): T | undefined {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    this.problem(key, value, `must be one of ${allowed.join(", ")}`);
    return undefined;
  }

  text(key: string, value: unknown, pattern: RegExp, allowed: string): string | undefined {
    if (typeof value === "string" && pattern.test(value)) return value;
    this.problem(key, value, allowed);
    return undefined;
  }

  integer(key: string, value: unknown, min: number, max: number, fallback?: number): number | undefined {
    if (value === undefined && fallback !== undefined) return fallback;
    const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n === "number" && Number.isInteger(n) && n >= min && n <= max) return n;
    this.problem(key, value, `must be a whole number from ${min} to ${max}`);
    return undefined;
  }

  list(key: string, value: unknown, each: (item: string) => boolean, allowed: string, options: { required: boolean }): string[] {
    if (value === undefined && !options.required) return [];
    if (!Array.isArray(value) || (options.required && value.length === 0)) {
      this.problem(key, value, `must be a ${options.required ? "non-empty " : ""}list, each ${allowed}`);
      return [];
    }
    value.forEach((item, i) => {
      if (typeof item !== "string" || !each(item)) this.problem(`${key}[${i}]`, item, `must be ${allowed}`);
    });
    return value.filter((item): item is string => typeof item === "string" && each(item));
  }

  object(key: string, value: unknown, required: boolean): Raw | undefined {
    if (value === undefined && !required) return undefined;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Raw;
    this.problem(key, value, "must be a map of settings (see infra/config.ts)");
    return undefined;
  }
}

/** Checks a stack's raw config (keys without the `email-journal:` prefix). Throws a ConfigError listing every problem. */
export function parseStackConfig(raw: Raw, stack: string): StackConfig {
  const r = new Reader();
  const cloud = r.oneOf("cloud", raw.cloud, CLOUDS);
  const regions: readonly string[] = cloud ? REGIONS[cloud] : [];
  const regionAllowed = `must be one of the ${cloud} regions: ${regions.join(", ")}`;
  const region = cloud ? r.text("region", raw.region, new RegExp(`^(${regions.join("|")})$`), regionAllowed) : undefined;
  if (cloud === "aws" && region && !(SES_RECEIVING_REGIONS as readonly string[]).includes(region)) {
    r.problem("region", region, `Amazon SES receives email only in ${SES_RECEIVING_REGIONS.join(", ")} (source: ${SES_RECEIVING_SOURCE})`);
  }
  const role = r.oneOf<Role>("role", raw.role, ["primary", "standby"]);

  const peerStack = r.text("peerStack", raw.peerStack, STACK_REF, "must name the other stack of the DR pair: <org>/<project>/<stack>, <project>/<stack> or <stack>");
  if (peerStack && peerStack.split("/").pop() === stack) r.problem("peerStack", peerStack, `must name the other stack of the pair, not this stack (${stack})`);
  const peerRegion = cloud ? r.text("peerRegion", raw.peerRegion, new RegExp(`^(${regions.join("|")})$`), regionAllowed) : undefined;
  if (peerRegion && peerRegion === region) r.problem("peerRegion", peerRegion, "must differ from region: the DR copy has to survive the loss of the primary region");

  let peerLost = false;
  if (raw.peerLost !== undefined) {
    if (typeof raw.peerLost !== "boolean" && raw.peerLost !== "true" && raw.peerLost !== "false") r.problem("peerLost", raw.peerLost, "must be true or false");
    else peerLost = raw.peerLost === true || raw.peerLost === "true";
    if (peerLost && role === "standby") r.problem("peerLost", raw.peerLost, "is for a primary whose standby's region is lost; a standby replicates nothing");
  }

  let sandbox = false;
  if (raw.sandbox !== undefined) {
    if (typeof raw.sandbox !== "boolean" && raw.sandbox !== "true" && raw.sandbox !== "false") r.problem("sandbox", raw.sandbox, "must be true or false");
    else sandbox = raw.sandbox === true || raw.sandbox === "true";
  }

  const frameworks = r.list("frameworks", raw.frameworks, (f) => (FRAMEWORKS as readonly string[]).includes(f), `one of ${FRAMEWORKS.join(", ")}`, { required: false }) as Framework[];

  const rawRetention = r.object("retention", raw.retention, true) ?? {};
  const minimumDays = r.integer("retention.minimumDays", rawRetention.minimumDays, 1, 36500);
  const maximumDays = rawRetention.maximumDays === undefined ? undefined : r.integer("retention.maximumDays", rawRetention.maximumDays, 1, 36500);
  const mode = r.oneOf("retention.mode", rawRetention.mode, ["compliance", "governance"] as const, sandbox ? "governance" : "compliance");
  if (sandbox) {
    if (frameworks.length > 0) r.problem("sandbox", true, `is not for records: remove it, or remove frameworks (${frameworks.join(", ")})`);
    if (mode === "compliance") r.problem("retention.mode", mode, `a sandbox must be "governance" so that its test objects can be removed`);
    if (minimumDays !== undefined && minimumDays > SANDBOX_MAX_RETENTION_DAYS) r.problem("retention.minimumDays", minimumDays, `a sandbox keeps objects at most ${SANDBOX_MAX_RETENTION_DAYS} days`);
  }
  if (minimumDays !== undefined && maximumDays !== undefined && maximumDays < minimumDays) {
    r.problem("retention.maximumDays", maximumDays, `must be at least retention.minimumDays (${minimumDays})`);
  }
  const strictest = requiredMinimumDays(frameworks);
  if (minimumDays !== undefined && strictest.framework && minimumDays < strictest.days) {
    r.problem("retention.minimumDays", minimumDays, `${FRAMEWORK_RULES[strictest.framework].control} (${strictest.framework}) requires at least ${strictest.days} days`);
  }
  for (const framework of frameworks) {
    const rule = FRAMEWORK_RULES[framework];
    if (rule.requiresComplianceMode && mode === "governance") r.problem("retention.mode", mode, `${rule.control} (${framework}) requires "compliance": records nobody can alter or erase`);
    if (rule.requiresMaximum && maximumDays === undefined) r.problem("retention.maximumDays", undefined, `${rule.control} (${framework}) requires a deletion date: set retention.maximumDays`);
  }

  const rawTiers = r.object("tiers", raw.tiers, false) ?? {};
  const tiers = {
    coolAfterDays: r.integer("tiers.coolAfterDays", rawTiers.coolAfterDays, 30, 36500, 30),
    coldAfterDays: r.integer("tiers.coldAfterDays", rawTiers.coldAfterDays, 31, 36500, 90),
    archiveAfterDays: r.integer("tiers.archiveAfterDays", rawTiers.archiveAfterDays, 32, 36500, 180),
  };
  if (tiers.coolAfterDays !== undefined && tiers.coldAfterDays !== undefined && tiers.archiveAfterDays !== undefined) {
    if (!(tiers.coolAfterDays < tiers.coldAfterDays && tiers.coldAfterDays < tiers.archiveAfterDays)) {
      r.problem("tiers", tiers, "must increase: coolAfterDays < coldAfterDays < archiveAfterDays");
    }
    if (maximumDays !== undefined && tiers.archiveAfterDays >= maximumDays) r.problem("tiers.archiveAfterDays", tiers.archiveAfterDays, `must be below retention.maximumDays (${maximumDays})`);
  }

  const rawIntake = r.object("intake", raw.intake, true) ?? {};
  const addresses = r.list("intake.addresses", rawIntake.addresses, (a) => EMAIL.test(a), "an email address", { required: true });
  const domains = rawIntake.domains === undefined ? [...new Set(addresses.map((a) => a.split("@")[1].toLowerCase()))] : r.list("intake.domains", rawIntake.domains, (d) => DOMAIN.test(d), "a domain name", { required: true });
  const allowedSenders = r.list("intake.allowedSenders", rawIntake.allowedSenders, (s) => EMAIL.test(s) || DOMAIN.test(s), "an email address or a domain", { required: false });
  const sizeCeiling = cloud === "aws" ? SES_MAX_MESSAGE_BYTES : DEFAULT_MAX_MESSAGE_BYTES;
  const maxMessageBytes = r.integer("intake.maxMessageBytes", rawIntake.maxMessageBytes, MiB, sizeCeiling, sizeCeiling);
  if (cloud === "aws" && typeof rawIntake.maxMessageBytes === "number" && rawIntake.maxMessageBytes > SES_MAX_MESSAGE_BYTES) {
    r.problem("intake.maxMessageBytes", rawIntake.maxMessageBytes, `Amazon SES receives messages up to ${SES_MAX_MESSAGE_BYTES} bytes (40 MB, Amazon SES Developer Guide, "Service quotas")`);
  }

  const alertEmail = r.text("alertEmail", raw.alertEmail, EMAIL, "must be an email address");
  const principal = cloud ? PRINCIPAL[cloud] : undefined;
  const auditors = principal ? r.list("auditors", raw.auditors, (p) => principal.pattern.test(p), principal.allowed, { required: true }) : [];
  const holdAdmins = principal ? r.list("holdAdmins", raw.holdAdmins, (p) => principal.pattern.test(p), principal.allowed, { required: true }) : [];
  let breakGlass: string | undefined;
  if (raw.breakGlass !== undefined) {
    if (cloud !== "aws") r.problem("breakGlass", raw.breakGlass, "is for aws only (the one role exempt from the archive bucket's explicit denies)");
    else breakGlass = r.text("breakGlass", raw.breakGlass, /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be an IAM role ARN, arn:aws:iam::<account>:role/<name>");
  }
  let breakGlassRun = false;
  if (raw.breakGlassRun !== undefined) {
    if (typeof raw.breakGlassRun !== "boolean" && raw.breakGlassRun !== "true" && raw.breakGlassRun !== "false") r.problem("breakGlassRun", raw.breakGlassRun, "must be true or false");
    else breakGlassRun = raw.breakGlassRun === true || raw.breakGlassRun === "true";
    if (breakGlassRun && cloud !== "aws") r.problem("breakGlassRun", raw.breakGlassRun, "is for aws only (a run made as the breakGlass role)");
    else if (breakGlassRun && raw.breakGlass === undefined) r.problem("breakGlassRun", raw.breakGlassRun, "needs email-journal:breakGlass, the role this run is made as");
  }
  if (sandbox && cloud === "aws" && raw.breakGlass === undefined) {
    r.problem("breakGlass", undefined, "a sandbox on aws is destroyed by the break-glass role (the archive's denies and the key exempt only it): set breakGlass");
  }
  const storageRedundancy = r.oneOf("storageRedundancy", raw.storageRedundancy, ["zone", "geo-zone"] as const, "zone");
  let gcp: GcpConfig | undefined;
  const rawGcp = r.object("gcp", raw.gcp, cloud === "gcp");
  if (rawGcp && cloud !== "gcp") r.problem("gcp", rawGcp, "is for gcp only (project, relayInvokers, replication)");
  else if (rawGcp) {
    const project = r.text("gcp.project", rawGcp.project, GCP_PROJECT, "must be a Google Cloud project id: 6-30 lower-case letters, digits and hyphens, starting with a letter");
    const relayInvokers = r.list("gcp.relayInvokers", rawGcp.relayInvokers, (m) => GCP_SERVICE_ACCOUNT.test(m), "serviceAccount:<name>@<project>.iam.gserviceaccount.com, a relay's identity", { required: true });
    const replication = r.oneOf("gcp.replication", rawGcp.replication, ["transfer", "dual-region"] as const, "transfer");
    if (replication === "dual-region" && region && peerRegion && (!gcsMultiRegionOf(region) || gcsMultiRegionOf(region) !== gcsMultiRegionOf(peerRegion))) {
      r.problem("gcp.replication", replication, `a dual-region needs region and peerRegion in one of the US, EU or ASIA multi-regions (us-*, europe-* or asia-*); ${region} and ${peerRegion} are not; use "transfer"`);
    }
    gcp = { project: project!, relayInvokers, replication: replication! };
  }
  let reservedConcurrency: number | undefined;
  if (raw.reservedConcurrency !== undefined) {
    if (cloud !== "aws") r.problem("reservedConcurrency", raw.reservedConcurrency, "is for aws only (the ingestor Lambda's reserved concurrency)");
    else reservedConcurrency = r.integer("reservedConcurrency", raw.reservedConcurrency, 1, 10000);
  }
  const dataClassification = r.oneOf("dataClassification", raw.dataClassification, ["confidential", "restricted"] as const, "restricted");
  const detectors = raw.detectors === undefined ? [...DETECTORS] : (r.list("detectors", raw.detectors, (d) => (DETECTORS as readonly string[]).includes(d), `one of ${DETECTORS.join(", ")}`, { required: false }) as DetectorName[]);

  let governance: GovernanceConfig | undefined;
  const rawGovernance = r.object("governance", raw.governance, false);
  if (rawGovernance) {
    if (typeof rawGovernance.enabled !== "boolean") r.problem("governance.enabled", rawGovernance.enabled, "must be true or false");
    const optional = (key: string, pattern: RegExp, allowed: string) => (rawGovernance[key] === undefined ? undefined : r.text(`governance.${key}`, rawGovernance[key], pattern, allowed));
    const organization = optional("organization", /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a Pulumi Cloud organization name");
    const auditorsTeam = optional("auditorsTeam", /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "must be a Pulumi Cloud team name");
    const webhookUrl = optional("webhookUrl", /^https:\/\/[^\s]+$/, "must be an https:// URL");
    const repository = optional("repository", /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be a GitHub repository, owner/name");
    const branch = optional("branch", /^[A-Za-z0-9._\/-]+$/, "must be a branch name") ?? "main";
    governance = {
      enabled: rawGovernance.enabled === true,
      branch,
      ...(organization ? { organization } : {}),
      ...(auditorsTeam ? { auditorsTeam } : {}),
      ...(webhookUrl ? { webhookUrl } : {}),
      ...(repository ? { repository } : {}),
    };
  }

  if (r.problems.length > 0) throw new ConfigError(r.problems);
  // Every field was checked above; the assertions only tell the compiler so.
  return {
    stack,
    cloud: cloud!,
    region: region!,
    role: role!,
    peerStack: peerStack!,
    peerRegion: peerRegion!,
    peerLost,
    retention: { minimumDays: minimumDays!, mode: mode!, ...(maximumDays !== undefined ? { maximumDays } : {}) },
    frameworks,
    tiers: tiers as TierConfig,
    intake: { addresses, domains, allowedSenders, maxMessageBytes: maxMessageBytes! },
    alertEmail: alertEmail!,
    auditors,
    holdAdmins,
    ...(breakGlass ? { breakGlass } : {}),
    ...(breakGlassRun ? { breakGlassRun } : {}),
    storageRedundancy: storageRedundancy!,
    ...(gcp ? { gcp } : {}),
    dataClassification: dataClassification!,
    detectors,
    ...(governance ? { governance } : {}),
    sandbox,
    ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
  };
}

/** The keys a stack file may set; anything else is a typo worth reporting. */
export const CONFIG_KEYS = [
  "cloud", "region", "role", "peerStack", "peerRegion", "peerLost", "retention", "frameworks", "tiers", "intake", "alertEmail",
  "auditors", "holdAdmins", "breakGlass", "breakGlassRun", "storageRedundancy", "gcp", "dataClassification", "detectors", "governance", "sandbox",
  "reservedConcurrency",
] as const;

/** Reads this stack's config through Pulumi, once, for the program. */
export function loadStackConfig(): StackConfig {
  const config = new pulumi.Config(PROJECT);
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    // Structured values arrive as JSON; scalars as plain strings.
    const value = config.get(key);
    if (value === undefined) continue;
    try {
      raw[key] = /^[[{]/.test(value.trim()) ? JSON.parse(value) : value;
    } catch {
      raw[key] = value;
    }
  }
  return parseStackConfig(raw, pulumi.getStack());
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
