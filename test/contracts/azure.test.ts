// The Azure provider contracts, checked against the plan the real program makes for the primary
// (Pulumi.azure-eastus2.yaml under mocks) and the deployer requirements of the preflight. Each
// contract that the plan does not honour fails with its documentation reference. Then the same
// suite on copies of the plan with one fix removed, so it cannot pass vacuously.
import { beforeAll, describe, expect, it } from "vitest";
import { DEPLOYER_ACTIONS, RESOURCE_PROVIDERS } from "../../infra/preflight/azure";
import { runProgram } from "../../infra/policyCheck/mockRun";
import { drop, edit } from "../policies/mutations";
import { isDocumented } from "./azureDocs";
import { AZURE_CONTRACTS, type Contract, verdict } from "./azureContracts";
import { type AzurePlan, ofType } from "./azurePlan";

let plan: AzurePlan;
beforeAll(async () => {
  const run = await runProgram("azure-eastus2");
  plan = { resources: run.resources, deployerActions: DEPLOYER_ACTIONS.map((d) => d.action), providers: [...RESOURCE_PROVIDERS] };
});

const contract = (id: string): Contract => AZURE_CONTRACTS.find((c) => c.id === id)!;
const honoured = (c: Contract, p: AzurePlan) => {
  const message = verdict(c, p);
  if (message) throw new Error(message);
};

describe("the Azure contracts on the the primary plan", () => {
  it.each(AZURE_CONTRACTS.map((c) => [`${c.kind}: ${c.id}`, c] as const))("%s", (_name, c) => honoured(c, plan));

  it("names only documented operations in the plan's custom roles", () => {
    const undocumented = ofType(plan, "azure-native:authorization:RoleDefinition").flatMap((d) =>
      (d.inputs.permissions as any[]).flatMap((p) => [
        ...(p.actions ?? []).filter((a: string) => !isDocumented("action", a)).map((a: string) => `${d.name}: action ${a}`),
        ...(p.dataActions ?? []).filter((a: string) => !isDocumented("dataAction", a)).map((a: string) => `${d.name}: data action ${a}`),
      ]),
    );
    expect(undocumented).toEqual([]);
  });

  it("records a reference for every contract and reports the count", () => {
    for (const c of AZURE_CONTRACTS) expect(c.reference.length, c.id).toBeGreaterThan(20);
    const byKind = AZURE_CONTRACTS.reduce<Record<string, number>>((n, c) => ({ ...n, [c.kind]: (n[c.kind] ?? 0) + 1 }), {});
    console.log(`azure contracts: ${AZURE_CONTRACTS.length} (${Object.entries(byKind).map(([k, n]) => `${n} ${k}`).join(", ")}); caveats: ${AZURE_CONTRACTS.filter((c) => c.caveat).map((c) => c.id).join(", ")}`);
    expect(AZURE_CONTRACTS.length).toBeGreaterThanOrEqual(20);
  });
});

type Mutate = (p: AzurePlan) => AzurePlan;
const resources = (change: (r: AzurePlan["resources"][number][]) => AzurePlan["resources"][number][]): Mutate => (p) => ({ ...p, resources: change([...p.resources]) });

/** The finding's fix taken out of a copy of the plan, and what must then fail, citing where. */
const findings: [finding: string, mutate: Mutate, contractId: string, cites: string][] = [
  [
    "8: the archive lifecycle moves ZRS blobs to the archive tier",
    resources((r) => edit(r, "azure-native:storage:ManagementPolicy", "archive", (i) => (i.policy.rules[0].definition.actions.baseBlob.tierToArchive = { daysAfterCreationGreaterThan: 365 }))),
    "archive-tier-needs-lrs-grs",
    '"Access tiers for blob data"',
  ],
  [
    "8: (and the replicated archive then stops replicating archived blobs)",
    resources((r) => edit(r, "azure-native:storage:ManagementPolicy", "archive", (i) => (i.policy.rules[0].definition.actions.baseBlob.tierToArchive = { daysAfterCreationGreaterThan: 365 }))),
    "replication-excludes-archive-tier",
    '"Object replication for block blobs", Blob tiering',
  ],
  [
    "9: the Functions host's role cannot create containers",
    resources((r) => edit(r, "azure-native:authorization:RoleDefinition", "function-host", (i) => (i.permissions[0].actions = i.permissions[0].actions.filter((a: string) => !a.endsWith("/containers/write"))))),
    "functions-host-storage",
    "Connecting to host storage with an identity",
  ],
  [
    "10: nothing requires the deployer to hold Microsoft.KeyVault/vaults/keys/write",
    (p) => ({ ...p, deployerActions: p.deployerActions.filter((a) => a !== "Microsoft.KeyVault/vaults/keys/write") }),
    "deployer-creates-key",
    "Quickstart: Create an Azure key vault and a key by using ARM template",
  ],
];

describe("the suite catches findings 8-10 with the fix removed", () => {
  it.each(findings)("finding %s", (_finding, mutate, id, cites) => {
    honoured(contract(id), plan);
    const message = verdict(contract(id), mutate(plan));
    expect(message).toContain(cites);
    expect(message).toMatch(new RegExp(`^${id} \\(`));
  });
});

const others: [what: string, mutate: Mutate, contractId: string][] = [
  ["the storage identity loses its key role", resources((r) => drop(r, "azure-native:authorization:RoleAssignment", "key-storage-access")), "storage-uses-key"],
  ["the inbox account encrypts through another identity", resources((r) => edit(r, "azure-native:storage:StorageAccount", "inbox", (i) => (i.encryption.encryptionIdentity.encryptionUserAssignedIdentity = "/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other"))), "storage-uses-key"],
  ["dead letters without an identity", resources((r) => edit(r, "azure-native:eventgrid:SystemTopicEventSubscription", "inbox", (i) => { i.deadLetterDestination = i.deadLetterWithResourceIdentity.deadLetterDestination; delete i.deadLetterWithResourceIdentity; })), "event-grid-dead-letters"],
  ["the dead-letter role loses blob writes", resources((r) => edit(r, "azure-native:authorization:RoleDefinition", "dead-letter-writer", (i) => (i.permissions[0].dataActions = ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]))), "event-grid-dead-letters"],
  ["Event Grid not registered by the preflight", (p) => ({ ...p, providers: p.providers.filter((n) => n !== "Microsoft.EventGrid") }), "event-grid-delivers-to-function"],
  ["diagnostic logs into an immutable account without append writes", resources((r) => edit(r, "azure-native:storage:StorageAccount", "audit-logs", (i) => (i.immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites = false))), "diagnostics-destinations"],
  ["the backup vault loses Storage Account Backup Contributor", resources((r) => drop(r, "azure-native:authorization:RoleAssignment", "backup-access")), "backup-vault-reads-archive"],
  ["host storage by connection string", resources((r) => edit(r, "azure-native:web:WebApp", "ingestor", (i) => i.siteConfig.appSettings.push({ name: "AzureWebJobsStorage", value: "DefaultEndpointsProtocol=https;AccountName=x" }))), "functions-host-storage"],
  ["the deployment container is not planned", resources((r) => drop(r, "azure-native:storage:BlobContainer", "deployments")), "flex-deployment-container"],
  ["the ingestor may only read the archive", resources((r) => edit(r, "azure-native:authorization:RoleDefinition", "ingestor-archive", (i) => (i.permissions[0].dataActions = ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"]))), "ingestor-writes-archive"],
  ["the ingestor's read is not confined to meta/", resources((r) => edit(r, "azure-native:authorization:RoleAssignment", "ingestor-archive-access", (i) => { delete i.condition; delete i.conditionVersion; })), "ingestor-reads-sidecars-only"],
  ["an unrecognised condition on the ingestor's read", resources((r) => edit(r, "azure-native:authorization:RoleAssignment", "ingestor-archive-access", (i) => (i.condition = "@Request[foo] StringEquals 'bar'"))), "ingestor-reads-sidecars-only"],
  // The host role on the inbox account also reads blobs there, so both must go for the ingestor to lose the inbox.
  ["the ingestor cannot read the inbox", resources((r) => drop(drop(r, "azure-native:authorization:RoleAssignment", "ingestor-inbox-access"), "azure-native:authorization:RoleAssignment", "function-host-access")), "ingestor-reads-inbox"],
  ["auditors assigned on another account", resources((r) => edit(r, "azure-native:authorization:RoleAssignment", "auditor-0", (i) => (i.scope = i.scope.replace("ejarceastus", "ejinbeastus")))), "auditors-read-archive"],
  ["hold admins without containers/write", resources((r) => edit(r, "azure-native:authorization:RoleDefinition", "hold-admin", (i) => (i.permissions[0].actions = ["Microsoft.Storage/storageAccounts/blobServices/containers/read"]))), "hold-admins-set-legal-holds"],
  ["hold admins without the immutability data action", resources((r) => edit(r, "azure-native:authorization:RoleDefinition", "hold-admin", (i) => (i.permissions[0].dataActions = []))), "hold-admins-set-legal-holds"],
  ["the auditors' trail write is not confined to audit/", resources((r) => edit(r, "azure-native:authorization:RoleAssignment", "auditor-trail-0", (i) => { delete i.condition; delete i.conditionVersion; })), "auditors-write-trail"],
  ["the trail writer cannot create blobs", resources((r) => edit(r, "azure-native:authorization:RoleDefinition", "audit-trail-writer", (i) => (i.permissions[0].dataActions = []))), "auditors-write-trail"],
  ["the hold admins' trail read is not confined to audit/", resources((r) => edit(r, "azure-native:authorization:RoleAssignment", "hold-admin-trail-read-0", (i) => { delete i.condition; delete i.conditionVersion; })), "hold-admins-use-trail"],
  ["the hold admins' trail read refuses List Blobs too", resources((r) => edit(r, "azure-native:authorization:RoleAssignment", "hold-admin-trail-read-0", (i) => (i.condition = i.condition.replace(" AND NOT SubOperationMatches{'Blob.List'}", "")))), "hold-admins-use-trail"],
  ["the key created some other way than ARM", resources((r) => drop(r, "azure-native:keyvault:Key")), "deployer-creates-key"],
  ["the preflight forgets role definitions", (p) => ({ ...p, deployerActions: p.deployerActions.filter((a) => a !== "Microsoft.Authorization/roleDefinitions/write") }), "deployer-creates-everything"],
  ["the preflight forgets identity assignment", (p) => ({ ...p, deployerActions: p.deployerActions.filter((a) => !a.endsWith("/assign/action")) }), "deployer-creates-everything"],
  ["replication into another subscription", resources((r) => edit(r, "azure-native:storage:ObjectReplicationPolicy", "replication", (i) => (i.destinationAccount = i.destinationAccount.replace(/^\/subscriptions\/[^/]+/, "/subscriptions/ffffffff-0000-4000-8000-000000000000")))), "deployer-replicates-into-peer"],
  ["the preflight forgets Data Protection", (p) => ({ ...p, providers: p.providers.filter((n) => n !== "Microsoft.DataProtection") }), "providers-registered"],
  ["replication without the change feed", resources((r) => edit(r, "azure-native:storage:BlobServiceProperties", "archive-blobs", (i) => (i.changeFeed.enabled = false))), "replication-prerequisites"],
  ["replication by account name only", resources((r) => edit(r, "azure-native:storage:ObjectReplicationPolicy", "replication", (i) => (i.sourceAccount = i.sourceAccount.split("/").pop()))), "replication-prerequisites"],
  ["WORM without versioning", resources((r) => edit(r, "azure-native:storage:BlobServiceProperties", "audit-log-blobs", (i) => (i.isVersioningEnabled = false))), "version-level-worm-needs-versioning"],
  ["the source policy invents its own id", resources((r) => edit(r, "azure-native:storage:ObjectReplicationPolicy", "journal-replication", (i) => (i.objectReplicationPolicyId = "default"))), "replication-destination-first"],
  ["the archive is not retained", resources((r) => edit(r, "azure-native:storage:StorageAccount", "archive", () => undefined, { protect: true })), "locked-accounts-outlive-stack"],
  ["the backup instance is not retained", resources((r) => edit(r, "azure-native:dataprotection:BackupInstance", "backup-archive", () => undefined, {})), "immutable-backup-outlives-stack"],
  ["the key is not retained", resources((r) => edit(r, "azure-native:keyvault:Key", "key", () => undefined, { protect: true })), "purge-protected-vault-outlives-stack"],
];

describe("the suite catches each broken contract", () => {
  it.each(others)("%s", (_what, mutate, id) => {
    honoured(contract(id), plan);
    expect(verdict(contract(id), mutate(plan))).toContain(contract(id).reference);
  });

  it("has a mutation for every contract", () => {
    const covered = new Set([...findings.map((f) => f[2]), ...others.map((o) => o[2])]);
    expect(AZURE_CONTRACTS.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
