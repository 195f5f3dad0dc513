// The Azure (azure-native) rules of the pack, one per file.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { azureAlerts } from "./alerts";
import { backupCoversArchive } from "./backupCoverage";
import { backupVaultImmutable } from "./backupVault";
import { blobServiceRecoverable } from "./blobService";
import { containerPrivate } from "./container";
import { diagnosticsImmutableCopy } from "./diagnosticsCopy";
import { functionAppHardened } from "./functionApp";
import { ingestorLogsAudited } from "./ingestorLogs";
import { keyRotation } from "./keyRotation";
import { keyHsmStrength } from "./keyStrength";
import { keyVaultProtected } from "./keyVault";
import { lifecycleArchiveTierRedundancy } from "./lifecycleTiers";
import { logAnalyticsRetained } from "./logAnalytics";
import { noBroadRoleAssignments } from "./roleAssignment";
import { roleDefinitionLeastPrivilege } from "./roleDefinition";
import { storageAccountHardened } from "./storageAccount";
import { storageAccountCustomerKey } from "./storageCustomerKey";
import { synapseQueriesAudited } from "./synapseAudited";
import { synapseFirewallNarrow } from "./synapseFirewall";
import { synapseWorkspaceHardened } from "./synapseWorkspace";

export const azurePolicies: ResourceValidationPolicy[] = [
  storageAccountHardened,
  storageAccountCustomerKey,
  blobServiceRecoverable,
  containerPrivate,
  keyVaultProtected,
  keyRotation,
  keyHsmStrength,
  roleDefinitionLeastPrivilege,
  noBroadRoleAssignments,
  functionAppHardened,
  logAnalyticsRetained,
  backupVaultImmutable,
  synapseWorkspaceHardened,
  synapseFirewallNarrow,
];

/** Azure rules that read the whole stack. */
export const azureStackPolicies: StackValidationPolicy[] = [lifecycleArchiveTierRedundancy, diagnosticsImmutableCopy, ingestorLogsAudited, backupCoversArchive, azureAlerts, synapseQueriesAudited];
