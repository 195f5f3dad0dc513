// Backup: a Data Protection backup vault (immutability locked once the stack has been deployed
// before, soft delete always on) with a daily vaulted blob backup of the archive container kept
// for the minimum retention.
//
// An immutable Backup vault refuses "Stop protection with delete data": "a protected item can't have
// its recovery points deleted before their respective expiry date" (Azure Backup docs, "Immutable
// vault for Azure Backup", Restricted operations), and that holds while immutability is enabled,
// locked or not. Deleting the backup instance is that operation, so outside a sandbox the instance
// is kept like the vault: `pulumi destroy` leaves it rather than fail on it.
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { BUILT_IN_ROLES, builtInRoleId } from "./roles";
import { CONTAINERS } from "./storage";

export interface BackupArgs {
  readonly config: StackConfig;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly archiveAccountId: pulumi.Input<string>;
  readonly archiveAccountName: pulumi.Input<string>;
  readonly lockState: "Locked" | "Unlocked";
  readonly tags: Record<string, string>;
  /** Options that keep the vault and its backup when the stack is destroyed; none in a sandbox. */
  readonly keep: pulumi.CustomResourceOptions;
}

const VAULT_STORE = { dataStoreType: "VaultStore", objectType: "DataStoreInfoBase" };

export function archiveBackup(name: string, args: BackupArgs, opts: pulumi.CustomResourceOptions) {
  const { config } = args;
  const vault = new azure.dataprotection.BackupVault(
    `${name}-backup-vault`,
    {
      vaultName: `bv-email-journal-${config.stack}`,
      resourceGroupName: args.resourceGroupName,
      location: config.region,
      identity: { type: "SystemAssigned" },
      properties: {
        storageSettings: [{ datastoreType: "VaultStore", type: "ZoneRedundant" }],
        securitySettings: { immutabilitySettings: { state: args.lockState }, softDeleteSettings: { state: "AlwaysOn", retentionDurationInDays: 14 } },
      },
      tags: args.tags,
    },
    { ...opts, ...args.keep },
  );
  // "Storage Account Backup Contributor" on the account, to the vault's identity (Azure Backup docs,
  // "Configure and manage backup for Azure Blobs", Grant permissions to the Backup vault).
  const canBackUp = new azure.authorization.RoleAssignment(
    `${name}-backup-access`,
    {
      scope: args.archiveAccountId,
      principalId: vault.identity.apply((identity) => identity?.principalId ?? ""),
      principalType: "ServicePrincipal",
      roleDefinitionId: builtInRoleId(args.subscriptionId, BUILT_IN_ROLES.storageAccountBackupContributor),
    },
    opts,
  );
  const policy = new azure.dataprotection.BackupPolicy(
    `${name}-backup-policy`,
    {
      resourceGroupName: args.resourceGroupName,
      vaultName: vault.name,
      backupPolicyName: "daily-archive",
      properties: {
        objectType: "BackupPolicy",
        datasourceTypes: ["Microsoft.Storage/storageAccounts/blobServices"],
        policyRules: [
          {
            name: "daily",
            objectType: "AzureBackupRule",
            dataStore: VAULT_STORE,
            backupParameters: { objectType: "AzureBackupParams", backupType: "Discrete" },
            trigger: {
              objectType: "ScheduleBasedTriggerContext",
              schedule: { repeatingTimeIntervals: ["R/2026-01-01T05:00:00+00:00/P1D"], timeZone: "UTC" },
              taggingCriteria: [{ isDefault: true, taggingPriority: 99, tagInfo: { tagName: "Default" } }],
            },
          },
          {
            name: "Default",
            objectType: "AzureRetentionRule",
            isDefault: true,
            lifecycles: [{ sourceDataStore: VAULT_STORE, deleteAfter: { objectType: "AbsoluteDeleteOption", duration: `P${config.retention.minimumDays}D` } }],
          },
        ],
      },
    },
    opts,
  );
  const instance = new azure.dataprotection.BackupInstance(
    `${name}-backup-archive`,
    {
      resourceGroupName: args.resourceGroupName,
      vaultName: vault.name,
      properties: {
        objectType: "BackupInstance",
        friendlyName: "archive",
        dataSourceInfo: {
          objectType: "Datasource",
          datasourceType: "Microsoft.Storage/storageAccounts/blobServices",
          resourceID: args.archiveAccountId,
          resourceName: args.archiveAccountName,
          resourceType: "Microsoft.Storage/storageAccounts",
          resourceLocation: config.region,
          resourceUri: args.archiveAccountId,
        },
        policyInfo: {
          policyId: policy.id,
          policyParameters: { backupDatasourceParametersList: [{ objectType: "BlobBackupDatasourceParameters", containersList: [CONTAINERS.archive] }] },
        },
      },
    },
    { ...opts, ...args.keep, dependsOn: [canBackUp] },
  );
  return { vault, policy, instance };
}
