// The customer key: a Key Vault with RBAC, purge protection and 90-day soft delete, and an RSA
// key that rotates itself. Storage accounts reach it through a user-assigned identity.
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { BUILT_IN_ROLES, builtInRoleId } from "./roles";

export interface KeyArgs {
  readonly vaultName: pulumi.Input<string>;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly tenantId: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /** The identity storage accounts use to wrap their data keys. */
  readonly storageIdentityPrincipalId: pulumi.Input<string>;
  /** Days between rotations (at most 365). */
  readonly rotationDays: number;
}

export const ARCHIVE_KEY_NAME = "archive";

export function archiveKey(name: string, args: KeyArgs, opts: pulumi.CustomResourceOptions) {
  const vault = new azure.keyvault.Vault(
    `${name}-vault`,
    {
      vaultName: args.vaultName,
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      properties: {
        tenantId: args.tenantId,
        sku: { family: "A", name: "premium" },
        enableRbacAuthorization: true,
        enablePurgeProtection: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        // Storage reaches the key as a trusted service; nothing else gets through the firewall.
        networkAcls: { bypass: "AzureServices", defaultAction: "Deny" },
      },
    },
    { ...opts, protect: true, retainOnDelete: true },
  );
  const key = new azure.keyvault.Key(
    `${name}-key`,
    {
      vaultName: vault.name,
      resourceGroupName: args.resourceGroupName,
      keyName: ARCHIVE_KEY_NAME,
      properties: {
        kty: "RSA-HSM",
        keySize: 3072,
        keyOps: ["wrapKey", "unwrapKey"],
        rotationPolicy: {
          attributes: { expiryTime: `P${args.rotationDays * 2}D` },
          lifetimeActions: [
            { action: { type: "rotate" }, trigger: { timeAfterCreate: `P${args.rotationDays}D` } },
            { action: { type: "notify" }, trigger: { timeBeforeExpiry: "P30D" } },
          ],
        },
      },
    },
    { ...opts, protect: true, retainOnDelete: true },
  );
  // Storage only wraps and unwraps: scoped to this key, not the vault.
  const storageCanUseKey = new azure.authorization.RoleAssignment(
    `${name}-key-storage-access`,
    {
      scope: key.id,
      principalId: args.storageIdentityPrincipalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: builtInRoleId(args.subscriptionId, BUILT_IN_ROLES.keyVaultCryptoServiceEncryptionUser),
    },
    opts,
  );
  return { vault, key, storageCanUseKey };
}
