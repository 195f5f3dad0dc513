// Every call the Azure architecture depends on that one party makes on another's resource, and the
// rules that are not permissions (feature exclusions, ordering, lifecycle), each with the setting
// or permission Microsoft documents and where. `check` reads the plan and returns what it lacks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SANDBOX_TAG } from "../../policies/shared/conventions";
import { ROOT } from "../../infra/stackFiles";
import { type OpKind, BUILT_IN_ROLES } from "./azureDocs";
import { account, allowing, type AzurePlan, covers, grants, identity, one, ofType, outputsOf, sameId } from "./azurePlan";

export type ContractKind = "permission" | "deployer" | "feature" | "ordering" | "lifecycle";

export interface Contract {
  readonly id: string;
  readonly kind: ContractKind;
  /** Who makes the call, and on what. */
  readonly party: string;
  readonly target: string;
  /** The documented permission or setting. */
  readonly requirement: string;
  /** Document title and section (URL when known). */
  readonly reference: string;
  /** Where the docs are silent or disagree, said plainly. */
  readonly caveat?: string;
  /** What the plan lacks; empty when it honours the contract. */
  check(plan: AzurePlan): string[];
}

const SA = "Microsoft.Storage/storageAccounts";
const BLOBS = `${SA}/blobServices/containers/blobs`;
const CONTAINER_WRITE = `${SA}/blobServices/containers/write`;
const CONTAINER_READ = `${SA}/blobServices/containers/read`;
const containerOf = (accountId: string, name: string) => `${accountId}/blobServices/default/containers/${name}`;

const EXAMPLES = '"Example Azure role assignment conditions for Blob Storage", "Read blobs in named containers with a path" (learn.microsoft.com/azure/storage/blobs/storage-auth-abac-examples)';
const TRAIL_BLOB = "audit/2026/01/01/2026-01-01T00:00:00.000Z-000001-0123456789ab.json";
const RECORD_BLOB = "messages/2026/01/01/0a.eml";
const CREATE = [`${BLOBS}/write`, `${BLOBS}/add/action`];
const people = (plan: AzurePlan, part: "auditor" | "hold-admin") =>
  ofType(plan, "azure-native:authorization:RoleAssignment").filter((a) => new RegExp(`-${part}-\\d+$`).test(a.name)).map((a) => String(a.inputs.principalId));
const REST_AUTHZ = 'Azure Storage REST API, "Authorize with Microsoft Entra ID", Permissions for Blob service operations (learn.microsoft.com/rest/api/storageservices/authorize-with-azure-active-directory)';
const ABAC_ACTIONS = '"Actions and attributes for Azure role assignment conditions for Azure Blob Storage" (learn.microsoft.com/azure/storage/blobs/storage-auth-abac-attributes)';

type Need = { kind: OpKind; anyOf: readonly string[]; path?: string; subOperation?: string };

/** Problems when `principal` cannot do each of `needs` on `resource`. */
function needsOn(plan: AzurePlan, who: string, principal: string | undefined, resource: string | undefined, needs: readonly Need[]): string[] {
  if (!principal) return [`${who} has no principal in the plan`];
  if (!resource) return [`the resource ${who} acts on is not in the plan`];
  const all = grants(plan);
  return needs
    .filter((need) => !need.anyOf.some((op) => allowing(all, { principalId: principal, resource, kind: need.kind, op, path: need.path, ...(need.subOperation ? { subOperation: need.subOperation } : {}) }).length > 0))
    .map((need) => `${who} is not granted ${need.anyOf.join(" or ")}${need.path ? ` for ${need.path}` : ""}${need.subOperation ? ` (${need.subOperation})` : ""} on ${resource}`);
}

/** Problems when `principal` can do any of `refused` on `resource`: what a role must not reach. */
function refusedOn(plan: AzurePlan, who: string, principal: string, resource: string, refused: readonly Need[]): string[] {
  const all = grants(plan);
  return refused.flatMap((need) =>
    need.anyOf
      .filter((op) => allowing(all, { principalId: principal, resource, kind: need.kind, op, path: need.path, ...(need.subOperation ? { subOperation: need.subOperation } : {}) }).length > 0)
      .map((op) => `${who} may ${op}${need.path ? ` for ${need.path}` : ""} on ${resource}, which it must not`),
  );
}

const idOf = (r: { type: string } | undefined) => (r ? String(outputsOf(r as never).id) : undefined);
const principalOf = (r: unknown) => (r ? String(outputsOf(r as never).principalId) : undefined);
const settingsOf = (app: any): Record<string, string> => Object.fromEntries(((app?.inputs.siteConfig?.appSettings ?? []) as { name: string; value: string }[]).map((s) => [s.name, s.value]));
const ingestorApp = (plan: AzurePlan) => one(plan, "azure-native:web:WebApp", () => true);
const sandbox = (r: { inputs: Record<string, any> }) => r.inputs.tags?.[SANDBOX_TAG] === "true";
const kept = (r: { options: { protect?: boolean; retainOnDelete?: boolean } }) => r.options.protect === true && r.options.retainOnDelete === true;
const deployerLacks = (plan: AzurePlan, actions: readonly string[]) => actions.filter((a) => !plan.deployerActions.some((d) => d.toLowerCase() === a.toLowerCase()));

/** The ARM write action that creates each resource type the program plans (Azure permissions, per provider). */
export const CREATE_ACTION: Readonly<Record<string, string>> = {
  "azure-native:resources:ResourceGroup": "Microsoft.Resources/subscriptions/resourceGroups/write",
  "azure-native:authorization:RoleDefinition": "Microsoft.Authorization/roleDefinitions/write",
  "azure-native:authorization:RoleAssignment": "Microsoft.Authorization/roleAssignments/write",
  "azure-native:managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities/write",
  "azure-native:keyvault:Vault": "Microsoft.KeyVault/vaults/write",
  "azure-native:keyvault:Key": "Microsoft.KeyVault/vaults/keys/write",
  "azure-native:storage:StorageAccount": `${SA}/write`,
  "azure-native:storage:BlobServiceProperties": `${SA}/blobServices/write`,
  "azure-native:storage:BlobContainer": CONTAINER_WRITE,
  "azure-native:storage:ManagementPolicy": `${SA}/managementPolicies/write`,
  "azure-native:storage:ObjectReplicationPolicy": `${SA}/objectReplicationPolicies/write`,
  "azure-native:web:AppServicePlan": "Microsoft.Web/serverfarms/write",
  "azure-native:web:WebApp": "Microsoft.Web/sites/write",
  "azure-native:eventgrid:SystemTopic": "Microsoft.EventGrid/systemTopics/write",
  "azure-native:eventgrid:SystemTopicEventSubscription": "Microsoft.EventGrid/systemTopics/eventSubscriptions/write",
  "azure-native:operationalinsights:Workspace": "Microsoft.OperationalInsights/workspaces/write",
  "azure-native:monitor:DiagnosticSetting": "Microsoft.Insights/diagnosticSettings/write",
  "azure-native:monitor:ActionGroup": "Microsoft.Insights/actionGroups/write",
  "azure-native:monitor:MetricAlert": "Microsoft.Insights/metricAlerts/write",
  "azure-native:monitor:ScheduledQueryRule": "Microsoft.Insights/scheduledQueryRules/write",
  "azure-native:dataprotection:BackupVault": "Microsoft.DataProtection/backupVaults/write",
  "azure-native:dataprotection:BackupPolicy": "Microsoft.DataProtection/backupVaults/backupPolicies/write",
  "azure-native:dataprotection:BackupInstance": "Microsoft.DataProtection/backupVaults/backupInstances/write",
  "azure-native:synapse:Workspace": "Microsoft.Synapse/workspaces/write",
  "azure-native:synapse:Key": "Microsoft.Synapse/workspaces/keys/write",
};

const tierActions = (policy: { inputs: Record<string, any> }) =>
  ((policy.inputs.policy?.rules ?? []) as any[]).filter((r) => r.enabled !== false).flatMap((r) => Object.entries(r.definition?.actions ?? {}).map(([part, action]) => ({ rule: r.name, part, action: action as any })));
const policiesOn = (plan: AzurePlan, accountName: unknown) => ofType(plan, "azure-native:storage:ManagementPolicy").filter((p) => p.inputs.accountName === accountName);
const ARCHIVE_TIER_SKUS = ["Standard_LRS", "Standard_GRS", "Standard_RAGRS"];

export const AZURE_CONTRACTS: readonly Contract[] = [
  // ---- who calls whom -------------------------------------------------------------------------
  {
    id: "storage-uses-key",
    kind: "permission",
    party: "each storage account, through the storage identity",
    target: "the Key Vault key",
    requirement: "the account's user-assigned identity may get, wrap and unwrap with the key: Key Vault Crypto Service Encryption User (keys/read, keys/wrap/action, keys/unwrap/action), and the account names that identity as its encryption identity",
    reference:
      'Azure Storage docs, "Configure customer-managed keys in the same tenant for a new storage account" (assign Key Vault Crypto Service Encryption User to the user-assigned identity); "Azure built-in roles for Security", Key Vault Crypto Service Encryption User',
    check(plan) {
      const id = identity(plan, "storage");
      const key = one(plan, "azure-native:keyvault:Key", () => true);
      const problems = needsOn(plan, "the storage identity", principalOf(id), idOf(key), [
        { kind: "dataAction", anyOf: ["Microsoft.KeyVault/vaults/keys/read"] },
        { kind: "dataAction", anyOf: ["Microsoft.KeyVault/vaults/keys/wrap/action"] },
        { kind: "dataAction", anyOf: ["Microsoft.KeyVault/vaults/keys/unwrap/action"] },
      ]);
      for (const part of ["archive", "inbox", "audit-logs"] as const) {
        const a = account(plan, part);
        const encryption = a?.inputs.encryption;
        if (!a) problems.push(`no ${part} account`);
        else if (!sameId(encryption?.encryptionIdentity?.encryptionUserAssignedIdentity, idOf(id)) || !(a.inputs.identity?.userAssignedIdentities ?? []).some((i: unknown) => sameId(i, idOf(id))))
          problems.push(`the ${part} account does not attach the storage identity and name it as its encryption identity`);
        else if (encryption.keyVaultProperties?.keyName !== key?.inputs.keyName) problems.push(`the ${part} account does not name the stack's key`);
      }
      return problems;
    },
  },
  {
    id: "event-grid-dead-letters",
    kind: "permission",
    party: "Event Grid, as the system topic's user-assigned identity",
    target: "the inbox account's dead-letters container",
    requirement:
      "the identity writes blobs there (Storage Blob Data Contributor is the documented role; its blob write actions suffice for creating blobs), and the subscription dead-letters with that identity, since without one Event Grid would fetch the account key, which the account refuses",
    reference:
      'Azure Event Grid docs, "Grant managed identity the access to Event Grid destination" (Azure Blob storage: Storage Blob Data Contributor); "Authenticate event delivery to event handlers (Azure Event Grid)" (access keys for Storage Blobs (Deadletter) otherwise)',
    caveat: "The docs name the role, not the blob operations dead-lettering performs; the plan grants blob write and add, not read, delete or container writes.",
    check(plan) {
      const events = identity(plan, "events");
      const inbox = account(plan, "inbox");
      const subscription = one(plan, "azure-native:eventgrid:SystemTopicEventSubscription", () => true);
      if (!subscription) return [];
      const problems: string[] = [];
      const withIdentity = subscription.inputs.deadLetterWithResourceIdentity;
      if (!withIdentity) problems.push("the subscription dead-letters without an identity (Event Grid would need the account key)");
      else {
        if (!sameId(withIdentity.identity?.userAssignedIdentity, idOf(events))) problems.push("the subscription does not dead-letter as the events identity");
        if (!sameId(withIdentity.deadLetterDestination?.resourceId, idOf(inbox)) || withIdentity.deadLetterDestination?.blobContainerName !== "dead-letters") problems.push("dead letters do not go to the inbox account's dead-letters container");
      }
      const topic = one(plan, "azure-native:eventgrid:SystemTopic", () => true);
      if (!Object.keys(topic?.inputs.identity?.userAssignedIdentities ?? {}).some((i) => sameId(i, idOf(events)))) problems.push("the system topic does not carry the events identity");
      return [...problems, ...needsOn(plan, "the events identity", principalOf(events), inbox && containerOf(idOf(inbox)!, "dead-letters"), [{ kind: "dataAction", anyOf: [`${BLOBS}/write`, `${BLOBS}/add/action`], path: "2026/01/01/event.json" }])];
    },
  },
  {
    id: "event-grid-delivers-to-function",
    kind: "permission",
    party: "Event Grid (the inbox account's system topic)",
    target: "the ingestor's ingestBlob function",
    requirement: "the topic's source is the inbox account; delivery to an Azure Functions endpoint uses an access key Event Grid fetches with its own service principal, whose permissions come from registering Microsoft.EventGrid (the preflight checks it)",
    reference: 'Azure Event Grid docs, "Authenticate event delivery to event handlers (Azure Event Grid)", Overview (Access key: Azure Functions)',
    check(plan) {
      const problems: string[] = [];
      const topic = one(plan, "azure-native:eventgrid:SystemTopic", () => true);
      if (!topic || !sameId(topic.inputs.source, idOf(account(plan, "inbox"))) || topic.inputs.topicType !== "Microsoft.Storage.StorageAccounts") problems.push("no system topic on the inbox account");
      const subscription = one(plan, "azure-native:eventgrid:SystemTopicEventSubscription", () => true);
      if (subscription && !sameId(subscription.inputs.destination?.resourceId, `${idOf(ingestorApp(plan))}/functions/ingestBlob`)) problems.push("the subscription does not deliver to the ingestor's ingestBlob function");
      if (!plan.providers.includes("Microsoft.EventGrid")) problems.push("the preflight does not check that Microsoft.EventGrid is registered");
      return problems;
    },
  },
  {
    id: "diagnostics-destinations",
    kind: "permission",
    party: "Azure Monitor diagnostic settings",
    target: "the Log Analytics workspace and the audit-log storage account",
    requirement:
      "each setting names the workspace and the audit-log account; a storage destination is Standard (not Premium), in the monitored resource's region, and when immutable has protected append writes enabled",
    reference: 'Azure Monitor docs, "Diagnostic settings in Azure Monitor", Destinations (storage account requirements)',
    caveat:
      "The page is silent on customer-managed keys and on accounts with shared keys disabled as destinations; nothing in it excludes them, and no other page found says either way. The first real deployment confirms it.",
    check(plan) {
      const logs = account(plan, "audit-logs");
      const workspace = one(plan, "azure-native:operationalinsights:Workspace", () => true);
      const problems: string[] = [];
      if (!logs) return ["no audit-log account"];
      if (!String(logs.inputs.sku?.name).startsWith("Standard_")) problems.push(`the audit-log account is ${logs.inputs.sku?.name}, not Standard`);
      if (logs.inputs.immutableStorageWithVersioning?.enabled && logs.inputs.immutableStorageWithVersioning.immutabilityPolicy?.allowProtectedAppendWrites !== true)
        problems.push("the audit-log account is immutable without protected append writes, which diagnostic logs need");
      const located = new Map(plan.resources.filter((r) => r.inputs.location).map((r) => [String(outputsOf(r).id).toLowerCase(), String(r.inputs.location)]));
      for (const setting of ofType(plan, "azure-native:monitor:DiagnosticSetting")) {
        if (!sameId(setting.inputs.workspaceId, idOf(workspace))) problems.push(`${setting.name} does not send to the stack's workspace`);
        if (!sameId(setting.inputs.storageAccountId, idOf(logs))) problems.push(`${setting.name} does not send to the audit-log account`);
        const monitored = [...located.entries()].find(([id]) => covers(id, String(setting.inputs.resourceUri)))?.[1];
        if (monitored && monitored !== logs.inputs.location) problems.push(`${setting.name} monitors a resource in ${monitored}, the audit-log account is in ${logs.inputs.location}`);
      }
      return problems;
    },
  },
  {
    id: "backup-vault-reads-archive",
    kind: "permission",
    party: "the Data Protection backup vault's identity",
    target: "the archive account",
    requirement: "Storage Account Backup Contributor on the storage account (its documented actions: object replication policies and restore point markers, containers, blob service and account reads)",
    reference: 'Azure Backup docs, "Configure and manage backup for Azure Blobs" (grant the Backup vault Storage Account Backup Contributor); "Azure built-in roles for Storage", Storage Account Backup Contributor',
    check(plan) {
      const vault = one(plan, "azure-native:dataprotection:BackupVault", () => true);
      const needed = BUILT_IN_ROLES["e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1"].actions.filter((a) => a.startsWith("Microsoft.Storage/storageAccounts"));
      return needsOn(plan, "the backup vault", vault && String(outputsOf(vault).identity?.principalId), idOf(account(plan, "archive")), needed.map((a) => ({ kind: "action" as const, anyOf: [a] })));
    },
  },
  {
    id: "functions-host-storage",
    kind: "permission",
    party: "the Functions host, as the ingestor identity (AzureWebJobsStorage)",
    target: "the inbox account",
    requirement: "read and write blobs and create containers: blobs/read, blobs/write, Create Container (containers/write) and its existence check (containers/read); the connection is identity-based (the account accepts no keys)",
    reference:
      'Azure Functions docs, "Azure Functions developer guide", Connecting to host storage with an identity ("the runtime needs both read and write access to blobs and the ability to create containers"; Storage Blob Data Owner covers it); ' + REST_AUTHZ,
    check(plan) {
      const ingestor = identity(plan, "ingestor");
      const inbox = account(plan, "inbox");
      const settings = settingsOf(ingestorApp(plan));
      const problems: string[] = [];
      if (settings.AzureWebJobsStorage !== undefined) problems.push("AzureWebJobsStorage is a connection string");
      if (!ingestor || settings.AzureWebJobsStorage__accountName !== inbox?.inputs.accountName || settings.AzureWebJobsStorage__credential !== "managedidentity" || settings.AzureWebJobsStorage__clientId !== outputsOf(ingestor).clientId)
        problems.push("AzureWebJobsStorage is not the inbox account through the ingestor identity");
      return [
        ...problems,
        ...needsOn(plan, "the Functions host", principalOf(ingestor), inbox && containerOf(idOf(inbox)!, "azure-webjobs-hosts"), [
          { kind: "dataAction", anyOf: [`${BLOBS}/read`], path: "locks/lease" },
          { kind: "dataAction", anyOf: [`${BLOBS}/write`], path: "locks/lease" },
          { kind: "action", anyOf: [CONTAINER_WRITE] },
          { kind: "action", anyOf: [CONTAINER_READ] },
        ]),
      ];
    },
  },
  {
    id: "flex-deployment-container",
    kind: "permission",
    party: "the Flex Consumption platform, as the ingestor identity",
    target: "the inbox account's deployments container",
    requirement: "the deployment container exists and the identity reads and writes its package blobs (Storage Blob Data Contributor on the deployment storage account is what the platform assigns itself when it can)",
    reference: 'Azure Functions docs, "Create and manage function apps in the Flex Consumption plan", Configure deployment settings',
    check(plan) {
      const app = ingestorApp(plan);
      const ingestor = identity(plan, "ingestor");
      const inbox = account(plan, "inbox");
      const storage = app?.inputs.functionAppConfig?.deployment?.storage;
      const problems: string[] = [];
      if (!one(plan, "azure-native:storage:BlobContainer", (c) => c.inputs.containerName === "deployments" && c.inputs.accountName === inbox?.inputs.accountName)) problems.push("the deployments container is not planned");
      if (storage?.type !== "blobContainer" || !String(storage?.value).endsWith("/deployments")) problems.push("the app's deployment storage is not the deployments container");
      if (storage?.authentication?.type !== "UserAssignedIdentity" || !sameId(storage.authentication.userAssignedIdentityResourceId, idOf(ingestor))) problems.push("deployment storage is not authenticated as the ingestor identity");
      return [
        ...problems,
        ...needsOn(plan, "the ingestor identity", principalOf(ingestor), inbox && containerOf(idOf(inbox)!, "deployments"), [
          { kind: "dataAction", anyOf: [`${BLOBS}/read`], path: "released-package.zip" },
          { kind: "dataAction", anyOf: [`${BLOBS}/write`, `${BLOBS}/add/action`], path: "released-package.zip" },
        ]),
      ];
    },
  },
  {
    id: "ingestor-writes-archive",
    kind: "permission",
    party: "the ingestor",
    target: "the archive container",
    requirement: "Put Blob with If-None-Match: * for messages/ and meta/ (blobs/write, or blobs/add/action for a new blob)",
    reference: REST_AUTHZ + " (Put Blob)",
    check(plan) {
      const archive = account(plan, "archive");
      return needsOn(plan, "the ingestor", principalOf(identity(plan, "ingestor")), archive && containerOf(idOf(archive)!, "archive"), [
        { kind: "dataAction", anyOf: [`${BLOBS}/write`, `${BLOBS}/add/action`], path: "messages/2026/01/01/0a.eml" },
        { kind: "dataAction", anyOf: [`${BLOBS}/write`, `${BLOBS}/add/action`], path: "meta/2026/01/01/0a.json" },
      ]);
    },
  },
  {
    id: "ingestor-reads-sidecars-only",
    kind: "permission",
    party: "the ingestor",
    target: "the archive container",
    requirement: "Get Blob Properties on meta/ sidecars (blobs/read) for the duplicate check, and by the assignment's condition on nothing else; the pipeline never lists the archive, since a listing names no blob path for the condition to admit",
    reference: REST_AUTHZ + " (Get Blob Properties, List Blobs: blobs/read); " + ABAC_ACTIONS + " (blob path attribute)",
    caveat: "That a path condition refuses List Blobs is our reading of the conditions docs (List Blobs offers a prefix, not a blob path); no sentence states it outright.",
    check(plan) {
      const archive = account(plan, "archive");
      const principal = principalOf(identity(plan, "ingestor"));
      const container = archive && containerOf(idOf(archive)!, "archive");
      const problems = needsOn(plan, "the ingestor", principal, container, [{ kind: "dataAction", anyOf: [`${BLOBS}/read`], path: "meta/2026/01/01/0a.json" }]);
      if (principal && container && allowing(grants(plan), { principalId: principal, resource: container, kind: "dataAction", op: `${BLOBS}/read`, path: "messages/2026/01/01/0a.eml" }).length > 0)
        problems.push("the ingestor may read archived messages, not only sidecars under meta/");
      if (/\.list\(/.test(readFileSync(join(ROOT, "functions/core/pipeline.ts"), "utf8"))) problems.push("functions/core/pipeline.ts lists the store, which the ingestor's condition refuses on Azure");
      return problems;
    },
  },
  {
    id: "ingestor-reads-inbox",
    kind: "permission",
    party: "the ingestor",
    target: "the inbox container",
    requirement: "Get Blob on dropped messages (blobs/read)",
    reference: REST_AUTHZ + " (Get Blob)",
    check(plan) {
      const inbox = account(plan, "inbox");
      return needsOn(plan, "the ingestor", principalOf(identity(plan, "ingestor")), inbox && containerOf(idOf(inbox)!, "inbox"), [{ kind: "dataAction", anyOf: [`${BLOBS}/read`], path: "dropped.eml" }]);
    },
  },
  {
    id: "auditors-read-archive",
    kind: "permission",
    party: "each auditor",
    target: "the archive container",
    requirement: "List Blobs and Get Blob (blobs/read), and Get Container Properties (containers/read)",
    reference: REST_AUTHZ + " (List Blobs, Get Blob, Get Container Properties)",
    check(plan) {
      const archive = account(plan, "archive");
      const container = archive && containerOf(idOf(archive)!, "archive");
      const auditors = ofType(plan, "azure-native:authorization:RoleAssignment").filter((a) => /-auditor-\d+$/.test(a.name)).map((a) => String(a.inputs.principalId));
      if (auditors.length === 0) return ["no auditor is assigned"];
      return auditors.flatMap((p) =>
        needsOn(plan, `auditor ${p}`, p, container, [
          { kind: "dataAction", anyOf: [`${BLOBS}/read`] },
          { kind: "dataAction", anyOf: [`${BLOBS}/read`], path: "messages/2026/01/01/0a.eml" },
          { kind: "action", anyOf: [CONTAINER_READ] },
        ]),
      );
    },
  },
  {
    id: "hold-admins-set-legal-holds",
    kind: "permission",
    party: "each hold admin",
    target: "the archive container's blob versions",
    requirement: "Set Blob Legal Hold: containers/write per the REST authorization table, blobs/immutableStorage/runAsSuperUser/action per the conditions reference; both are granted",
    reference: REST_AUTHZ + " (Set Blob Legal Hold: containers/write); " + ABAC_ACTIONS + ' ("Write blob legal hold and immutability policy": immutableStorage/runAsSuperUser/action)',
    caveat: "The two pages disagree on the permission Set Blob Legal Hold needs.",
    check(plan) {
      const archive = account(plan, "archive");
      const container = archive && containerOf(idOf(archive)!, "archive");
      const admins = ofType(plan, "azure-native:authorization:RoleAssignment").filter((a) => /-hold-admin-\d+$/.test(a.name)).map((a) => String(a.inputs.principalId));
      if (admins.length === 0) return ["no hold admin is assigned"];
      return admins.flatMap((p) =>
        needsOn(plan, `hold admin ${p}`, p, container, [
          { kind: "action", anyOf: [CONTAINER_WRITE] },
          { kind: "dataAction", anyOf: [`${BLOBS}/immutableStorage/runAsSuperUser/action`], path: "messages/2026/01/01/0a.eml" },
        ]),
      );
    },
  },
  {
    id: "auditors-write-trail",
    kind: "permission",
    party: "each auditor",
    target: "the archive container, under audit/",
    requirement:
      "record each act as a new blob under audit/ (Put Blob with If-None-Match: *: blobs/add/action, or blobs/write), and create nothing elsewhere: the assignment's condition confines the create to the audit/ path",
    reference: REST_AUTHZ + " (Put Blob); " + ABAC_ACTIONS + ' ("Create a blob or snapshot, or append data", blob path)',
    caveat: "The REST table lists Put Blob under blobs/write and under blobs/add/action (a new blob); that add/action alone suffices for a create-only Put Blob is how we read it. Azurite enforces no RBAC, so no test here calls the service.",
    check(plan) {
      const archive = account(plan, "archive");
      const container = archive && containerOf(idOf(archive)!, "archive");
      const auditors = people(plan, "auditor");
      if (auditors.length === 0) return ["no auditor is assigned"];
      if (!container) return ["no archive container in the plan"];
      return auditors.flatMap((p) => [
        ...needsOn(plan, `auditor ${p}`, p, container, [{ kind: "dataAction", anyOf: CREATE, path: TRAIL_BLOB }]),
        ...refusedOn(plan, `auditor ${p}`, p, container, [
          { kind: "dataAction", anyOf: CREATE, path: RECORD_BLOB },
          { kind: "dataAction", anyOf: CREATE, path: "meta/2026/01/01/0a.json" },
        ]),
      ]);
    },
  },
  {
    id: "hold-admins-use-trail",
    kind: "permission",
    party: "each hold admin",
    target: "the archive container, under audit/",
    requirement:
      "list the container (List Blobs with its legal holds, to read a hold back), read the trail (Get Blob under audit/: which case holds what) and add to it (Put Blob under audit/), and read no record: conditions confine the read, except List Blobs, and the create to audit/",
    reference: REST_AUTHZ + " (List Blobs, Get Blob, Put Blob); " + ABAC_ACTIONS + " (suboperation Blob.List, blob path); " + EXAMPLES,
    check(plan) {
      const archive = account(plan, "archive");
      const container = archive && containerOf(idOf(archive)!, "archive");
      const admins = people(plan, "hold-admin");
      if (admins.length === 0) return ["no hold admin is assigned"];
      if (!container) return ["no archive container in the plan"];
      return admins.flatMap((p) => [
        ...needsOn(plan, `hold admin ${p}`, p, container, [
          { kind: "dataAction", anyOf: [`${BLOBS}/read`], subOperation: "Blob.List" },
          { kind: "dataAction", anyOf: [`${BLOBS}/read`], path: TRAIL_BLOB },
          { kind: "dataAction", anyOf: CREATE, path: TRAIL_BLOB },
        ]),
        ...refusedOn(plan, `hold admin ${p}`, p, container, [
          { kind: "dataAction", anyOf: [`${BLOBS}/read`], path: RECORD_BLOB },
          { kind: "dataAction", anyOf: CREATE, path: RECORD_BLOB },
        ]),
      ]);
    },
  },
  // ---- the deployer ---------------------------------------------------------------------------
  {
    id: "deployer-creates-key",
    kind: "deployer",
    party: "the deployer (pulumi up)",
    target: "the Key Vault key, through ARM in an RBAC, firewalled vault",
    requirement:
      "the key is an ARM resource (Microsoft.KeyVault/vaults/keys), created by the Microsoft.KeyVault/vaults/keys/write action after a keys/read existence check: control-plane actions that Key Vault data roles do not grant and the vault firewall does not filter; the preflight requires them of the deployer",
    reference:
      'Key Vault docs, "Quickstart: Create an Azure key vault and a key by using ARM template", Creating key using ARM template is different from creating key via data plane; pulumi/pulumi-azure-native#890 and Azure/bicep#6539 (ForbiddenByRbac on Microsoft.KeyVault/vaults/keys/read)',
    caveat: "The firewall exemption rests on Key Vault's network security page (\"firewall rules only apply to data plane operations\"), which this suite could only read as quoted elsewhere and in the Managed HSM equivalent.",
    check(plan) {
      const problems: string[] = [];
      const key = one(plan, "azure-native:keyvault:Key", () => true);
      if (!key) problems.push("the key is not created through ARM (no azure-native:keyvault:Key)");
      const vault = one(plan, "azure-native:keyvault:Vault", () => true);
      if (vault?.inputs.properties?.enableRbacAuthorization !== true) problems.push("the vault does not use Azure RBAC");
      const missing = deployerLacks(plan, ["Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/write"]);
      if (missing.length > 0) problems.push(`the preflight does not require ${missing.join(", ")} of the deployer`);
      return problems;
    },
  },
  {
    id: "deployer-creates-everything",
    kind: "deployer",
    party: "the deployer (pulumi up)",
    target: "every resource type of the plan, the custom roles and their assignments",
    requirement: "the create action of each planned resource type, and assign/action for the user-assigned identities it attaches; Owner grants all, Contributor lacks the Microsoft.Authorization writes",
    reference: 'Azure RBAC docs, "Azure permissions" for each provider (Microsoft.Storage, Microsoft.KeyVault, Microsoft.Web, ...); "Azure custom roles" (creating one needs Microsoft.Authorization/roleDefinitions/write)',
    check(plan) {
      const types = [...new Set(plan.resources.map((r) => r.type).filter((t) => t.startsWith("azure-native:")))];
      const unknown = types.filter((t) => !CREATE_ACTION[t]).map((t) => `no create action recorded for ${t}`);
      const attaches = plan.resources.some((r) => r.inputs.identity?.userAssignedIdentities);
      const needed = [...types.filter((t) => CREATE_ACTION[t]).map((t) => CREATE_ACTION[t]), ...(attaches ? ["Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"] : [])];
      return [...unknown, ...deployerLacks(plan, needed).map((a) => `the preflight does not require ${a} of the deployer`)];
    },
  },
  {
    id: "deployer-replicates-into-peer",
    kind: "deployer",
    party: "the deployer of the primary",
    target: "object replication policies on both archive accounts",
    requirement: "Contributor (objectReplicationPolicies/write) on the source and on the destination account; the preflight asks about one subscription, so the peer must be in it",
    reference: 'Azure Storage docs, "Configure object replication for block blobs", Prerequisites ("assigned the Azure Resource Manager Contributor role, scoped to the level of the storage account or higher")',
    check(plan) {
      const policies = ofType(plan, "azure-native:storage:ObjectReplicationPolicy");
      if (policies.length === 0) return [];
      const problems = deployerLacks(plan, [`${SA}/objectReplicationPolicies/write`]).map((a) => `the preflight does not require ${a} of the deployer`);
      const subscriptionOf = (id: unknown) => String(id).split("/")[2];
      for (const p of policies) if (subscriptionOf(p.inputs.sourceAccount) !== subscriptionOf(p.inputs.destinationAccount)) problems.push(`${p.name} replicates across subscriptions, which the preflight does not check`);
      return problems;
    },
  },
  {
    id: "providers-registered",
    kind: "deployer",
    party: "the subscription",
    target: "every resource provider the plan uses",
    requirement: "each provider namespace registered before use; the preflight checks them",
    reference: 'Azure Resource Manager docs, "Azure resource providers and types" (register a provider before deploying its resource types)',
    check(plan) {
      const namespaces = new Set(
        Object.entries(CREATE_ACTION)
          .filter(([type]) => plan.resources.some((r) => r.type === type))
          .map(([, action]) => action.split("/")[0])
          .filter((ns) => !["Microsoft.Resources", "Microsoft.Authorization"].includes(ns)),
      );
      return [...namespaces].filter((ns) => !plan.providers.includes(ns)).map((ns) => `the preflight does not check that ${ns} is registered`);
    },
  },
  // ---- feature exclusions -------------------------------------------------------------------
  {
    id: "archive-tier-needs-lrs-grs",
    kind: "feature",
    party: "lifecycle management",
    target: "every account's tiering rules",
    requirement: "no tierToArchive on an account whose redundancy is not LRS, GRS or RA-GRS",
    reference:
      'Azure Blob Storage docs, "Access tiers for blob data" (archive tier: "not supported for ZRS, GZRS, or RA-GZRS accounts"; supported redundancy "LRS, GRS, and RA-GRS only"); "Azure Blob Storage lifecycle management overview"',
    check(plan) {
      return ofType(plan, "azure-native:storage:StorageAccount")
        .filter((a) => !ARCHIVE_TIER_SKUS.includes(a.inputs.sku?.name))
        .flatMap((a) =>
          policiesOn(plan, a.inputs.accountName)
            .flatMap(tierActions)
            .filter((t) => t.action?.tierToArchive)
            .map((t) => `${a.name} is ${a.inputs.sku?.name} but rule ${t.rule} moves ${t.part} to the archive tier`),
        );
    },
  },
  {
    id: "replication-excludes-archive-tier",
    kind: "feature",
    party: "object replication",
    target: "the replicated archive account",
    requirement: "no blob of a replication source moves to the archive tier (replication of such a blob fails)",
    reference: 'Azure Storage docs, "Object replication for block blobs", Blob tiering ("object replication will fail if a blob in either the source or destination account has been moved to the archive tier")',
    check(plan) {
      const sources = ofType(plan, "azure-native:storage:ObjectReplicationPolicy").map((p) => String(p.inputs.sourceAccount).split("/").pop());
      return [...new Set(sources)].flatMap((name) =>
        policiesOn(plan, name)
          .flatMap(tierActions)
          .filter((t) => t.action?.tierToArchive)
          .map((t) => `${name} replicates to the peer but rule ${t.rule} moves ${t.part} to the archive tier`),
      );
    },
  },
  {
    id: "replication-prerequisites",
    kind: "feature",
    party: "object replication",
    target: "the source account",
    requirement: "versioning and change feed on the source, and full resource ids for both accounts when cross-tenant replication is disallowed",
    reference: 'Azure Storage docs, "Object replication for block blobs", Prerequisites and Specify full resource IDs for the source and destination accounts',
    check(plan) {
      return ofType(plan, "azure-native:storage:ObjectReplicationPolicy").flatMap((p) => {
        const problems: string[] = [];
        const full = (id: unknown) => /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i.test(String(id));
        if (!full(p.inputs.sourceAccount) || !full(p.inputs.destinationAccount)) problems.push(`${p.name} does not name both accounts by full resource id`);
        if (p.inputs.accountName !== p.inputs.sourceAccount.split("/").pop()) return problems;
        const service = one(plan, "azure-native:storage:BlobServiceProperties", (s) => s.inputs.accountName === p.inputs.accountName);
        if (service?.inputs.isVersioningEnabled !== true || service?.inputs.changeFeed?.enabled !== true) problems.push(`${p.inputs.accountName} lacks versioning or change feed`);
        return problems;
      });
    },
  },
  {
    id: "version-level-worm-needs-versioning",
    kind: "feature",
    party: "version-level immutability",
    target: "the archive and audit-log accounts",
    requirement: "blob versioning enabled on every account with version-level WORM, which is set when the account is created",
    reference: 'Azure Storage docs, "Version-level WORM policies for immutable blob data", Version dependency and Enablement and policy setting',
    check(plan) {
      return ofType(plan, "azure-native:storage:StorageAccount")
        .filter((a) => a.inputs.immutableStorageWithVersioning?.enabled)
        .filter((a) => one(plan, "azure-native:storage:BlobServiceProperties", (s) => s.inputs.accountName === a.inputs.accountName)?.inputs.isVersioningEnabled !== true)
        .map((a) => `${a.name} has version-level WORM without versioning`);
    },
  },
  // ---- ordering -----------------------------------------------------------------------------
  {
    id: "replication-destination-first",
    kind: "ordering",
    party: "the deployer",
    target: "the object replication policy pair",
    requirement: "the policy is created on the destination first with policyId \"default\"; the source then uses the policy id and rule ids Azure assigned there",
    reference: 'Azure Storage docs, "Object replication for block blobs", Replication policies and Specify the policy and rule IDs',
    check(plan) {
      const policies = ofType(plan, "azure-native:storage:ObjectReplicationPolicy");
      if (policies.length === 0) return [];
      const destination = policies.find((p) => p.inputs.accountName === String(p.inputs.destinationAccount).split("/").pop());
      const source = policies.find((p) => p.inputs.accountName === String(p.inputs.sourceAccount).split("/").pop());
      if (!destination || !source) return ["the plan lacks the destination or the source policy"];
      const assigned = outputsOf(destination);
      const problems: string[] = [];
      if (destination.inputs.objectReplicationPolicyId !== "default") problems.push("the destination policy is not created with policyId \"default\"");
      if (source.inputs.objectReplicationPolicyId !== assigned.policyId) problems.push("the source policy does not use the id Azure assigned on the destination");
      const ruleIds = (source.inputs.rules ?? []).map((r: any) => r.ruleId);
      if (JSON.stringify(ruleIds) !== JSON.stringify((assigned.rules ?? []).map((r: any) => r.ruleId))) problems.push("the source rules do not carry the destination's rule ids");
      return problems;
    },
  },
  // ---- lifecycle: what destroy or a config change would be refused -------------------------
  {
    id: "locked-accounts-outlive-stack",
    kind: "lifecycle",
    party: "pulumi destroy, and config changes that replace an account",
    target: "accounts with version-level immutability",
    requirement:
      "a Locked policy cannot be shortened or removed, and an account enabled for version-level immutability cannot be deleted until it is empty; so outside a sandbox those accounts are protected and retained",
    reference: 'Azure Storage docs, "Version-level WORM policies for immutable blob data", Deletion and Scenarios; Storage REST API AccountImmutabilityPolicyProperties (state)',
    check(plan) {
      return ofType(plan, "azure-native:storage:StorageAccount")
        .filter((a) => a.inputs.immutableStorageWithVersioning?.enabled && !sandbox(a) && !kept(a))
        .map((a) => `${a.name} is immutable but not protected and retained: destroy would be refused by Azure mid-way`);
    },
  },
  {
    id: "immutable-backup-outlives-stack",
    kind: "lifecycle",
    party: "pulumi destroy",
    target: "the backup vault and its backup instance",
    requirement: "an immutable Backup vault refuses stop protection with delete data, so outside a sandbox the vault and the instance are protected and retained",
    reference: 'Azure Backup docs, "Immutable vault for Azure Backup", Restricted operations (Backup vault: Stop protection with delete data)',
    check(plan) {
      const vault = one(plan, "azure-native:dataprotection:BackupVault", () => true);
      if (!vault || sandbox(vault) || vault.inputs.properties?.securitySettings?.immutabilitySettings?.state === "Disabled") return [];
      return [vault, ...ofType(plan, "azure-native:dataprotection:BackupInstance")]
        .filter((r) => !kept(r))
        .map((r) => `${r.name} is not protected and retained: deleting it would be refused by the immutable vault`);
    },
  },
  {
    id: "purge-protected-vault-outlives-stack",
    kind: "lifecycle",
    party: "pulumi destroy",
    target: "the Key Vault and its key",
    requirement: "purge protection cannot be turned off; a deleted vault stays soft-deleted for its retention, its name taken; outside a sandbox the vault and key are protected and retained",
    reference: 'Key Vault docs, "Azure Key Vault soft-delete overview", Purge protection',
    check(plan) {
      return [...ofType(plan, "azure-native:keyvault:Vault"), ...ofType(plan, "azure-native:keyvault:Key")].filter((r) => !sandbox(r) && !kept(r)).map((r) => `${r.name} is not protected and retained`);
    },
  },
];

/** The contract's verdict on a plan: undefined when honoured, else a message with the reference. */
export function verdict(contract: Contract, plan: AzurePlan): string | undefined {
  const problems = contract.check(plan);
  if (problems.length === 0) return undefined;
  return `${contract.id} (${contract.party} -> ${contract.target}) is not honoured: ${problems.join("; ")}. Requirement: ${contract.requirement}. Reference: ${contract.reference}`;
}
