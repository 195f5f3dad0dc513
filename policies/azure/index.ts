// The Azure (azure-native) resource rules of the pack, one per file.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { backupVaultImmutable } from "./backupVault";
import { blobServiceRecoverable } from "./blobService";
import { containerPrivate } from "./container";
import { functionAppHardened } from "./functionApp";
import { keyRotation } from "./keyRotation";
import { keyVaultProtected } from "./keyVault";
import { logAnalyticsRetained } from "./logAnalytics";
import { noBroadRoleAssignments } from "./roleAssignment";
import { roleDefinitionLeastPrivilege } from "./roleDefinition";
import { storageAccountHardened } from "./storageAccount";

export const azurePolicies: ResourceValidationPolicy[] = [
  storageAccountHardened,
  blobServiceRecoverable,
  containerPrivate,
  keyVaultProtected,
  keyRotation,
  roleDefinitionLeastPrivilege,
  noBroadRoleAssignments,
  functionAppHardened,
  logAnalyticsRetained,
  backupVaultImmutable,
];
