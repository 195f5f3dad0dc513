// The stack rules on a compliant archive stack of each cloud, broken one property (or one
// resource) at a time: each break is caught with a message naming what and how to fix it.
import type { StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { archiveLockedAndKeyed } from "../../../policies/stack/archiveProtected";
import { archiveAuditLogging } from "../../../policies/stack/auditLogging";
import { ingestorDeadLetters } from "../../../policies/stack/deadLetters";
import { nothingAnonymous } from "../../../policies/stack/noAnonymous";
import { primaryArchiveReplicated } from "../../../policies/stack/replication";
import { retentionFloor } from "../../../policies/stack/retentionFloor";
import { changed, type Fixture, REMOVE, stackMessages } from "../helpers";
import { awsStack, azureStack, gcpStack } from "./fixtures";

type Stack = Fixture[];
/** The stack with `path` of the resource named `name` (or the first of type `name`) changed. */
const edit = (stack: Stack, name: string, path: string, value: unknown): Stack => {
  const at = stack.findIndex((f) => f.name === name || f.type === name);
  if (at < 0) throw new Error(`fixture has no ${name}`);
  return stack.map((f, i) => (i === at ? { ...f, inputs: changed(f.inputs, path, value) } : f));
};
const drop = (stack: Stack, name: string): Stack => stack.filter((f) => f.name !== name && f.type !== name);

const S3 = "aws:s3/bucket";
const STACKS = { aws: awsStack, azure: azureStack, gcp: gcpStack };

/** [rule, cloud, what breaks, the broken stack, text the single message must contain]. */
const breaks: [StackValidationPolicy, keyof typeof STACKS, string, Stack, string][] = [
  [archiveLockedAndKeyed, "aws", "object lock removed", drop(awsStack(), "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"), "has no BucketObjectLockConfiguration"],
  [archiveLockedAndKeyed, "aws", "SSE-S3 instead of KMS", edit(awsStack(), `${S3}ServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration`, "rules.0.applyServerSideEncryptionByDefault.sseAlgorithm", "AES256"), 'default encryption is "AES256"'],
  [archiveLockedAndKeyed, "aws", "versioning suspended", edit(awsStack(), `${S3}Versioning:BucketVersioning`, "versioningConfiguration.status", "Suspended"), "has no enabled BucketVersioning"],
  [archiveLockedAndKeyed, "azure", "immutability unlocked", edit(azureStack(), "archive", "immutableStorageWithVersioning.immutabilityPolicy.state", "Unlocked"), 'immutabilityPolicy.state is "Unlocked"; set "Locked"'],
  [archiveLockedAndKeyed, "azure", "immutability shortened", edit(azureStack(), "archive", "immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays", 30), "immutabilityPeriodSinceCreationInDays is 30; set at least 2557"],
  [archiveLockedAndKeyed, "azure", "immutability off", edit(azureStack(), "archive", "immutableStorageWithVersioning.enabled", false), "immutableStorageWithVersioning.enabled is false"],
  [archiveLockedAndKeyed, "azure", "append writes allowed", edit(azureStack(), "archive", "immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites", true), "allowProtectedAppendWrites is true"],
  [archiveLockedAndKeyed, "azure", "Microsoft-managed key", edit(azureStack(), "archive", "encryption.keySource", "Microsoft.Storage"), 'encryption.keySource is "Microsoft.Storage"'],
  [archiveLockedAndKeyed, "gcp", "retention unlocked", edit(gcpStack(), "archive", "retentionPolicy.isLocked", false), "retentionPolicy.isLocked is false"],
  [archiveLockedAndKeyed, "gcp", "retention shortened", edit(gcpStack(), "archive", "retentionPolicy.retentionPeriod", "86400"), 'retentionPolicy.retentionPeriod is "86400"; set at least 220924800 seconds'],
  [archiveLockedAndKeyed, "gcp", "Google-managed key", edit(gcpStack(), "archive", "encryption", REMOVE), "encryption.defaultKmsKeyName is not set"],
  [retentionFloor, "aws", "expiry before the minimum", edit(awsStack(), "lifecycle", "rules.0.expiration.days", 365), "lifecycle rule expire expiration deletes after 365 days, before the minimum retention"],
  [retentionFloor, "aws", "no expiry under GDPR", drop(awsStack(), "lifecycle"), "no lifecycle rule deletes records at the end of retention"],
  [retentionFloor, "azure", "delete before the minimum", edit(azureStack(), "lifecycle", "policy.rules.0.definition.actions.baseBlob.delete.daysAfterCreationGreaterThan", 90), "baseBlob.delete deletes after 90 days"],
  [retentionFloor, "gcp", "delete before the minimum", edit(gcpStack(), "archive", "lifecycleRules.0.condition.age", 30), "lifecycleRules[0] Delete deletes after 30 days"],
  [archiveAuditLogging, "aws", "trail without data events", edit(awsStack(), "aws:cloudtrail/trail:Trail", "advancedEventSelectors", []), "no CloudTrail trail with log file validation records S3 data events"],
  [archiveAuditLogging, "aws", "trail on writes only", edit(awsStack(), "aws:cloudtrail/trail:Trail", "advancedEventSelectors.0.fieldSelectors.3", { field: "readOnly", equals: ["false"] }), "S3 data events (reads and writes)"],
  [archiveAuditLogging, "aws", "trail on another bucket", edit(awsStack(), "aws:cloudtrail/trail:Trail", "advancedEventSelectors.0.fieldSelectors.2.startsWiths", ["arn:aws:s3:::other/"]), "arn:aws:s3:::a/*"],
  [archiveAuditLogging, "aws", "validation off", edit(awsStack(), "aws:cloudtrail/trail:Trail", "enableLogFileValidation", false), "no CloudTrail trail with log file validation"],
  [archiveAuditLogging, "azure", "diagnostic setting removed", drop(azureStack(), "blob-audit"), "no diagnostic setting on ejarch/blobServices/default"],
  [archiveAuditLogging, "azure", "reads not logged", edit(azureStack(), "blob-audit", "logs.0.enabled", false), "does not send StorageRead"],
  [archiveAuditLogging, "azure", "key vault audit removed", drop(azureStack(), "vault-audit"), "vault: no diagnostic setting sends the key vault's AuditEvent log"],
  [archiveAuditLogging, "gcp", "data reads not audited", edit(gcpStack(), "gcp:projects/iAMAuditConfig:IAMAuditConfig", "auditLogConfigs", [{ logType: "DATA_WRITE" }]), "no project audit config logs DATA_READ"],
  [primaryArchiveReplicated, "aws", "replication removed", drop(awsStack(), "replication"), "no S3 replication configuration"],
  [primaryArchiveReplicated, "aws", "replica in the same region", edit(awsStack(), "replication", "rules.0.destination.encryptionConfiguration.replicaKmsKeyId", "arn:aws:kms:us-east-1:111122223333:key/other"), "no enabled rule to a bucket in another region"],
  [primaryArchiveReplicated, "aws", "replication disabled", edit(awsStack(), "replication", "rules.0.status", "Disabled"), "no enabled rule"],
  [primaryArchiveReplicated, "aws", "deletions replicated", edit(awsStack(), "replication", "rules.0.deleteMarkerReplication.status", "Enabled"), "replicates delete markers"],
  [primaryArchiveReplicated, "azure", "replication removed", drop(azureStack(), "replication"), 'sku "Standard_ZRS" keeps no copy in another region'],
  [primaryArchiveReplicated, "gcp", "single region", edit(gcpStack(), "archive", "location", "US-EAST4"), 'location "US-EAST4" is a single region'],
  [ingestorDeadLetters, "aws", "dead letter removed", edit(awsStack(), "intake", "redrivePolicy", REMOVE), "intake: redrivePolicy is not set"],
  [ingestorDeadLetters, "aws", "alarm removed", drop(awsStack(), "aws:cloudwatch/metricAlarm:MetricAlarm"), "no alarm with an action watches its dead-letter queue q-dlq"],
  [ingestorDeadLetters, "aws", "alarm without action", edit(awsStack(), "aws:cloudwatch/metricAlarm:MetricAlarm", "alarmActions", []), "no alarm with an action"],
  [ingestorDeadLetters, "azure", "dead letter removed", edit(azureStack(), "inbox-events", "deadLetterDestination", REMOVE), "inbox-events: deadLetterDestination is not set"],
  [ingestorDeadLetters, "azure", "alert removed", drop(azureStack(), "azure-native:monitor:MetricAlert"), "no metric alert with an action group watches DeadLetteredCount"],
  [ingestorDeadLetters, "gcp", "dead letter removed", drop(edit(gcpStack(), "intake", "deadLetterPolicy", REMOVE), "dead-letters"), "intake: deadLetterPolicy is not set"],
  [ingestorDeadLetters, "gcp", "retries off", edit(gcpStack(), "ingestor", "eventTrigger.retryPolicy", "RETRY_POLICY_DO_NOT_RETRY"), 'ingestor: eventTrigger.retryPolicy is "RETRY_POLICY_DO_NOT_RETRY"'],
  [ingestorDeadLetters, "gcp", "alert removed", drop(gcpStack(), "gcp:monitoring/alertPolicy:AlertPolicy"), "no alert policy with a notification channel watches dead_letter_message_count"],
  [nothingAnonymous, "aws", "public access block removed", drop(awsStack(), `${S3}PublicAccessBlock:BucketPublicAccessBlock`), "bucket a has no BucketPublicAccessBlock"],
  [nothingAnonymous, "aws", "ownership controls removed", drop(awsStack(), `${S3}OwnershipControls:BucketOwnershipControls`), "bucket a has no BucketOwnershipControls"],
  [nothingAnonymous, "azure", "public blobs allowed", edit(azureStack(), "archive", "allowBlobPublicAccess", true), "its account ejarch has allowBlobPublicAccess true"],
];

const RULES = [archiveLockedAndKeyed, retentionFloor, archiveAuditLogging, primaryArchiveReplicated, ingestorDeadLetters, nothingAnonymous];

describe.each(Object.entries(STACKS))("the compliant %s stack", (_cloud, stack) => {
  it.each(RULES.map((r) => [r.name, r] as const))("passes %s", async (_name, rule) => {
    expect(await stackMessages(rule, stack())).toEqual([]);
  });
});

describe.each(RULES.map((r) => [r.name, r] as const))("%s", (name, rule) => {
  const own = breaks.filter(([r]) => r === rule);
  it("is broken by at least one change on every cloud it covers", () => {
    expect(own.length).toBeGreaterThan(0);
    expect(rule.description).toMatch(/\[.+\]$/);
  });
  it.each(own.map(([, cloud, what, stack, expected]) => [`${cloud}: ${what}`, stack, expected] as const))(`${name} catches %s`, async (_what, stack, expected) => {
    expect(await stackMessages(rule, stack)).toEqual([expect.stringContaining(expected)]);
  });
});

describe("a standby archive", () => {
  it.each(Object.entries(STACKS))("needs no replica of its own (%s)", async (_cloud, stack) => {
    const standby = stack("standby").filter((f) => f.name !== "replication");
    expect(await stackMessages(primaryArchiveReplicated, standby)).toEqual([]);
  });

  it("without a role tag is held to a primary's duty", async () => {
    expect(await stackMessages(primaryArchiveReplicated, drop(edit(awsStack(), "archive", "tags.role", REMOVE), "replication"))).toEqual([expect.stringContaining("no S3 replication configuration")]);
  });
});

it("skips the end-of-retention deletion where no chosen framework limits storage", async () => {
  expect(await stackMessages(retentionFloor, drop(awsStack(), "lifecycle"), { frameworks: ["sec-17a-4", "sox"] })).toEqual([]);
});
