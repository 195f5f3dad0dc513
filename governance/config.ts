// The governance stack's configuration: read once, checked whole by the same schema walker as the
// archive stacks' (infra/configSchema.ts): every problem names the key, the value found and what is
// allowed, all of them at once, and unknown keys are refused with the nearest valid one.
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { ConfigError } from "../infra/config";
import { checkSettings, problemLine, type FieldsOf } from "../infra/configSchema";
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
  readonly webhookUrl?: pulumi.Output<string>;
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

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The settings, in the schema the archive stacks' config is checked with (infra/configSchema.ts). */
function settings(context: ConfigContext): FieldsOf<GovernanceConfig> {
  return {
    organization: { type: "string", description: "The Pulumi Cloud organization of the archive stacks; default the governance stack's own.", pattern: NAME, is: "a Pulumi Cloud organization name", default: context.organization },
    // Every stack file by default, so a new pair is governed as soon as its files merge; a list
    // narrows that, and each name must be a stack file (a typo would leave a stack ungoverned).
    stacks: {
      type: "array",
      description: "The archive stacks to govern; default every Pulumi.<stack>.yaml at the repository root.",
      items: { values: context.stackFiles, is: `one of the stack files' stacks: ${context.stackFiles.join(", ")}` },
      nonEmpty: true,
      default: context.stackFiles,
    },
    auditorsTeam: { type: "string", description: "Pulumi Cloud team given read-only access to every governed stack.", pattern: NAME, is: "a Pulumi Cloud team name (its name, not its display name)" },
    webhookUrl: { type: "string", description: "HTTPS endpoint notified of updates, failures and drift; a secret.", pattern: /^https:\/\/[^\s/]+\S*$/, is: "an https:// URL", secret: true },
    // Drift detection runs in Pulumi Deployments, which needs the stack's deployment settings (docs/governance.md).
    repository: {
      type: "string",
      description: "GitHub repository (owner/name) Pulumi Deployments runs the stacks from.",
      pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
      is: "a GitHub repository, owner/name, that Pulumi Deployments runs the stacks from: drift detection needs deployment settings",
      required: true,
    },
    branch: { type: "string", description: "The branch Pulumi Deployments runs.", pattern: /^[A-Za-z0-9._/-]+$/, is: "a branch name", default: DEFAULT_BRANCH },
  };
}

/** The keys a governance stack file may set. */
export const GOVERNANCE_KEYS = Object.keys(settings({ stackFiles: [], organization: "", isSecret: () => false }));

type Raw = Readonly<Record<string, unknown>>;

/** Checks the governance stack's raw config (keys without the project prefix). Throws a ConfigError listing every problem. */
export function parseGovernanceConfig(raw: Raw, context: ConfigContext): GovernanceConfig {
  const { values, problems } = checkSettings(GOVERNANCE_PROJECT, settings(context), raw);
  const stacks = (values.stacks as string[] | undefined) ?? [];
  stacks.forEach((stack, i) => {
    if (stacks.indexOf(stack) !== i) problems.push(problemLine(GOVERNANCE_PROJECT, `stacks[${i}]`, JSON.stringify(stack), "is listed twice"));
  });
  if (raw.stacks === undefined && context.stackFiles.length === 0) problems.push(problemLine(GOVERNANCE_PROJECT, "stacks", "(not set)", "no Pulumi.<stack>.yaml at the repository root: there is nothing to govern"));
  // Such URLs often carry a token: one in plain text in a stack file is refused, not just hidden.
  if (raw.webhookUrl !== undefined && !context.isSecret("webhookUrl")) {
    problems.push(problemLine(GOVERNANCE_PROJECT, "webhookUrl", "[secret]", "must be set as a secret, since it often carries a token: pulumi config set --secret webhookUrl <url> (or fn::secret in an ESC environment)"));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as unknown as GovernanceConfig;
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
