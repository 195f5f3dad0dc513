// Every Azure resource rule: a compliant resource passes, and each way of breaking it fails with
// a message naming the resource, the property, the value found and the fix.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { backupVaultImmutable } from "../../../policies/azure/backupVault";
import { blobServiceRecoverable } from "../../../policies/azure/blobService";
import { containerPrivate } from "../../../policies/azure/container";
import { functionAppHardened } from "../../../policies/azure/functionApp";
import { keyRotation } from "../../../policies/azure/keyRotation";
import { keyHsmStrength } from "../../../policies/azure/keyStrength";
import { keyVaultProtected } from "../../../policies/azure/keyVault";
import { logAnalyticsRetained } from "../../../policies/azure/logAnalytics";
import { noBroadRoleAssignments } from "../../../policies/azure/roleAssignment";
import { roleDefinitionLeastPrivilege } from "../../../policies/azure/roleDefinition";
import { storageAccountHardened } from "../../../policies/azure/storageAccount";
import { storageAccountCustomerKey } from "../../../policies/azure/storageCustomerKey";
import { SANDBOX_TAG } from "../../../policies/shared/conventions";
import { isoDurationDays } from "../../../policies/duration";
import { changed, type Fixture, REMOVE, resourceMessages } from "../helpers";

type Case = [ResourceValidationPolicy, Fixture, ...[string, unknown, string][]];
const BLOB = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";

const cases: Case[] = [
  [
    storageAccountHardened,
    {
      type: "azure-native:storage:StorageAccount",
      inputs: { accountName: "ejarchiveprod", enableHttpsTrafficOnly: true, minimumTlsVersion: "TLS1_2", allowBlobPublicAccess: false, allowSharedKeyAccess: false, encryption: { requireInfrastructureEncryption: true } },
    },
    ["enableHttpsTrafficOnly", false, "enableHttpsTrafficOnly is false; set true"],
    ["minimumTlsVersion", "TLS1_0", 'minimumTlsVersion is "TLS1_0"; set "TLS1_2"'],
    ["allowBlobPublicAccess", true, "allowBlobPublicAccess is true; set false"],
    ["allowSharedKeyAccess", REMOVE, "allowSharedKeyAccess is not set; set false"],
    ["encryption.requireInfrastructureEncryption", false, "encryption.requireInfrastructureEncryption is false"],
  ],
  [
    storageAccountCustomerKey,
    {
      type: "azure-native:storage:StorageAccount",
      inputs: {
        accountName: "ejinboxprod",
        identity: { type: "UserAssigned", userAssignedIdentities: ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-storage"] },
        encryption: {
          keySource: "Microsoft.Keyvault",
          keyVaultProperties: { keyName: "archive", keyVaultUri: "https://kv-ej-azure-eastus2.vault.azure.net/" },
          encryptionIdentity: { encryptionUserAssignedIdentity: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-storage" },
        },
      },
    },
    ["encryption.keySource", "Microsoft.Storage", 'encryption.keySource is "Microsoft.Storage"; set "Microsoft.Keyvault"'],
    ["encryption.keyVaultProperties.keyName", REMOVE, "encryption.keyVaultProperties is"],
    ["encryption.encryptionIdentity", REMOVE, "encryption.encryptionIdentity.encryptionUserAssignedIdentity is not set"],
    ["identity.userAssignedIdentities", ["/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other"], "identity.userAssignedIdentities is"],
  ],
  [
    blobServiceRecoverable,
    {
      type: "azure-native:storage:BlobServiceProperties",
      inputs: { isVersioningEnabled: true, changeFeed: { enabled: true }, deleteRetentionPolicy: { enabled: true, days: 30 }, containerDeleteRetentionPolicy: { enabled: true, days: 30 } },
    },
    ["isVersioningEnabled", false, "isVersioningEnabled is false"],
    ["changeFeed.enabled", false, "changeFeed.enabled is false"],
    ["deleteRetentionPolicy.days", 1, 'deleteRetentionPolicy is {"enabled":true,"days":1}'],
    ["containerDeleteRetentionPolicy", REMOVE, "containerDeleteRetentionPolicy is not set"],
  ],
  [containerPrivate, { type: "azure-native:storage:BlobContainer", inputs: { publicAccess: "None" } }, ["publicAccess", "Blob", 'publicAccess is "Blob"; set "None"']],
  [
    keyVaultProtected,
    { type: "azure-native:keyvault:Vault", inputs: { properties: { enableRbacAuthorization: true, enablePurgeProtection: true, enableSoftDelete: true, softDeleteRetentionInDays: 90 } } },
    ["properties.enableRbacAuthorization", false, "properties.enableRbacAuthorization is false"],
    ["properties.enablePurgeProtection", REMOVE, "properties.enablePurgeProtection is not set"],
    ["properties.enableSoftDelete", false, "properties.enableSoftDelete is false"],
    ["properties.softDeleteRetentionInDays", 7, "properties.softDeleteRetentionInDays is 7; set 90"],
  ],
  [
    keyRotation,
    { type: "azure-native:keyvault:Key", inputs: { properties: { kty: "RSA", rotationPolicy: { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P365D" } }] } } } },
    ["properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate", "P2Y", 'rotate trigger.timeAfterCreate is "P2Y"; set at most P365D'],
    ["properties.rotationPolicy.lifetimeActions.0.action.type", "notify", "lifetimeActions is \"without a rotate action\""],
    ["properties.rotationPolicy", REMOVE, "without a rotate action"],
  ],
  [
    keyHsmStrength,
    { type: "azure-native:keyvault:Key", inputs: { properties: { kty: "RSA-HSM", keySize: 3072 } } },
    ["properties.kty", "RSA", 'properties.kty is "RSA"; set "RSA-HSM"'],
    ["properties.keySize", 2048, "properties.keySize is 2048; set at least 3072"],
  ],
  [
    roleDefinitionLeastPrivilege,
    { type: "azure-native:authorization:RoleDefinition", inputs: { assignableScopes: ["/subscriptions/s/resourceGroups/rg"], permissions: [{ actions: [], dataActions: [`${BLOB}/add/action`, `${BLOB}/write`] }] } },
    ["permissions.0.dataActions", [`${BLOB}/*`], `permissions[0].dataActions is ["${BLOB}/*"]; list the exact operations`],
    ["permissions.0.dataActions", [`${BLOB}/delete`], "remove them"],
    ["permissions.0.actions", ["Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies/lock/action"], "permissions[0].actions is"],
  ],
  [
    noBroadRoleAssignments,
    { type: "azure-native:authorization:RoleAssignment", inputs: { roleDefinitionId: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/11111111-2222-3333-4444-555555555555" } },
    ["roleDefinitionId", "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635", 'roleDefinitionId is "Owner (8e3af657'],
    ["roleDefinitionId", "/providers/Microsoft.Authorization/roleDefinitions/BA92F5B4-2D11-453D-A403-E96B0029C9FE", "Storage Blob Data Contributor"],
  ],
  [
    functionAppHardened,
    {
      type: "azure-native:web:WebApp",
      inputs: {
        kind: "functionapp,linux",
        httpsOnly: true,
        identity: { type: "UserAssigned" },
        siteConfig: { minTlsVersion: "1.2", ftpsState: "Disabled", appSettings: [{ name: "RELAY_TOKEN", value: "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/relay)" }] },
      },
    },
    ["httpsOnly", false, "httpsOnly is false"],
    ["siteConfig.minTlsVersion", "1.0", 'siteConfig.minTlsVersion is "1.0"'],
    ["siteConfig.ftpsState", "AllAllowed", 'siteConfig.ftpsState is "AllAllowed"'],
    ["identity", REMOVE, "identity.type is not set"],
    ["siteConfig.appSettings.0.value", "s3cret", 'siteConfig.appSettings RELAY_TOKEN is "a plain value"'],
  ],
  [logAnalyticsRetained, { type: "azure-native:operationalinsights:Workspace", inputs: { retentionInDays: 730 } }, ["retentionInDays", 30, "retentionInDays is 30; set at least 365"]],
  [
    backupVaultImmutable,
    { type: "azure-native:dataprotection:BackupVault", inputs: { properties: { securitySettings: { immutabilitySettings: { state: "Locked" }, softDeleteSettings: { state: "AlwaysOn" } } } } },
    ["properties.securitySettings.immutabilitySettings.state", "Unlocked", 'immutabilitySettings.state is "Unlocked"; set "Locked"'],
    ["properties.securitySettings.softDeleteSettings.state", "On", 'softDeleteSettings.state is "On"'],
  ],
];

describe.each(cases.map((c) => [c[0].name, c] as const))("%s", (_name, [policy, compliant, ...breaks]) => {
  it("passes the compliant resource", async () => {
    expect(await resourceMessages(policy, compliant)).toEqual([]);
  });

  it.each(breaks)("fails when %s is %j", async (path, value, expected) => {
    expect(await resourceMessages(policy, { ...compliant, inputs: changed(compliant.inputs, path, value) })).toEqual([expect.stringContaining(expected)]);
  });
});

it("allows a delete only in a role confined to single storage accounts (the Functions host's own)", async () => {
  const host = (scopes: string[]) => ({ type: "azure-native:authorization:RoleDefinition", inputs: { assignableScopes: scopes, permissions: [{ dataActions: [`${BLOB}/delete`] }] } });
  expect(await resourceMessages(roleDefinitionLeastPrivilege, host(["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/ejinbox"]))).toEqual([]);
  expect(await resourceMessages(roleDefinitionLeastPrivilege, host(["/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/ejinbox", "/subscriptions/s"]))).toHaveLength(1);
});

describe("sandbox resources (tagged by the program)", () => {
  const sandboxed = (fixture: { type: string; inputs: Record<string, unknown> }) => ({ ...fixture, inputs: { ...fixture.inputs, tags: { [SANDBOX_TAG]: "true" } } });

  it("lets a sandbox key go unprotected, but still needs its rotation", async () => {
    const key = { type: "azure-native:keyvault:Key", protect: false, inputs: { properties: { rotationPolicy: { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P365D" } }] } } } };
    expect(await resourceMessages(keyRotation, key)).toEqual([expect.stringContaining("the protect option is false")]);
    expect(await resourceMessages(keyRotation, sandboxed(key))).toEqual([]);
    expect(await resourceMessages(keyRotation, sandboxed({ ...key, inputs: { properties: {} } }))).toEqual([expect.stringContaining("without a rotate action")]);
  });

  it("lets a sandbox backup vault stay Unlocked, never with soft delete off", async () => {
    const vault = { type: "azure-native:dataprotection:BackupVault", inputs: { properties: { securitySettings: { immutabilitySettings: { state: "Unlocked" }, softDeleteSettings: { state: "AlwaysOn" } } } } };
    expect(await resourceMessages(backupVaultImmutable, vault)).toEqual([expect.stringContaining('set "Locked"')]);
    expect(await resourceMessages(backupVaultImmutable, sandboxed(vault))).toEqual([]);
    expect(await resourceMessages(backupVaultImmutable, sandboxed(changed(vault, "inputs.properties.securitySettings.softDeleteSettings.state", "Off")))).toEqual([expect.stringContaining("softDeleteSettings.state")]);
  });
});

describe("isoDurationDays", () => {
  it.each([
    ["P90D", 90],
    ["P1Y", 365],
    ["P2M", 60],
    ["P1Y2W", 379],
  ])("reads %s as %d days", (duration, days) => expect(isoDurationDays(duration)).toBe(days));

  it.each(["", "P", "90D", "PT1H"])("cannot read %j", (duration) => expect(isoDurationDays(duration)).toBeNaN());
});
