// The storage accounts: the WORM archive, the inbox (dropped mail, dead letters, the function
// host), and the log account that keeps an immutable export of the audit logs. Every one
// HTTPS-only, TLS 1.2, Entra ID only (no shared keys), no public blobs, double-encrypted under
// the stack's Key Vault key.
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";

export const CONTAINERS = { archive: "archive", inbox: "inbox", deadLetters: "dead-letters", deployments: "deployments" } as const;

export type AccountSku = "Standard_ZRS" | "Standard_GZRS";

/** The archive account's redundancy for `storageRedundancy`: zone (ZRS) or geo-zone (GZRS). */
export const archiveSku = (redundancy: StackConfig["storageRedundancy"]): AccountSku => (redundancy === "geo-zone" ? "Standard_GZRS" : "Standard_ZRS");

/**
 * Redundancies whose accounts may hold blobs in the archive tier. "The archive tier is not supported
 * for ZRS, GZRS, or RA-GZRS accounts"; its supported redundancy configurations are "LRS, GRS, and
 * RA-GRS only" (Azure Blob Storage docs, "Access tiers for blob data", Archive access tier note and
 * the summary table; the lifecycle overview's tiering actions carry the same footnote). Hot, cool
 * and cold support every redundancy.
 */
export const ARCHIVE_TIER_SKUS: readonly string[] = ["Standard_LRS", "Standard_GRS", "Standard_RAGRS"];
export const supportsArchiveTier = (sku: string) => ARCHIVE_TIER_SKUS.includes(sku);

export interface AccountArgs {
  readonly accountName: pulumi.Input<string>;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly sku: AccountSku;
  readonly tags: Record<string, string>;
  /** The user-assigned identity that unwraps the account's key. */
  readonly keyIdentityId: pulumi.Input<string>;
  readonly keyVaultUri: pulumi.Input<string>;
  readonly keyName: pulumi.Input<string>;
  /** A hierarchical namespace (ADLS Gen2), which Synapse requires of its workspace's account (infra/azure/search.ts). */
  readonly hierarchicalNamespace?: boolean;
  /** Version-level WORM for every blob, set when the account is created (it cannot be added later). */
  readonly immutability?: { readonly days: number; readonly state: "Locked" | "Unlocked"; readonly appendWrites: boolean };
}

export function storageAccount(name: string, args: AccountArgs, opts: pulumi.CustomResourceOptions) {
  return new azure.storage.StorageAccount(
    name,
    {
      accountName: args.accountName,
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      kind: "StorageV2",
      sku: { name: args.sku },
      accessTier: "Hot",
      tags: args.tags,
      enableHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      allowCrossTenantReplication: false,
      ...(args.hierarchicalNamespace ? { isHnsEnabled: true } : {}),
      identity: { type: "UserAssigned", userAssignedIdentities: [args.keyIdentityId] },
      encryption: {
        keySource: "Microsoft.Keyvault",
        keyVaultProperties: { keyName: args.keyName, keyVaultUri: args.keyVaultUri },
        encryptionIdentity: { encryptionUserAssignedIdentity: args.keyIdentityId },
        requireInfrastructureEncryption: true,
        services: { blob: { enabled: true, keyType: "Account" }, file: { enabled: true, keyType: "Account" } },
      },
      ...(args.immutability
        ? {
            immutableStorageWithVersioning: {
              enabled: true,
              immutabilityPolicy: {
                immutabilityPeriodSinceCreationInDays: args.immutability.days,
                state: args.immutability.state,
                allowProtectedAppendWrites: args.immutability.appendWrites,
              },
            },
          }
        : {}),
    },
    opts,
  );
}

/**
 * An account as its companions name it: by the name fixed before it exists (known at preview, so
 * the policy pack can match them), depending on the account itself.
 */
export interface NamedAccount {
  readonly name: pulumi.Input<string>;
  readonly account: azure.storage.StorageAccount;
}

const after = (account: NamedAccount, opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions => ({ ...opts, dependsOn: [account.account, ...([] as pulumi.Resource[]).concat((opts.dependsOn as pulumi.Resource[]) ?? [])] });

/** Versions, change feed (object replication reads it) and soft delete of blobs and containers. */
export function blobService(name: string, account: NamedAccount, resourceGroupName: pulumi.Input<string>, softDeleteDays: number, opts: pulumi.CustomResourceOptions) {
  return new azure.storage.BlobServiceProperties(
    name,
    {
      accountName: account.name,
      resourceGroupName,
      blobServicesName: "default",
      isVersioningEnabled: true,
      changeFeed: { enabled: true },
      deleteRetentionPolicy: { enabled: true, days: softDeleteDays },
      containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays },
    },
    after(account, opts),
  );
}

export function container(name: string, account: NamedAccount, resourceGroupName: pulumi.Input<string>, containerName: string, opts: pulumi.CustomResourceOptions) {
  return new azure.storage.BlobContainer(name, { accountName: account.name, resourceGroupName, containerName, publicAccess: "None" }, after(account, opts));
}

export function lifecycle(name: string, account: NamedAccount, resourceGroupName: pulumi.Input<string>, rules: azure.types.input.storage.ManagementPolicyRuleArgs[], opts: pulumi.CustomResourceOptions) {
  return new azure.storage.ManagementPolicy(name, { accountName: account.name, resourceGroupName, managementPolicyName: "default", policy: { rules } }, after(account, opts));
}

/**
 * Cool and cold tiers at the configured ages, and archive only on an account whose redundancy
 * supports it; deletion after the maximum retention (never before the lock allows).
 *
 * The archive account is ZRS or GZRS (the only redundancies storageRedundancy offers), neither of
 * which supports the archive tier, so on Azure the tiers stop at cold and tiers.archiveAfterDays is
 * not used. Staying on ZRS/GZRS is deliberate: zone redundancy keeps the records through a zone
 * outage, and object replication to the standby "will fail if a blob in either the source or
 * destination account has been moved to the archive tier" (Azure docs, "Object replication for
 * block blobs", Blob tiering), so an archive tier would cost the DR copy.
 */
export function archiveLifecycleRules(config: StackConfig, sku: string): azure.types.input.storage.ManagementPolicyRuleArgs[] {
  const { tiers, retention } = config;
  const filters = { blobTypes: ["blockBlob"], prefixMatch: [`${CONTAINERS.archive}/`] };
  const rules: azure.types.input.storage.ManagementPolicyRuleArgs[] = [
    {
      name: "cost-tiers",
      enabled: true,
      type: "Lifecycle",
      definition: {
        filters,
        actions: {
          // Blobs are never modified, so creation and modification ages are the same.
          baseBlob: {
            tierToCool: { daysAfterCreationGreaterThan: tiers.coolAfterDays },
            tierToCold: { daysAfterCreationGreaterThan: tiers.coldAfterDays },
            ...(supportsArchiveTier(sku) ? { tierToArchive: { daysAfterCreationGreaterThan: tiers.archiveAfterDays } } : {}),
          },
        },
      },
    },
  ];
  if (retention.maximumDays !== undefined) {
    rules.push({
      name: "delete-after-maximum-retention",
      enabled: true,
      type: "Lifecycle",
      definition: {
        filters,
        actions: {
          baseBlob: { delete: { daysAfterCreationGreaterThan: retention.maximumDays } },
          version: { delete: { daysAfterCreationGreaterThan: retention.maximumDays } },
        },
      },
    });
  }
  return rules;
}


