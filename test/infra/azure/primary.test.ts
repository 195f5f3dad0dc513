// The Azure primary (Pulumi.azure-eastus2.yaml) under Pulumi mocks: every row of the Azure
// column of DESIGN.md's capability matrix, asserted on the inputs the program gives Azure.
import { beforeAll, describe, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { roleState } from "../../helpers/roleState";
import { SUBSCRIPTION } from "../../../infra/policyCheck/mocks/azure";
import { readAzureSettings } from "../../../functions/azure/settings";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("azure-eastus2");
});

const RG = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-email-journal-azure-eastus2`;
const BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";
const account = (part: string) => run.one("azure-native:storage:StorageAccount", part);
const settingsOf = (app: Record<string, any>) => Object.fromEntries(app.siteConfig.appSettings.map((s: { name: string; value: string }) => [s.name, s.value]));

describe("the Azure primary", () => {
  it("keeps the archive in a WORM account: version-level immutability Locked at the minimum retention, protected and retained", () => {
    const archive = account("archive");
    expect(archive.inputs).toMatchObject({
      kind: "StorageV2",
      sku: { name: "Standard_ZRS" },
      immutableStorageWithVersioning: { enabled: true, immutabilityPolicy: { state: "Locked", immutabilityPeriodSinceCreationInDays: 2557, allowProtectedAppendWrites: false } },
      tags: { "journal-store": "archive", role: "primary", stack: "azure-eastus2", "data-classification": "restricted" },
    });
    expect(archive.inputs.tags["journal-lock"]).toBeUndefined();
    expect(archive.options).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("hardens every account: HTTPS, TLS 1.2, Entra ID only, no public blobs, double encryption under the stack's Key Vault key", () => {
    for (const part of ["archive", "inbox", "audit-logs"]) {
      const inputs = account(part).inputs;
      expect(inputs, part).toMatchObject({
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        allowSharedKeyAccess: false,
        allowCrossTenantReplication: false,
        encryption: {
          keySource: "Microsoft.Keyvault",
          keyVaultProperties: { keyName: "archive", keyVaultUri: expect.stringMatching(/^https:\/\/kv-ej-eastus-[0-9a-f]{8}\.vault\.azure\.net\/$/) },
          encryptionIdentity: { encryptionUserAssignedIdentity: `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-email-journal-storage-azure-eastus2` },
          requireInfrastructureEncryption: true,
        },
      });
    }
  });

  it("keeps the customer key in a Key Vault with RBAC, purge protection and 90-day soft delete, rotating yearly", () => {
    const vault = run.one("azure-native:keyvault:Vault");
    expect(vault.inputs.properties).toMatchObject({ enableRbacAuthorization: true, enablePurgeProtection: true, enableSoftDelete: true, softDeleteRetentionInDays: 90, networkAcls: { defaultAction: "Deny", bypass: "AzureServices" } });
    const key = run.one("azure-native:keyvault:Key");
    expect(key.inputs.properties.rotationPolicy.lifetimeActions).toContainEqual({ action: { type: "rotate" }, trigger: { timeAfterCreate: "P365D" } });
    for (const kept of [vault, key]) expect(kept.options).toMatchObject({ protect: true, retainOnDelete: true });
    const keyAccess = run.one("azure-native:authorization:RoleAssignment", "key-storage-access").inputs;
    expect(keyAccess.roleDefinitionId).toMatch(/roleDefinitions\/e147488a-f6f5-4113-8e2d-b22465e65bf6$/);
  });

  it("versions blobs with a change feed and soft delete, tiers them to cool and cold (never archive: ZRS has no archive tier) and deletes them only after the maximum retention", () => {
    expect(run.one("azure-native:storage:BlobServiceProperties", "archive").inputs).toMatchObject({ isVersioningEnabled: true, changeFeed: { enabled: true }, deleteRetentionPolicy: { enabled: true, days: 30 } });
    const [tiers, expiry] = run.one("azure-native:storage:ManagementPolicy", "archive").inputs.policy.rules;
    expect(tiers.definition.actions.baseBlob).toEqual({
      tierToCool: { daysAfterCreationGreaterThan: 30 },
      tierToCold: { daysAfterCreationGreaterThan: 90 },
    });
    expect(expiry.definition.actions).toEqual({ baseBlob: { delete: { daysAfterCreationGreaterThan: 2922 } }, version: { delete: { daysAfterCreationGreaterThan: 2922 } } });
    // The archive's, the inbox account's three, and the search workspace's filesystem.
    expect(run.ofType("azure-native:storage:BlobContainer").map((c) => c.inputs.publicAccess)).toEqual(["None", "None", "None", "None", "None"]);
  });

  it("runs the ingestor on Flex Consumption, HTTPS only with TLS 1.2, its own identity, no secrets, intake active", () => {
    const app = run.one("azure-native:web:WebApp").inputs;
    expect(app).toMatchObject({ kind: "functionapp,linux", httpsOnly: true, identity: { type: "UserAssigned" }, functionAppConfig: { runtime: { name: "node", version: "22" } } });
    expect(app.siteConfig).toMatchObject({ minTlsVersion: "1.2", ftpsState: "Disabled" });
    const settings = settingsOf(app);
    expect(settings).toMatchObject({ AzureWebJobsStorage__credential: "managedidentity", ARCHIVE_CONTAINER: "archive", RETENTION_DAYS: "2557", "AzureWebJobs.ingestHttp.Disabled": "false", "AzureWebJobs.ingestBlob.Disabled": "false" });
    expect(Object.keys(settings).filter((name) => /KEY|SECRET|PASSWORD|CONNECTION/i.test(name))).toEqual([]);
    // What the program sets is what the function reads (functions/azure/settings.ts), body limit included.
    expect(readAzureSettings(settings)).toMatchObject({ archiveContainer: "archive", inboxContainer: "inbox", retentionDays: 2557, maxMessageBytes: Number(settings.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) });
    expect(run.one("azure-native:web:AppServicePlan").inputs.sku).toEqual({ name: "FC1", tier: "FlexConsumption" });
  });

  it("delivers inbox blob-created events to the function, dead-lettering to the inbox account", () => {
    const topic = run.one("azure-native:eventgrid:SystemTopic").inputs;
    expect(topic).toMatchObject({ topicType: "Microsoft.Storage.StorageAccounts", source: expect.stringMatching(/storageAccounts\/ejinbeastus[0-9a-f]{8}$/) });
    const subscription = run.one("azure-native:eventgrid:SystemTopicEventSubscription").inputs;
    expect(subscription).toMatchObject({
      destination: { endpointType: "AzureFunction", resourceId: expect.stringMatching(/\/functions\/ingestBlob$/), maxEventsPerBatch: 1 },
      filter: { includedEventTypes: ["Microsoft.Storage.BlobCreated"], subjectBeginsWith: "/blobServices/default/containers/inbox/" },
      deadLetterWithResourceIdentity: { deadLetterDestination: { endpointType: "StorageBlob", blobContainerName: "dead-letters" } },
    });
  });

  it("grants the ingestor create-only archive access (reads only under meta/), auditors read, hold admins legal holds; no deletes or broad built-ins", () => {
    const role = (part: string) => run.one("azure-native:authorization:RoleDefinition", part).inputs.permissions[0].dataActions;
    expect(role("ingestor-archive")).toEqual([`${BLOBS}/write`, `${BLOBS}/add/action`, `${BLOBS}/read`]);
    expect(role("auditor")).toEqual([`${BLOBS}/read`]);
    expect(role("hold-admin")).toEqual([`${BLOBS}/immutableStorage/runAsSuperUser/action`]);
    // The Functions host creates its own containers (Create Container is the containers/write action).
    expect(run.one("azure-native:authorization:RoleDefinition", "function-host").inputs.permissions[0].actions).toEqual([
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
    ]);
    expect(run.one("azure-native:authorization:RoleAssignment", "ingestor-archive-access").inputs.condition).toContain("StringStartsWith 'meta/'");
    for (const definition of run.ofType("azure-native:authorization:RoleDefinition")) {
      const deletes = definition.inputs.permissions[0].dataActions.some((a: string) => a.endsWith("/delete"));
      if (deletes) expect(definition.inputs.assignableScopes, definition.name).toEqual([expect.stringMatching(/storageAccounts\/ejinbeastus/)]);
    }
    const people = run.ofType("azure-native:authorization:RoleAssignment").filter((a) => /auditor|hold-admin/.test(a.name));
    expect([...new Set(people.map((a) => a.inputs.principalId))].sort()).toEqual(["2a9e7c41-5b3d-4f86-a1c9-8d2e4f6b0a73", "6f1c3a52-8d4e-4b7a-9c21-3e5f7a9b1d04"]);
    for (const a of people) expect(a.inputs.scope).toMatch(/storageAccounts\/ejarceastus[0-9a-f]{8}\/blobServices\/default\/containers\/archive$/);
  });

  it("lets auditors and hold admins add the auditor's trail under audit/ only, and hold admins read only that trail (and list)", () => {
    const role = (part: string) => run.one("azure-native:authorization:RoleDefinition", part).inputs.permissions[0];
    expect(role("audit-trail-writer")).toMatchObject({ actions: [], dataActions: [`${BLOBS}/add/action`] });
    expect(role("audit-trail-reader")).toMatchObject({ actions: [], dataActions: [`${BLOBS}/read`] });
    const assignment = (part: string) => run.one("azure-native:authorization:RoleAssignment", part).inputs;
    for (const part of ["auditor-trail-0", "hold-admin-trail-0"]) {
      expect(assignment(part), part).toMatchObject({ conditionVersion: "2.0", condition: `((!(ActionMatches{'${BLOBS}/add/action'})) OR (@Resource[${BLOBS}:path] StringStartsWith 'audit/'))` });
    }
    expect(assignment("hold-admin-trail-read-0")).toMatchObject({
      conditionVersion: "2.0",
      condition: `((!(ActionMatches{'${BLOBS}/read'} AND NOT SubOperationMatches{'Blob.List'})) OR (@Resource[${BLOBS}:path] StringStartsWith 'audit/'))`,
    });
  });

  it("logs every blob read, write and delete, the Key Vault and the ingestor to Log Analytics and to the WORM log account", () => {
    expect(run.one("azure-native:operationalinsights:Workspace").inputs.retentionInDays).toBe(730);
    const settings = run.ofType("azure-native:monitor:DiagnosticSetting");
    const by = (part: string) => settings.find((s) => s.name.includes(part))!.inputs;
    expect(by("archive-blob").logs.map((l: { category: string }) => l.category)).toEqual(["StorageRead", "StorageWrite", "StorageDelete"]);
    expect(by("archive-blob").resourceUri).toMatch(/ejarceastus[0-9a-f]{8}\/blobServices\/default$/);
    expect(by("vault").logs).toEqual([{ category: "AuditEvent", enabled: true }]);
    expect(by("ingestor").logs).toEqual([{ category: "FunctionAppLogs", enabled: true }]);
    for (const s of settings) expect(s.inputs).toMatchObject({ workspaceId: expect.stringMatching(/workspaces\/law-email-journal-azure-eastus2$/), storageAccountId: expect.stringMatching(/storageAccounts\/ejlogeastus/) });
    expect(account("audit-logs").inputs.immutableStorageWithVersioning.immutabilityPolicy).toEqual({ immutabilityPeriodSinceCreationInDays: 2557, state: "Locked", allowProtectedAppendWrites: true });
  });

  it("alerts the on-call address on dead letters, ingestor failures and denied archive requests", () => {
    expect(run.one("azure-native:monitor:ActionGroup").inputs.emailReceivers).toEqual([{ name: "on-call", emailAddress: "archive-oncall@example.com", useCommonAlertSchema: true }]);
    expect(run.one("azure-native:monitor:MetricAlert").inputs.criteria.allOf[0]).toMatchObject({ metricName: "DeadLetteredCount", operator: "GreaterThan", threshold: 0 });
    const queries = run.ofType("azure-native:monitor:ScheduledQueryRule").map((r) => r.inputs.criteria.allOf[0].query);
    expect(queries).toEqual([expect.stringContaining("FunctionAppLogs"), expect.stringMatching(/StorageBlobLogs \| where AccountName == 'ejarceastus[0-9a-f]{8}' and StatusCode in \(401, 403\)/)]);
  });

  it("backs up the archive container daily into an immutable backup vault, kept for the minimum retention", () => {
    const vault = run.one("azure-native:dataprotection:BackupVault");
    expect(vault.inputs.properties.securitySettings).toEqual({ immutabilitySettings: { state: "Locked" }, softDeleteSettings: { state: "AlwaysOn", retentionDurationInDays: 14 } });
    expect(vault.options).toMatchObject({ protect: true, retainOnDelete: true });
    // An immutable vault refuses to delete a protected item's recovery points, so destroy keeps the instance too.
    expect(run.one("azure-native:dataprotection:BackupInstance").options).toMatchObject({ protect: true, retainOnDelete: true });
    const rules = run.one("azure-native:dataprotection:BackupPolicy").inputs.properties.policyRules;
    expect(rules[1].lifecycles[0].deleteAfter).toEqual({ objectType: "AbsoluteDeleteOption", duration: "P2557D" });
    expect(run.one("azure-native:dataprotection:BackupInstance").inputs.properties.policyInfo.policyParameters.backupDatasourceParametersList[0].containersList).toEqual(["archive"]);
  });

  it("replicates the archive container to the standby's account: the destination policy first, then the source with its id", () => {
    const destination = run.one("azure-native:storage:ObjectReplicationPolicy", "destination").inputs;
    expect(destination).toMatchObject({ accountName: "ejarccentra0123abcd", resourceGroupName: "rg-email-journal-azure-centralus", objectReplicationPolicyId: "default" });
    const source = run.ofType("azure-native:storage:ObjectReplicationPolicy").find((p) => !p.name.includes("destination"))!.inputs;
    expect(source.sourceAccount).toBe(destination.sourceAccount);
    expect(source.destinationAccount).toMatch(/rg-email-journal-azure-centralus\/providers\/Microsoft\.Storage\/storageAccounts\/ejarccentra0123abcd$/);
    expect(source.objectReplicationPolicyId).not.toBe("default");
    expect(source.rules).toEqual([{ sourceContainer: "archive", destinationContainer: "archive", filters: { prefixMatch: [] }, ruleId: expect.any(String) }]);
  });

  it("exports what the peer and operators read", () => {
    expect(run.outputs).toMatchObject({ cloud: "azure", role: "primary", resourceGroupName: "rg-email-journal-azure-eastus2", archiveContainer: "archive", archiveImmutability: "Locked", intakeEnabled: true });
    expect(run.outputs.archiveAccountName).toMatch(/^ejarceastus[0-9a-f]{8}$/);
  });
});

it("takes mail and replicates into the standby, as a primary on every cloud", () => {
  expect(roleState(run, "azure")).toEqual({ intakeActive: true, replicatesTo: "azure-centralus" });
});
