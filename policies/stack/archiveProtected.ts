import type { PolicyResource } from "@pulumi/policy";
import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, stackRule } from "../rule";
import type { Settings } from "../settings";
import { type ArchiveStore, archiveStores, lockPending, namesAccount, ofType } from "./stores";

const DAY_SECONDS = 86_400;

// Locked WORM retention (which also makes legal holds possible), the customer's key, and
// protection from `pulumi destroy`, read where each cloud keeps them. Every property read here
// is literal in the program, so at preview a missing or weakened one is reported, not skipped.
const FINDINGS: Record<ArchiveStore["cloud"], (store: ArchiveStore, resources: readonly PolicyResource[], settings: Settings) => string[]> = {
  aws: (store, resources) => {
    const found: string[] = [];
    const companion = (type: string) => ofType(resources, type).find((r) => r.props.bucket === store.name);
    if (!companion("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"))
      found.push("has no BucketObjectLockConfiguration; add one with COMPLIANCE default retention (aws-s3-object-lock-retention checks its period)");
    const sse = companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")?.props.rules?.[0]?.applyServerSideEncryptionByDefault;
    if (!["aws:kms", "aws:kms:dsse"].includes(sse?.sseAlgorithm) || !namesCustomerKey(() => sse.kmsMasterKeyId, "alias/aws/s3"))
      found.push(problem("default encryption", sse?.sseAlgorithm, 'use "aws:kms" under the stack\'s customer key'));
    if (companion("aws:s3/bucketVersioning:BucketVersioning")?.props.versioningConfiguration?.status !== "Enabled") found.push("has no enabled BucketVersioning; Object Lock needs it");
    return found;
  },
  azure: (store, resources, settings) => {
    const found: string[] = [];
    const deletingRoles = ofType(resources, "azure-native:authorization:RoleDefinition").filter(
      (role) =>
        ((role.props.assignableScopes ?? []) as string[]).some((scope) => namesAccount(scope, store.name)) &&
        ((role.props.permissions ?? []) as any[]).some((p) => [...(p.dataActions ?? []), ...(p.actions ?? [])].some((a: string) => /\/delete$/i.test(a))),
    );
    for (const role of deletingRoles) found.push(`custom role ${role.name} may delete and is assignable on the archive account; remove the delete actions or its archive scope`);
    const worm = store.resource.props.immutableStorageWithVersioning;
    const policy = worm?.immutabilityPolicy;
    if (worm?.enabled !== true) found.push(problem("immutableStorageWithVersioning.enabled", worm?.enabled, "set true when the account is created (version-level WORM, which also allows legal holds)"));
    // Azure creates the policy Unlocked; the bootstrap run marks it pending, and retention-lock-pending reports it until locked.
    const pending = policy?.state === "Unlocked" && lockPending(store.resource.props);
    // A sandbox's retention is neither locked nor long: sandbox-not-for-records says so instead.
    if (policy?.state !== "Locked" && !pending && !store.sandbox) found.push(problem("immutableStorageWithVersioning.immutabilityPolicy.state", policy?.state, 'set "Locked"; only a locked policy cannot be shortened or removed'));
    if (!store.sandbox && (policy?.immutabilityPeriodSinceCreationInDays ?? 0) < settings.minimumRetentionDays)
      found.push(problem("immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays", policy?.immutabilityPeriodSinceCreationInDays, `set at least ${settings.minimumRetentionDays}`));
    if (policy?.allowProtectedAppendWrites === true) found.push(problem("immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites", true, "set false: archived records are never appended to"));
    const encryption = store.resource.props.encryption;
    if (encryption?.keySource !== "Microsoft.Keyvault" || !namesCustomerKey(() => encryption?.keyVaultProperties?.keyName))
      found.push(problem("encryption.keySource", encryption?.keySource, 'set "Microsoft.Keyvault" with keyVaultProperties naming the stack\'s Key Vault key'));
    return found;
  },
  gcp: (store, _resources, settings) => {
    const found: string[] = [];
    const retention = store.resource.props.retentionPolicy;
    if (!store.sandbox && retention?.isLocked !== true) found.push(problem("retentionPolicy.isLocked", retention?.isLocked, "set true; only a locked retention policy cannot be shortened or removed"));
    if (!store.sandbox && Number(retention?.retentionPeriod ?? 0) < settings.minimumRetentionDays * DAY_SECONDS)
      found.push(problem("retentionPolicy.retentionPeriod", retention?.retentionPeriod, `set at least ${settings.minimumRetentionDays * DAY_SECONDS} seconds (${settings.minimumRetentionDays} days)`));
    if (!namesCustomerKey(() => store.resource.props.encryption?.defaultKmsKeyName))
      found.push(problem("encryption.defaultKmsKeyName", read(() => store.resource.props.encryption?.defaultKmsKeyName), "name the stack's Cloud KMS key"));
    return found;
  },
};

export const archiveLockedAndKeyed = stackRule({
  name: "archive-store-worm-and-key",
  description: "Every archive store has locked WORM retention of at least the minimum (legal holds possible), the customer's key, and protection from deletion by Pulumi (a sandbox's store: the customer's key and WORM storage, unlocked and unprotected)",
  controls: [...SERVES.worm, ...SERVES.confidentiality],
  causes: [
    // Governance mode leaves Azure's immutability policy Unlocked and GCP's retention policy unlocked.
    { names: "immutabilityPolicy.state", stackKey: "email-journal:retention.mode" },
    { names: "retentionPolicy.isLocked", stackKey: "email-journal:retention.mode" },
    { names: "immutabilityPeriodSinceCreationInDays", stackKey: "email-journal:retention.minimumDays", thresholds: ["frameworks", "minimumRetentionDays"] },
    { names: "retentionPolicy.retentionPeriod", stackKey: "email-journal:retention.minimumDays", thresholds: ["frameworks", "minimumRetentionDays"] },
  ],
  check: (resources, report, settings) => {
    for (const store of archiveStores(resources)) {
      const found = FINDINGS[store.cloud](store, resources, settings);
      if (!store.resource.opts.protect && !store.sandbox) found.push(problem("the protect option", store.resource.opts.protect, "create the store with { protect: true, retainOnDelete: true }"));
      for (const message of found) report(`${store.resource.name}: ${message}`, store.resource.urn);
    }
  },
});
