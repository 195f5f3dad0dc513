// The customer key: a Key Vault with RBAC, purge protection and 90-day soft delete, and an RSA
// key that rotates itself. Storage accounts reach it through a user-assigned identity.
//
// Who may create the key: azure-native creates it through Azure Resource Manager
// (Microsoft.KeyVault/vaults/keys), which is a control-plane operation. "To be authorized to use
// this API, the caller needs to have the Microsoft.KeyVault/vaults/keys/write role-based access
// control (RBAC) Action"; creating a key through the data plane instead needs the
// keys/create/action DataAction (Key Vault docs, "Quickstart: Create an Azure key vault and a key
// by using ARM template", Creating key using ARM template is different from creating key via data
// plane). So Key Vault data roles (Crypto Officer, Administrator: their actions stop at
// vaults/*/read) do not let the deployer create it, which is the ForbiddenByRbac of
// pulumi/pulumi-azure-native#890 and Azure/bicep#6539 (Action 'Microsoft.KeyVault/vaults/keys/read',
// Caller KeyVault/ManagementPlane). Owner, Contributor or Key Vault Contributor do; the vault
// needs no role assignment for the deployer, and the preflight (infra/preflight/azure.ts) says
// which role to ask for. The vault firewall does not stand in the way: "Key Vault firewall rules
// only apply to data plane operations" (Key Vault docs, network security). The same quickstart
// warns that ARM "does not update existing keys": a later change to the rotation policy here is
// not applied to a key that exists; change it with `az keyvault key rotation-policy update`.
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
  readonly tags: Record<string, string>;
  /** Options that keep the vault and key when the stack is destroyed; none in a sandbox. */
  readonly keep: pulumi.CustomResourceOptions;
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
      tags: args.tags,
    },
    { ...opts, ...args.keep },
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
      tags: args.tags,
    },
    { ...opts, ...args.keep },
  );
  // Storage only reads, wraps and unwraps: Key Vault Crypto Service Encryption User (keys/read,
  // keys/wrap/action, keys/unwrap/action; "Azure built-in roles for Security"), scoped to this key.
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
