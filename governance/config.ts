// The governance stack's configuration: read once, checked whole, in the same error style as the
// archive stacks' (infra/config.ts): every problem names the key, the value found and what is
// allowed, all of them at once.
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { ConfigError } from "../infra/config";
import { stackNames } from "../infra/stackFiles";

export const GOVERNANCE_PROJECT = "email-journal-governance";
/** The branch Pulumi Deployments runs the archive stacks from when none is configured. */
export const DEFAULT_BRANCH = "main";

export interface GovernanceConfig {
  /** The Pulumi Cloud organization the archive stacks live in. */
  readonly organization: string;
  /** The archive stacks governed (short names, each with a Pulumi.<stack>.yaml at the repository root). */
  readonly stacks: readonly string[];
  /** Pulumi Cloud team given read-only access to every governed stack (auditors). */
  readonly auditorsTeam?: string;
  /** HTTPS endpoint notified of updates, failures and drift; a secret, since such URLs often carry a token. */
  readonly webhookUrl?: string;
  /** GitHub repository (`owner/name`) Pulumi Deployments runs the stacks from, for drift detection and PR previews. */
  readonly repository: string;
  /** The branch Pulumi Deployments runs. */
  readonly branch: string;
}

/** What the checks need to know beyond the raw values. */
export interface ConfigContext {
  /** The stack files at the repository root: the stacks that can be governed. */
  readonly stackFiles: readonly string[];
  /** The organization the governance stack itself lives in: the default. */
  readonly organization: string;
  /** Whether a key (`email-journal-governance:<key>`) was set as a secret. */
  readonly isSecret: (key: string) => boolean;
}

/** The keys a governance stack file may set; anything else is a typo worth reporting. */
export const GOVERNANCE_KEYS = ["organization", "stacks", "auditorsTeam", "webhookUrl", "repository", "branch"] as const;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const BRANCH = /^[A-Za-z0-9._/-]+$/;
const HTTPS_URL = /^https:\/\/[^\s/]+\S*$/;

type Raw = Readonly<Record<string, unknown>>;

/** Checks the governance stack's raw config (keys without the project prefix). Throws a ConfigError listing every problem. */
export function parseGovernanceConfig(raw: Raw, context: ConfigContext): GovernanceConfig {
  const problems: string[] = [];
  // A secret's value is never repeated in an error: the message may end up in a CI log.
  const problem = (key: string, value: unknown, allowed: string, secret = false) =>
    problems.push(`${GOVERNANCE_PROJECT}:${key} = ${value === undefined ? "(not set)" : secret ? "(secret)" : JSON.stringify(value)}: ${allowed}`);
  const text = (key: string, pattern: RegExp, allowed: string): string | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    if (typeof value === "string" && pattern.test(value)) return value;
    problem(key, value, allowed);
    return undefined;
  };

  for (const key of Object.keys(raw)) {
    if (!(GOVERNANCE_KEYS as readonly string[]).includes(key)) problem(key, raw[key], `is not a setting of this project; the settings are ${GOVERNANCE_KEYS.join(", ")}`);
  }

  const organization = text("organization", NAME, "must be a Pulumi Cloud organization name") ?? context.organization;

  // The default is every stack file in the repository, so a new pair is governed as soon as its
  // files merge; a list narrows that, and each name must be a stack file (a typo would otherwise
  // leave a stack ungoverned without a word).
  let stacks: string[] = [...context.stackFiles];
  if (raw.stacks !== undefined) {
    const allowed = `one of the stack files' stacks: ${context.stackFiles.join(", ")}`;
    if (!Array.isArray(raw.stacks) || raw.stacks.length === 0) {
      problem("stacks", raw.stacks, `must be a non-empty list, each ${allowed}; leave it unset to govern them all`);
      stacks = [];
    } else {
      stacks = [];
      raw.stacks.forEach((stack, i) => {
        if (typeof stack !== "string" || !context.stackFiles.includes(stack)) problem(`stacks[${i}]`, stack, `must be ${allowed}`);
        else if (stacks.includes(stack)) problem(`stacks[${i}]`, stack, "is listed twice");
        else stacks.push(stack);
      });
    }
  }
  if (raw.stacks === undefined && stacks.length === 0) problem("stacks", undefined, "no Pulumi.<stack>.yaml at the repository root: there is nothing to govern");

  const auditorsTeam = text("auditorsTeam", NAME, "must be a Pulumi Cloud team name (its name, not its display name)");

  let webhookUrl: string | undefined;
  if (raw.webhookUrl !== undefined) {
    const secret = context.isSecret("webhookUrl");
    if (typeof raw.webhookUrl !== "string" || !HTTPS_URL.test(raw.webhookUrl)) problem("webhookUrl", raw.webhookUrl, "must be an https:// URL", secret);
    else if (!secret) problem("webhookUrl", "(plaintext)", `must be set as a secret, since it often carries a token: pulumi config set --secret webhookUrl <url> (or fn::secret in an ESC environment)`, true);
    else webhookUrl = raw.webhookUrl;
  }

  // Drift detection runs in Pulumi Deployments, which needs the stack's deployment settings, so a
  // repository is required (docs/governance.md).
  const repository = raw.repository === undefined ? (problem("repository", undefined, "must be the GitHub repository (owner/name) Pulumi Deployments runs the stacks from: drift detection needs deployment settings"), undefined) : text("repository", REPOSITORY, "must be a GitHub repository, owner/name");
  const branch = text("branch", BRANCH, "must be a branch name") ?? DEFAULT_BRANCH;

  if (problems.length > 0) throw new ConfigError(problems);
  return { organization, stacks, ...(auditorsTeam ? { auditorsTeam } : {}), ...(webhookUrl ? { webhookUrl } : {}), repository: repository!, branch };
}

/**
 * Whether the CLI handed a config key over as a secret (`pulumi config set --secret`, or `fn::secret`
 * in an imported ESC environment). The SDK keeps this check internal (it is not in its typings),
 * so it is reached here explicitly; @pulumi/pulumi is pinned, and a test fails if it stops answering.
 */
export function isConfigSecret(fullKey: string): boolean {
  const check = (runtimeConfig as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  if (typeof check !== "function") throw new Error(`@pulumi/pulumi no longer tells which config keys are secrets; ${GOVERNANCE_PROJECT} cannot check that webhookUrl is one`);
  return check(fullKey);
}

/** Reads the governance stack's config through Pulumi, once, for the program. */
export function loadGovernanceConfig(): GovernanceConfig {
  const raw: Record<string, unknown> = {};
  const prefix = `${GOVERNANCE_PROJECT}:`;
  for (const [fullKey, value] of Object.entries(runtimeConfig.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    // Structured values arrive as JSON; scalars as plain strings.
    try {
      raw[fullKey.slice(prefix.length)] = /^[[{]/.test(value.trim()) ? JSON.parse(value) : value;
    } catch {
      raw[fullKey.slice(prefix.length)] = value;
    }
  }
  return parseGovernanceConfig(raw, { stackFiles: stackNames(), organization: pulumi.getOrganization(), isSecret: (key) => isConfigSecret(`${prefix}${key}`) });
}
