// The Azure rules that read the whole stack: a compliant set of resources passes, and breaking it one
// property at a time fails with a message naming the resource, what is wrong and the fix.
import { describe, expect, it } from "vitest";
import { ARCHIVE_STORE, LOCK_PENDING_TAG, SANDBOX_TAG, STORE_TAG } from "../../../policies/shared/conventions";
import { azureAlerts } from "../../../policies/azure/alerts";
import { backupCoversArchive } from "../../../policies/azure/backupCoverage";
import { diagnosticsImmutableCopy } from "../../../policies/azure/diagnosticsCopy";
import { ingestorLogsAudited } from "../../../policies/azure/ingestorLogs";
import { lifecycleArchiveTierRedundancy } from "../../../policies/azure/lifecycleTiers";
import { changed, type Fixture, REMOVE, stackMessages } from "../helpers";

const RG = "/subscriptions/s/resourceGroups/rg-email-journal-azure-eastus2";
const accountId = (name: string) => `${RG}/providers/Microsoft.Storage/storageAccounts/${name}`;

type Case = [what: string, index: number, path: string, value: unknown, expected: string];

/** Breaks fixture `index` of `compliant` at `path`, one case at a time. */
function breaks(policy: Parameters<typeof stackMessages>[0], compliant: Fixture[], cases: Case[]) {
  it("passes the compliant stack", async () => {
    expect(await stackMessages(policy, compliant)).toEqual([]);
  });
  it.each(cases)("fails when %s", async (_what, index, path, value, expected) => {
    const fixtures = compliant.map((f, i) => (i === index ? { ...f, inputs: changed(f.inputs, path, value) } : f));
    expect(await stackMessages(policy, fixtures)).toEqual([expect.stringContaining(expected)]);
  });
}

describe("azure-lifecycle-archive-tier-redundancy", () => {
  const account = { type: "azure-native:storage:StorageAccount", name: "journal-archive", inputs: { accountName: "ejarceastus", sku: { name: "Standard_ZRS" } } };
  const policy = {
    type: "azure-native:storage:ManagementPolicy",
    name: "journal-archive-lifecycle",
    inputs: { accountName: "ejarceastus", policy: { rules: [{ name: "cost-tiers", enabled: true, definition: { actions: { baseBlob: { tierToCool: { daysAfterCreationGreaterThan: 30 }, tierToCold: { daysAfterCreationGreaterThan: 90 } } } } }] } },
  };
  breaks(lifecycleArchiveTierRedundancy, [account, policy], [
    ["ZRS base blobs go to archive", 1, "policy.rules.0.definition.actions.baseBlob.tierToArchive", { daysAfterCreationGreaterThan: 365 }, "journal-archive-lifecycle: rule cost-tiers moves baseBlob to the archive tier on ejarceastus, which is Standard_ZRS; stop at cold"],
    ["ZRS versions go to archive", 1, "policy.rules.0.definition.actions.version", { tierToArchive: { daysAfterCreationGreaterThan: 365 } }, "moves version to the archive tier"],
  ]);

  it("lets LRS, GRS and RA-GRS accounts archive, and ignores disabled rules", async () => {
    const archiving = changed(policy, "inputs.policy.rules.0.definition.actions.baseBlob.tierToArchive", { daysAfterCreationGreaterThan: 365 });
    for (const sku of ["Standard_LRS", "Standard_GRS", "Standard_RAGRS"]) expect(await stackMessages(lifecycleArchiveTierRedundancy, [changed(account, "inputs.sku.name", sku), archiving]), sku).toEqual([]);
    for (const sku of ["Standard_GZRS", "Standard_RAGZRS"]) expect(await stackMessages(lifecycleArchiveTierRedundancy, [changed(account, "inputs.sku.name", sku), archiving]), sku).toHaveLength(1);
    expect(await stackMessages(lifecycleArchiveTierRedundancy, [account, changed(archiving, "inputs.policy.rules.0.enabled", false)])).toEqual([]);
  });
});

describe("azure-diagnostics-immutable-copy", () => {
  const logs = {
    type: "azure-native:storage:StorageAccount",
    name: "journal-audit-logs",
    inputs: { accountName: "ejlogeastus", tags: {}, immutableStorageWithVersioning: { enabled: true, immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: 2557, state: "Locked", allowProtectedAppendWrites: true } } },
  };
  const setting = {
    type: "azure-native:monitor:DiagnosticSetting",
    name: "journal-vault-audit",
    inputs: { resourceUri: `${RG}/providers/Microsoft.KeyVault/vaults/kv-ej-azure-eastus2`, workspaceId: `${RG}/providers/Microsoft.OperationalInsights/workspaces/law-email-journal-azure-eastus2`, storageAccountId: accountId("ejlogeastus"), logs: [{ category: "AuditEvent", enabled: true }] },
  };
  breaks(diagnosticsImmutableCopy, [logs, setting], [
    ["there is no workspace", 1, "workspaceId", REMOVE, "journal-vault-audit: workspaceId is not set"],
    ["the copy goes to an account outside the stack", 1, "storageAccountId", accountId("elsewhere"), 'storageAccountId is "/subscriptions/s/resourceGroups/rg-email-journal-azure-eastus2/providers/Microsoft.Storage/storageAccounts/elsewhere"'],
    ["the copy goes nowhere", 1, "storageAccountId", REMOVE, "storageAccountId is null"],
    ["the log account refuses appends", 0, "immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites", false, "is not version-level WORM with protected append writes"],
    ["the log account has no WORM", 0, "immutableStorageWithVersioning", REMOVE, "is not version-level WORM"],
    ["the log account's policy is Unlocked", 0, "immutableStorageWithVersioning.immutabilityPolicy.state", "Unlocked", 'has immutability "Unlocked"; set "Locked"'],
  ]);

  it("accepts Unlocked while the first run's lock is pending, and in a sandbox", async () => {
    const unlocked = changed(logs, "inputs.immutableStorageWithVersioning.immutabilityPolicy.state", "Unlocked");
    expect(await stackMessages(diagnosticsImmutableCopy, [changed(unlocked, "inputs.tags", { [LOCK_PENDING_TAG]: "pending" }), setting])).toEqual([]);
    expect(await stackMessages(diagnosticsImmutableCopy, [changed(unlocked, "inputs.tags", { [SANDBOX_TAG]: "true" }), setting])).toEqual([]);
  });
});

describe("azure-ingestor-logs-audited", () => {
  const app = { type: "azure-native:web:WebApp", name: "journal-ingestor", inputs: { name: "func-ej-azure-eastus2", kind: "functionapp,linux" } };
  const setting = { type: "azure-native:monitor:DiagnosticSetting", name: "journal-ingestor-logs", inputs: { resourceUri: `${RG}/providers/Microsoft.Web/sites/func-ej-azure-eastus2`, logs: [{ category: "FunctionAppLogs", enabled: true }] } };
  breaks(ingestorLogsAudited, [app, setting], [
    ["the category is off", 1, "logs.0.enabled", false, "journal-ingestor: no diagnostic setting sends its FunctionAppLogs"],
    ["another category is sent", 1, "logs.0.category", "AppServiceHTTPLogs", "no diagnostic setting sends its FunctionAppLogs"],
    ["the setting is on another app", 1, "resourceUri", `${RG}/providers/Microsoft.Web/sites/other`, "no diagnostic setting sends its FunctionAppLogs"],
  ]);

  it("accepts the allLogs category group, and does not ask it of a web app that is not a function app", async () => {
    expect(await stackMessages(ingestorLogsAudited, [app, changed(setting, "inputs.logs", [{ categoryGroup: "allLogs", enabled: true }])])).toEqual([]);
    expect(await stackMessages(ingestorLogsAudited, [changed(app, "inputs.kind", "app,linux")])).toEqual([]);
  });
});

describe("azure-backup-covers-archive", () => {
  const archive = { type: "azure-native:storage:StorageAccount", name: "journal-archive", inputs: { accountName: "ejarceastus", tags: { [STORE_TAG]: ARCHIVE_STORE } } };
  const instance = { type: "azure-native:dataprotection:BackupInstance", name: "journal-backup-archive", inputs: { properties: { dataSourceInfo: { resourceID: accountId("ejarceastus") } } } };
  const policy = {
    type: "azure-native:dataprotection:BackupPolicy",
    name: "journal-backup-policy",
    inputs: { properties: { policyRules: [{ name: "daily", objectType: "AzureBackupRule" }, { name: "Default", objectType: "AzureRetentionRule", lifecycles: [{ deleteAfter: { objectType: "AbsoluteDeleteOption", duration: "P2557D" } }] }] } },
  };
  breaks(backupCoversArchive, [archive, instance, policy], [
    ["the instance backs up another account", 1, "properties.dataSourceInfo.resourceID", accountId("ejinbeastus"), "journal-archive: no backup instance names it"],
    ["the policy keeps a year", 2, "properties.policyRules.1.lifecycles.0.deleteAfter.duration", "P365D", "journal-backup-policy: its retention keeps recovery points 365 days; set at least P2557D"],
    ["the policy has no retention", 2, "properties.policyRules", [{ name: "daily", objectType: "AzureBackupRule" }], "keeps recovery points 0 days"],
  ]);

  it("lets a sandbox keep backups for its short retention", async () => {
    const short = changed(policy, "inputs.properties.policyRules.1.lifecycles.0.deleteAfter.duration", "P14D");
    expect(await stackMessages(backupCoversArchive, [changed(archive, "inputs.tags", { [STORE_TAG]: ARCHIVE_STORE, [SANDBOX_TAG]: "true" }), instance, short])).toEqual([]);
  });
});

describe("azure-alerts-errors-and-denials", () => {
  const app = { type: "azure-native:web:WebApp", name: "journal-ingestor", inputs: { kind: "functionapp,linux" } };
  const archive = { type: "azure-native:storage:StorageAccount", name: "journal-archive", inputs: { accountName: "ejarceastus", tags: { [STORE_TAG]: ARCHIVE_STORE } } };
  const rule = (name: string, query: string) => ({
    type: "azure-native:monitor:ScheduledQueryRule",
    name,
    inputs: { enabled: true, criteria: { allOf: [{ query }] }, actions: { actionGroups: [`${RG}/providers/Microsoft.Insights/actionGroups/email-journal-azure-eastus2`] } },
  });
  const errors = rule("journal-ingestor-failures", "FunctionAppLogs | where Level == 'Error' or isnotempty(ExceptionMessage)");
  const denied = rule("journal-archive-access-denied", "StorageBlobLogs | where AccountName == 'ejarceastus' and StatusCode in (401, 403)");
  breaks(azureAlerts, [app, archive, errors, denied], [
    ["the error alert notifies nobody", 2, "actions.actionGroups", [], "journal-ingestor: no log alert with an action group watches its errors"],
    ["the error alert is off", 2, "enabled", false, "journal-ingestor: no log alert with an action group watches its errors"],
    ["the denial alert watches another account", 3, "criteria.allOf.0.query", "StorageBlobLogs | where AccountName == 'ejinbeastus' and StatusCode in (401, 403)", "journal-archive: no log alert with an action group watches denied requests to it"],
  ]);
});
