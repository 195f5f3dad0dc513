// What Microsoft documents, recorded once for the Azure contract suite: the operations (actions
// and data actions) the contracts and the plan's roles name, and the built-in roles the plan or
// its operators rely on, with their permissions copied from "Azure built-in roles for Storage" /
// "... for Security" / "... for General" (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
// A built-in role's wildcards are expanded against OPERATIONS, never matched freely: an operation a
// contract needs must be listed here first, with where it is documented.

export type OpKind = "action" | "dataAction";

export interface DocumentedOp {
  readonly name: string;
  readonly kind: OpKind;
}

/** The provider's "Azure permissions" page (learn.microsoft.com/azure/role-based-access-control/permissions/...) documents each. */
const ops = (kind: OpKind, ...names: string[]): DocumentedOp[] => names.map((name) => ({ name, kind }));

const SA = "Microsoft.Storage/storageAccounts";
const BLOBS = `${SA}/blobServices/containers/blobs`;

export const OPERATIONS: readonly DocumentedOp[] = [
  // Azure permissions, Microsoft.Storage
  ...ops(
    "action",
    `${SA}/read`,
    `${SA}/write`,
    `${SA}/listkeys/action`,
    `${SA}/blobServices/read`,
    `${SA}/blobServices/write`,
    `${SA}/blobServices/generateUserDelegationKey/action`,
    `${SA}/blobServices/containers/read`,
    `${SA}/blobServices/containers/write`,
    `${SA}/blobServices/containers/delete`,
    `${SA}/blobServices/containers/immutabilityPolicies/write`,
    `${SA}/blobServices/containers/immutabilityPolicies/lock/action`,
    `${SA}/managementPolicies/write`,
    `${SA}/objectReplicationPolicies/read`,
    `${SA}/objectReplicationPolicies/write`,
    `${SA}/objectReplicationPolicies/delete`,
    `${SA}/objectReplicationPolicies/restorePointMarkers/write`,
    `${SA}/restoreBlobRanges/action`,
    "Microsoft.Storage/operations/read",
  ),
  ...ops(
    "dataAction",
    `${BLOBS}/read`,
    `${BLOBS}/write`,
    `${BLOBS}/delete`,
    `${BLOBS}/add/action`,
    `${BLOBS}/move/action`,
    `${BLOBS}/deleteBlobVersion/action`,
    `${BLOBS}/permanentDelete/action`,
    `${BLOBS}/immutableStorage/runAsSuperUser/action`,
    `${BLOBS}/runAsSuperUser/action`,
    `${BLOBS}/manageOwnership/action`,
    `${BLOBS}/modifyPermissions/action`,
    `${BLOBS}/tags/read`,
    `${BLOBS}/tags/write`,
    `${BLOBS}/filter/action`,
  ),
  // Azure permissions, Microsoft.KeyVault
  ...ops("action", "Microsoft.KeyVault/vaults/read", "Microsoft.KeyVault/vaults/write", "Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/write", "Microsoft.KeyVault/deletedVaults/read"),
  ...ops(
    "dataAction",
    "Microsoft.KeyVault/vaults/keys/read",
    "Microsoft.KeyVault/vaults/keys/create/action",
    "Microsoft.KeyVault/vaults/keys/update/action",
    "Microsoft.KeyVault/vaults/keys/delete",
    "Microsoft.KeyVault/vaults/keys/encrypt/action",
    "Microsoft.KeyVault/vaults/keys/decrypt/action",
    "Microsoft.KeyVault/vaults/keys/wrap/action",
    "Microsoft.KeyVault/vaults/keys/unwrap/action",
    "Microsoft.KeyVault/vaults/keys/sign/action",
    "Microsoft.KeyVault/vaults/keys/verify/action",
  ),
  // Azure permissions, Microsoft.EventGrid
  ...ops("action", "Microsoft.EventGrid/eventSubscriptions/read", "Microsoft.EventGrid/eventSubscriptions/write", "Microsoft.EventGrid/eventSubscriptions/delete", "Microsoft.EventGrid/systemTopics/write", "Microsoft.EventGrid/systemTopics/eventSubscriptions/write"),
  // Azure permissions, Microsoft.Authorization / Microsoft.Resources / Microsoft.Features
  ...ops(
    "action",
    "Microsoft.Authorization/roleAssignments/read",
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleAssignments/delete",
    "Microsoft.Authorization/roleDefinitions/read",
    "Microsoft.Authorization/roleDefinitions/write",
    "Microsoft.Authorization/locks/read",
    "Microsoft.Authorization/locks/write",
    "Microsoft.Authorization/locks/delete",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Features/features/read",
    "Microsoft.Features/providers/features/read",
  ),
  // Azure permissions, Microsoft.ManagedIdentity / Microsoft.Web / Microsoft.OperationalInsights / Microsoft.Insights / Microsoft.DataProtection
  ...ops(
    "action",
    "Microsoft.ManagedIdentity/userAssignedIdentities/write",
    "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action",
    "Microsoft.Web/serverfarms/write",
    "Microsoft.Web/sites/write",
    "Microsoft.OperationalInsights/workspaces/write",
    "Microsoft.Insights/diagnosticSettings/write",
    "Microsoft.Insights/actionGroups/write",
    "Microsoft.Insights/metricAlerts/write",
    "Microsoft.Insights/scheduledQueryRules/write",
    "Microsoft.DataProtection/backupVaults/write",
    "Microsoft.DataProtection/backupVaults/backupPolicies/write",
    "Microsoft.DataProtection/backupVaults/backupInstances/write",
  ),
];

export interface BuiltInRole {
  readonly roleName: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly dataActions: readonly string[];
  readonly source: string;
}

/** Built-in roles by their documented ids, permissions as documented (wildcards and all). */
export const BUILT_IN_ROLES: Readonly<Record<string, BuiltInRole>> = {
  "e147488a-f6f5-4113-8e2d-b22465e65bf6": {
    roleName: "Key Vault Crypto Service Encryption User",
    actions: ["Microsoft.EventGrid/eventSubscriptions/write", "Microsoft.EventGrid/eventSubscriptions/read", "Microsoft.EventGrid/eventSubscriptions/delete"],
    notActions: [],
    dataActions: ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action", "Microsoft.KeyVault/vaults/keys/unwrap/action"],
    source: "Azure built-in roles for Security, Key Vault Crypto Service Encryption User",
  },
  "e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1": {
    roleName: "Storage Account Backup Contributor",
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Authorization/locks/read",
      "Microsoft.Authorization/locks/write",
      "Microsoft.Authorization/locks/delete",
      "Microsoft.Features/features/read",
      "Microsoft.Features/providers/features/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Storage/operations/read",
      `${SA}/objectReplicationPolicies/delete`,
      `${SA}/objectReplicationPolicies/read`,
      `${SA}/objectReplicationPolicies/write`,
      `${SA}/objectReplicationPolicies/restorePointMarkers/write`,
      `${SA}/blobServices/containers/read`,
      `${SA}/blobServices/containers/write`,
      `${SA}/blobServices/read`,
      `${SA}/blobServices/write`,
      `${SA}/read`,
      `${SA}/restoreBlobRanges/action`,
    ],
    notActions: [],
    dataActions: [],
    source: "Azure built-in roles for Storage, Storage Account Backup Contributor",
  },
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": {
    roleName: "Storage Blob Data Contributor",
    actions: [`${SA}/blobServices/containers/delete`, `${SA}/blobServices/containers/read`, `${SA}/blobServices/containers/write`, `${SA}/blobServices/generateUserDelegationKey/action`],
    notActions: [],
    dataActions: [`${BLOBS}/delete`, `${BLOBS}/read`, `${BLOBS}/write`, `${BLOBS}/move/action`, `${BLOBS}/add/action`],
    source: "Azure built-in roles for Storage, Storage Blob Data Contributor",
  },
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": {
    roleName: "Storage Blob Data Owner",
    actions: [`${SA}/blobServices/containers/*`, `${SA}/blobServices/generateUserDelegationKey/action`],
    notActions: [],
    dataActions: [`${BLOBS}/*`],
    source: "Azure built-in roles for Storage, Storage Blob Data Owner",
  },
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": { roleName: "Owner", actions: ["*"], notActions: [], dataActions: [], source: "Azure built-in roles for General, Owner" },
};

/** Whether an RBAC pattern matches an operation: `*` is any run of characters, case does not matter. */
export function opMatches(pattern: string, name: string): boolean {
  return new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i").test(name);
}

/** The documented operations of `kind` that `patterns` grant and `notPatterns` do not. */
export function expand(kind: OpKind, patterns: readonly string[], notPatterns: readonly string[] = []): Set<string> {
  return new Set(OPERATIONS.filter((op) => op.kind === kind && patterns.some((p) => opMatches(p, op.name)) && !notPatterns.some((p) => opMatches(p, op.name))).map((op) => op.name.toLowerCase()));
}

export const isDocumented = (kind: OpKind, name: string) => OPERATIONS.some((op) => op.kind === kind && op.name.toLowerCase() === name.toLowerCase());
