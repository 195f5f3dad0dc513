// The AWS stack rules (rules that read more than one resource: a bucket's tags, its policy, its
// companions): a compliant archive passes, and each way of breaking it fails with a message naming
// the resource, what was found and the fix. Sandbox-tagged resources skip only what a sandbox
// legitimately fails.
import type { StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { archiveAccessLogged } from "../../../policies/aws/accessLogging";
import { archiveBucketPolicy } from "../../../policies/aws/archiveBucketPolicy";
import { backupCoversArchive } from "../../../policies/aws/backupSelection";
import { backupVaultLocked } from "../../../policies/aws/backupVaultLock";
import { objectLockRetention } from "../../../policies/aws/objectLock";
import { trailBucketLocked } from "../../../policies/aws/trailBucket";
import { changed, type Fixture, policyDoc, REMOVE, stackMessages } from "../helpers";

const ARCHIVE = "ej-archive";
const TRAIL = "ej-trail";
const KEY = "arn:aws:kms:us-east-1:111122223333:key/k";
const BREAK_GLASS = { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/archive-break-glass" } };
const lockedDenies = (bucket: string) => [
  { Sid: "DenyDeletesAndRetentionChanges", Effect: "Deny", Principal: "*", Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention"], Resource: `arn:aws:s3:::${bucket}/*`, Condition: BREAK_GLASS },
  { Sid: "DenyLockAndPolicyChanges", Effect: "Deny", Principal: "*", Action: ["s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:DeleteBucket", "s3:PutBucketVersioning"], Resource: `arn:aws:s3:::${bucket}`, Condition: BREAK_GLASS },
];
const uploadDenies = [
  { Sid: "DenyUploadsWithoutKms", Effect: "Deny", Principal: "*", Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${ARCHIVE}/*`, Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } } },
  { Sid: "DenyUploadsUnderAnotherKey", Effect: "Deny", Principal: "*", Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${ARCHIVE}/*`, Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY } } },
];
const lock = (bucket: string, name: string) => ({ type: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", name, inputs: { bucket, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 2557 } } } });

/** An archive as the program builds it, reduced to what these rules read. */
const stack = (): Fixture[] => [
  { type: "aws:s3/bucket:Bucket", name: "archive", inputs: { bucket: ARCHIVE, objectLockEnabled: true, tags: { "journal-store": "archive", role: "primary" } } },
  lock(ARCHIVE, "archive-lock"),
  { type: "aws:s3/bucketPolicy:BucketPolicy", name: "archive-policy", inputs: { bucket: ARCHIVE, policy: policyDoc(...uploadDenies, ...lockedDenies(ARCHIVE)) } },
  { type: "aws:s3/bucket:Bucket", name: "access-logs", inputs: { bucket: "ej-access" } },
  { type: "aws:s3/bucketLogging:BucketLogging", name: "archive-logging", inputs: { bucket: ARCHIVE, targetBucket: "ej-access", targetPrefix: "archive/" } },
  { type: "aws:s3/bucket:Bucket", name: "trail-logs", inputs: { bucket: TRAIL, objectLockEnabled: true } },
  lock(TRAIL, "trail-lock"),
  { type: "aws:s3/bucketPolicy:BucketPolicy", name: "trail-policy", inputs: { bucket: TRAIL, policy: policyDoc(...lockedDenies(TRAIL)) } },
  { type: "aws:cloudtrail/trail:Trail", name: "trail", inputs: { s3BucketName: TRAIL } },
  { type: "aws:backup/vault:Vault", name: "vault", inputs: { name: "email-journal-aws-us-east-1", kmsKeyArn: KEY } },
  { type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration", name: "vault-lock", inputs: { backupVaultName: "email-journal-aws-us-east-1", changeableForDays: 3, minRetentionDays: 2557, maxRetentionDays: 2922 } },
  { type: "aws:backup/plan:Plan", name: "plan", inputs: { rules: [{ ruleName: "daily-archive", targetVaultName: "email-journal-aws-us-east-1", schedule: "cron(0 5 * * ? *)" }] } },
  { type: "aws:backup/selection:Selection", name: "selection", inputs: { resources: [`arn:aws:s3:::${ARCHIVE}`] } },
];

const edit = (fixtures: Fixture[], name: string, path: string, value: unknown) => fixtures.map((f) => (f.name === name ? { ...f, inputs: changed(f.inputs, path, value) } : f));
const drop = (fixtures: Fixture[], name: string) => fixtures.filter((f) => f.name !== name);
const policyWithout = (action: string) => policyDoc(...uploadDenies, ...lockedDenies(ARCHIVE).map((s) => ({ ...s, Action: s.Action.filter((a) => a !== action) })));
const sandboxTags = { "journal-store": "archive", role: "primary", "journal-sandbox": "true" };

const RULES = [objectLockRetention, archiveBucketPolicy, trailBucketLocked, archiveAccessLogged, backupVaultLocked, backupCoversArchive];

/** [rule, what breaks, the broken stack, text the single message must contain]. */
const breaks: [StackValidationPolicy, string, Fixture[], string][] = [
  [objectLockRetention, "governance mode", edit(stack(), "archive-lock", "rule.defaultRetention.mode", "GOVERNANCE"), 'archive-lock: rule.defaultRetention.mode is "GOVERNANCE"; set "COMPLIANCE"'],
  [objectLockRetention, "a shorter period", edit(stack(), "trail-lock", "rule.defaultRetention.days", 365), "trail-lock: rule.defaultRetention.days is 365; set at least 2557 days"],
  [objectLockRetention, "no default retention", edit(stack(), "archive-lock", "rule", REMOVE), "archive-lock: rule.defaultRetention is not set"],
  [objectLockRetention, "lock disabled", edit(stack(), "archive-lock", "objectLockEnabled", "Disabled"), 'archive-lock: objectLockEnabled is "Disabled"; set "Enabled"'],
  [archiveBucketPolicy, "versioning changes allowed", edit(stack(), "archive-policy", "policy", policyWithout("s3:PutBucketVersioning")), "archive-policy: policy does not deny s3:PutBucketVersioning to everyone"],
  [archiveBucketPolicy, "deletes allowed", edit(stack(), "archive-policy", "policy", policyWithout("s3:DeleteObjectVersion")), "does not deny s3:DeleteObjectVersion to everyone"],
  [
    archiveBucketPolicy,
    "denies excepting everyone without MFA",
    edit(stack(), "archive-policy", "policy", policyDoc(...uploadDenies, ...lockedDenies(ARCHIVE).map((s) => ({ ...s, Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } })))),
    "does not deny s3:DeleteObject, s3:DeleteObjectVersion",
  ],
  [archiveBucketPolicy, "uploads under any key", edit(stack(), "archive-policy", "policy", policyDoc(uploadDenies[0], ...lockedDenies(ARCHIVE))), "does not deny uploads under another key"],
  [archiveBucketPolicy, "no policy", drop(stack(), "archive-policy"), "archive: bucket ej-archive has no bucket policy"],
  [trailBucketLocked, "log bucket without Object Lock", drop(stack(), "trail-lock"), "trail: its log bucket ej-trail has no Object Lock default retention"],
  [trailBucketLocked, "log deletes allowed", edit(stack(), "trail-policy", "policy", policyDoc(lockedDenies(TRAIL)[1])), "trail: its log bucket ej-trail's policy does not deny s3:DeleteObject"],
  [archiveAccessLogged, "no access logs", drop(stack(), "archive-logging"), "archive: bucket ej-archive has no BucketLogging"],
  [archiveAccessLogged, "logging into itself", edit(stack(), "archive-logging", "targetBucket", ARCHIVE), 'archive-logging: targetBucket is "ej-archive"; deliver to another bucket'],
  [backupVaultLocked, "lock in governance mode", edit(stack(), "vault-lock", "changeableForDays", REMOVE), "vault-lock: changeableForDays is not set; set it (3 or more)"],
  [backupVaultLocked, "recovery points kept 30 days", edit(stack(), "vault-lock", "minRetentionDays", 30), "vault-lock: minRetentionDays is 30; set at least 2557"],
  [backupCoversArchive, "archive not selected", drop(stack(), "selection"), "archive: no backup selection includes arn:aws:s3:::ej-archive"],
  [backupCoversArchive, "plan into an unlocked vault", edit(stack(), "plan", "rules.0.targetVaultName", "other"), 'plan: rule daily-archive targets vault "other", which has no Vault Lock'],
  [backupCoversArchive, "unscheduled plan", edit(stack(), "plan", "rules.0.schedule", REMOVE), "plan: rule daily-archive has no schedule"],
];

describe("the AWS stack rules", () => {
  it.each(RULES.map((r) => [r.name, r] as const))("%s passes the compliant archive, and names its controls", async (_name, rule) => {
    expect(await stackMessages(rule, stack())).toEqual([]);
    expect(rule.description).toMatch(/\[.*(SEC|HIPAA|GDPR).*\]$/);
    expect(rule.enforcementLevel).toBe("mandatory");
  });

  it.each(breaks.map(([rule, what, fixtures, expected]) => [rule.name, what, rule, fixtures, expected] as const))("%s catches: %s", async (_name, _what, rule, fixtures, expected) => {
    expect(await stackMessages(rule, fixtures)).toEqual([expect.stringContaining(expected)]);
  });
});

describe("a sandbox's resources", () => {
  const sandbox = () => {
    const governance = edit(edit(edit(stack(), "archive", "tags", sandboxTags), "archive-lock", "rule.defaultRetention", { mode: "GOVERNANCE", days: 7 }), "vault-lock", "changeableForDays", REMOVE);
    return edit(edit(governance, "vault-lock", "minRetentionDays", 7), "vault", "tags", { "journal-sandbox": "true" });
  };

  it("skip the lock mode and period checks of their bucket and vault, and only those", async () => {
    for (const rule of RULES) expect(await stackMessages(rule, sandbox()), rule.name).toEqual([]);
    expect(await stackMessages(archiveBucketPolicy, edit(sandbox(), "archive-policy", "policy", policyWithout("s3:DeleteBucket")))).toEqual([expect.stringContaining("does not deny s3:DeleteBucket")]);
  });

  it("fail them again when the tag is removed", async () => {
    const untagged = edit(edit(sandbox(), "archive", "tags", { "journal-store": "archive", role: "primary" }), "vault", "tags", {});
    expect(await stackMessages(objectLockRetention, untagged)).toEqual([expect.stringContaining('"GOVERNANCE"'), expect.stringContaining("days is 7")]);
    expect(await stackMessages(backupVaultLocked, untagged)).toEqual([expect.stringContaining("changeableForDays is not set"), expect.stringContaining("minRetentionDays is 7")]);
  });
});

describe("thresholds", () => {
  const governance = edit(stack(), "archive-lock", "rule.defaultRetention", { mode: "GOVERNANCE", days: 2200 });
  const archiveLock = (messages: string[]) => messages.filter((m) => m.startsWith("archive-lock:"));

  it("default to the strictest framework and take what the policy config chooses", async () => {
    expect(archiveLock(await stackMessages(objectLockRetention, governance))).toHaveLength(2);
    // HIPAA alone: six years, governance mode allowed.
    expect(await stackMessages(objectLockRetention, governance, { frameworks: ["hipaa"] })).toEqual([]);
    // A configured minimum above the frameworks' wins; one below them does not lower it.
    expect(archiveLock(await stackMessages(objectLockRetention, governance, { frameworks: ["hipaa"], minimumRetentionDays: 3000 }))).toEqual([expect.stringContaining("set at least 3000 days")]);
    expect(archiveLock(await stackMessages(objectLockRetention, governance, { frameworks: ["sox"], minimumRetentionDays: 30 }))).toEqual([expect.stringContaining("set at least 2557 days")]);
  });
});
