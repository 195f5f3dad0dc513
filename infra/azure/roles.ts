// Azure built-in roles this stack assigns, by their documented ids. Only narrow ones: the pack's
// azure-role-assignment-no-broad-built-ins rule refuses Owner, Contributor and data-owner roles.
import * as pulumi from "@pulumi/pulumi";

export const BUILT_IN_ROLES = {
  /** Wrap and unwrap with a Key Vault key: what a storage account needs for its customer key. */
  keyVaultCryptoServiceEncryptionUser: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
  /** What a Data Protection backup vault needs on a storage account to back up its blobs. */
  storageAccountBackupContributor: "e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1",
} as const;

export const builtInRoleId = (subscriptionId: pulumi.Input<string>, id: string) => pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
