// The settings of the locked buckets (the archive and the trail's log bucket) that their own bucket
// policies refuse to change to everyone but the break-glass role: versioning, the Object Lock
// configuration and the bucket policy itself (policies/shared/awsLockedActions.ts). The stack exports
// them; before anything is built, the program compares its last export with what this run would set
// and stops, naming the role to use, rather than let `pulumi up` fail half-way with AccessDenied.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, type StackConfig } from "../config";
import { trailBucketStatements, trailLock } from "./logging";
import type { Statement } from "./policy";
import { archiveLock, archivePolicyStatements, transportStatements } from "./storage";

export interface LockedBucketSettings {
  /** The default retention, e.g. "COMPLIANCE 2557 days". */
  readonly objectLock: string;
  readonly versioning: "Enabled";
  /** A digest of the bucket policy's statements (the ARNs the stack computes left out: they never change). */
  readonly bucketPolicy: string;
}

export interface LockedSettings {
  readonly archive: LockedBucketSettings;
  readonly trail: LockedBucketSettings;
  /** The role the deployed policies exempt from their denies, or null when they exempt nobody. */
  readonly breakGlass: string | null;
}

/** The stack output holding them. */
export const LOCKED_SETTINGS_OUTPUT = "lockedSettings";

const COMPUTED = "<computed>";

/** Statements as plain data, with every value the stack computes replaced by one placeholder. */
function plain(value: unknown): unknown {
  if (pulumi.Output.isInstance(value)) return COMPUTED;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function digest(statements: Statement[]): string {
  return `sha256:${createHash("sha256").update(JSON.stringify(plain(statements))).digest("hex")}`;
}

/** What this run sets on the locked buckets, from the config alone (known before anything is built). */
export function lockedSettingsOf(config: StackConfig): LockedSettings {
  const breakGlassArn = config.breakGlass;
  const archive = archiveLock(config);
  const trail = trailLock(config);
  return {
    archive: {
      objectLock: `${archive.mode} ${archive.days} days`,
      versioning: "Enabled",
      bucketPolicy: digest([...transportStatements(COMPUTED), ...archivePolicyStatements({ bucketArn: COMPUTED, kmsKeyArn: COMPUTED, breakGlassArn })]),
    },
    trail: {
      objectLock: `${trail.mode} ${trail.days} days`,
      versioning: "Enabled",
      bucketPolicy: digest([...transportStatements(COMPUTED), ...trailBucketStatements({ bucketArn: COMPUTED, trailArn: COMPUTED, accountId: COMPUTED, breakGlassArn })]),
    },
    breakGlass: breakGlassArn ?? null,
  };
}

const BUCKETS = { archive: "archive bucket", trail: "trail log bucket" } as const;
const SETTINGS = { objectLock: "Object Lock default retention", versioning: "versioning", bucketPolicy: "bucket policy" } as const;

/** The locked settings this run would change, in words; none when the stack was never deployed with them. */
export function lockedChanges(previous: unknown, next: LockedSettings): string[] {
  if (!previous || typeof previous !== "object") return [];
  const before = previous as Partial<LockedSettings>;
  return (Object.keys(BUCKETS) as (keyof typeof BUCKETS)[]).flatMap((bucket) =>
    (Object.keys(SETTINGS) as (keyof typeof SETTINGS)[])
      .filter((setting) => before[bucket]?.[setting] !== undefined && before[bucket]?.[setting] !== next[bucket][setting])
      .map((setting) => `${BUCKETS[bucket]} ${SETTINGS[setting]}${setting === "bucketPolicy" ? "" : ` (${before[bucket]![setting]} → ${next[bucket][setting]})`}`),
  );
}

export class BreakGlassRequired extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BreakGlassRequired";
  }
}

/**
 * Stops a run that would change a locked setting, unless it is declared a break-glass run
 * (`email-journal:breakGlassRun`) and the deployed policies exempt a break-glass role. Returns
 * the changes a break-glass run goes on to make.
 */
export function refuseLockedChanges(previous: unknown, config: StackConfig): string[] {
  const changes = lockedChanges(previous, lockedSettingsOf(config));
  if (changes.length === 0) return [];
  const exempt = (previous as Partial<LockedSettings>).breakGlass ?? null;
  const what = `Their own bucket policies refuse these changes to everyone${exempt ? " but the break-glass role" : ""}: ${changes.join("; ")}.`;
  if (!exempt) {
    throw new BreakGlassRequired(
      `${what} The deployed policies exempt no break-glass role (email-journal:breakGlass was not set), and S3 lets only the account's root user ` +
        `change a bucket policy past its own deny (Amazon S3 API Reference, PutBucketPolicy), never versioning or Object Lock. Set ${PROJECT}:breakGlass, ` +
        `have the root user delete the archive's and the trail log bucket's policies (aws s3api delete-bucket-policy --bucket <name>, names in \`pulumi stack output\`), ` +
        `then run \`pulumi up\`. Nothing was changed.`,
    );
  }
  if (!config.breakGlassRun) {
    throw new BreakGlassRequired(
      `${what} This change needs the break-glass role ${exempt}: run \`pulumi up\` as it, with \`pulumi config set ${PROJECT}:breakGlassRun true\` ` +
        `(and \`pulumi config rm ${PROJECT}:breakGlassRun\` afterwards). Nothing was changed.`,
    );
  }
  return changes;
}

/** This stack's own locked settings as its last update exported them (undefined before the first). */
export async function deployedLockedSettings(): Promise<unknown> {
  const self = new pulumi.StackReference("journal-self", { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}` });
  return self.getOutputValue(LOCKED_SETTINGS_OUTPUT);
}

/** Reads the last export, and stops a run that needs break-glass; says so when a break-glass run needs it no longer. */
export async function checkLockedSettings(config: StackConfig): Promise<void> {
  const changes = refuseLockedChanges(await deployedLockedSettings(), config);
  if (config.breakGlassRun && changes.length === 0) {
    pulumi.log.warn(`${PROJECT}:breakGlassRun is set, but this run changes no locked setting: remove it (pulumi config rm ${PROJECT}:breakGlassRun) so that the next locked change is stopped here`);
  }
}
