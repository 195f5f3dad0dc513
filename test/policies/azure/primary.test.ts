// The pack on the Azure primary the program really builds (Pulumi.azure-eastus2.yaml under
// mocks): no violation as it stands, and every misconfiguration that matters caught.
import { beforeAll } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { drop, edit, type Mutation, packCatches, type Resources } from "../mutations";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("azure-eastus2");
});

const ACCOUNT = "azure-native:storage:StorageAccount";
const worm = (change: (policy: any) => void) => (r: Resources) => edit(r, ACCOUNT, "archive", (i) => change(i.immutableStorageWithVersioning.immutabilityPolicy));

const mutations: Mutation[] = [
  ["retention unlocked", worm((p) => (p.state = "Unlocked")), "archive-store-worm-and-key"],
  ["retention shortened", worm((p) => (p.immutabilityPeriodSinceCreationInDays = 365)), "archive-store-worm-and-key"],
  ["WORM off", (r) => edit(r, ACCOUNT, "archive", (i) => delete i.immutableStorageWithVersioning), "archive-store-worm-and-key"],
  ["lifecycle deletes before the retention", (r) => edit(r, "azure-native:storage:ManagementPolicy", "archive", (i) => (i.policy.rules[1].definition.actions.baseBlob.delete.daysAfterCreationGreaterThan = 400)), "archive-lifecycle-respects-retention"],
  ["archive not protected", (r) => edit(r, ACCOUNT, "archive", () => undefined, { protect: false }), "archive-store-worm-and-key"],
  ["Microsoft-managed key", (r) => edit(r, ACCOUNT, "archive", (i) => (i.encryption.keySource = "Microsoft.Storage")), "archive-store-worm-and-key"],
  ["key rotation off", (r) => edit(r, "azure-native:keyvault:Key", "key", (i) => delete i.properties.rotationPolicy), "azure-key-rotation"],
  ["purge protection off", (r) => edit(r, "azure-native:keyvault:Vault", "vault", (i) => (i.properties.enablePurgeProtection = false)), "azure-key-vault-protected"],
  ["public blob access allowed", (r) => edit(r, ACCOUNT, "inbox", (i) => (i.allowBlobPublicAccess = true)), "azure-storage-account-hardened"],
  ["public container", (r) => edit(r, "azure-native:storage:BlobContainer", "archive", (i) => (i.publicAccess = "Blob")), "azure-container-private"],
  ["shared keys allowed", (r) => edit(r, ACCOUNT, "archive", (i) => (i.allowSharedKeyAccess = true)), "azure-storage-account-hardened"],
  ["wildcard role", (r) => edit(r, "azure-native:authorization:RoleDefinition", "ingestor-archive", (i) => (i.permissions[0].dataActions = ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"])), "azure-role-definition-least-privilege"],
  ["ingestor may delete archive blobs", (r) => edit(r, "azure-native:authorization:RoleDefinition", "ingestor-archive", (i) => i.permissions[0].dataActions.push("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete")), "archive-store-worm-and-key"],
  ["Contributor for the ingestor", (r) => edit(r, "azure-native:authorization:RoleAssignment", "ingestor-inbox-access", (i) => (i.roleDefinitionId = "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c")), "azure-role-assignment-no-broad-built-ins"],
  ["audit logging removed", (r) => drop(r, "azure-native:monitor:DiagnosticSetting", "archive-blob-audit"), "archive-audit-logging"],
  ["reads not audited", (r) => edit(r, "azure-native:monitor:DiagnosticSetting", "archive-blob-audit", (i) => (i.logs = i.logs.filter((l: { category: string }) => l.category !== "StorageRead"))), "archive-audit-logging"],
  ["Key Vault audit removed", (r) => drop(r, "azure-native:monitor:DiagnosticSetting", "vault-audit"), "archive-audit-logging"],
  ["audit logs kept 30 days", (r) => edit(r, "azure-native:operationalinsights:Workspace", "logs", (i) => (i.retentionInDays = 30)), "azure-log-analytics-retained"],
  ["replication removed", (r) => drop(r, "azure-native:storage:ObjectReplicationPolicy"), "archive-replicated-to-another-region"],
  ["TLS relaxed", (r) => edit(r, ACCOUNT, "archive", (i) => (i.minimumTlsVersion = "TLS1_0")), "azure-storage-account-hardened"],
  ["plain HTTP allowed", (r) => edit(r, ACCOUNT, "inbox", (i) => (i.enableHttpsTrafficOnly = false)), "azure-storage-account-hardened"],
  ["function over HTTP", (r) => edit(r, "azure-native:web:WebApp", "ingestor", (i) => (i.httpsOnly = false)), "azure-function-app-hardened"],
  ["dead letter removed", (r) => edit(r, "azure-native:eventgrid:SystemTopicEventSubscription", "inbox", (i) => delete i.deadLetterWithResourceIdentity), "ingestor-dead-letter-alerted"],
  ["dead-letter alert removed", (r) => drop(r, "azure-native:monitor:MetricAlert"), "ingestor-dead-letter-alerted"],
  ["backup vault unlocked", (r) => edit(r, "azure-native:dataprotection:BackupVault", "backup", (i) => (i.properties.securitySettings.immutabilitySettings.state = "Unlocked")), "azure-backup-vault-immutable"],
  ["archive tier on a ZRS account", (r) => edit(r, "azure-native:storage:ManagementPolicy", "archive", (i) => (i.policy.rules[0].definition.actions.baseBlob.tierToArchive = { daysAfterCreationGreaterThan: 365 })), "azure-lifecycle-archive-tier-redundancy"],
  ["inbox under a Microsoft-managed key", (r) => edit(r, ACCOUNT, "inbox", (i) => (i.encryption.keySource = "Microsoft.Storage")), "azure-storage-account-customer-key"],
  ["audit logs without the key's identity", (r) => edit(r, ACCOUNT, "audit-logs", (i) => delete i.encryption.encryptionIdentity), "azure-storage-account-customer-key"],
  ["software-protected key", (r) => edit(r, "azure-native:keyvault:Key", "key", (i) => (i.properties.kty = "RSA")), "azure-key-hsm"],
  ["audit copy into an account that refuses appends", (r) => edit(r, ACCOUNT, "audit-logs", (i) => (i.immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites = false)), "azure-diagnostics-immutable-copy"],
  ["audit logs only in the workspace", (r) => edit(r, "azure-native:monitor:DiagnosticSetting", "vault-audit", (i) => delete i.storageAccountId), "azure-diagnostics-immutable-copy"],
  ["ingestor audit lines not sent", (r) => drop(r, "azure-native:monitor:DiagnosticSetting", "ingestor-logs"), "azure-ingestor-logs-audited"],
  ["archive not backed up", (r) => drop(r, "azure-native:dataprotection:BackupInstance"), "azure-backup-covers-archive"],
  ["backups kept a year", (r) => edit(r, "azure-native:dataprotection:BackupPolicy", "backup-policy", (i) => (i.properties.policyRules[1].lifecycles[0].deleteAfter.duration = "P365D")), "azure-backup-covers-archive"],
  ["denied-access alert removed", (r) => drop(r, "azure-native:monitor:ScheduledQueryRule", "archive-access-denied"), "azure-alerts-errors-and-denials"],
  ["ingestor failure alert removed", (r) => drop(r, "azure-native:monitor:ScheduledQueryRule", "ingestor-failures"), "azure-alerts-errors-and-denials"],
];

packCatches("azure primary", () => run, mutations, 45);
