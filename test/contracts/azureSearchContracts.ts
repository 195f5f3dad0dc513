// The calls the Azure search engine (infra/azure/search.ts) depends on that one party makes on another's
// resource, and the rules around them that are not permissions, each with what Microsoft documents and
// where; checked against the plan like AZURE_CONTRACTS (azureContracts.ts), in the same Contract shape.
import { allowing, type AzurePlan, grants, ofType, one, outputsOf, sameId } from "./azurePlan";
import type { Contract } from "./azureContracts";

const SA = "Microsoft.Storage/storageAccounts";
const BLOBS = `${SA}/blobServices/containers/blobs`;
const KEYS = "Microsoft.KeyVault/vaults/keys";
const ENCRYPTION = '"Encryption for Azure Synapse Analytics workspaces" (learn.microsoft.com/azure/synapse-analytics/security/workspaces-encryption)';
const PASS_THROUGH =
  '"Control storage account access for serverless SQL pool in Azure Synapse Analytics", Supported storage authorization types, User identity (learn.microsoft.com/azure/synapse-analytics/sql/develop-storage-files-storage-access-control)';
const REST_AUTHZ = 'Azure Storage REST API, "Authorize with Microsoft Entra ID", Permissions for Blob service operations (List Blobs, Get Blob: blobs/read)';
const TRUSTED = '"Virtual network service endpoints for Azure Key Vault", Trusted services (Azure Synapse Analytics: "Encryption of data using customer-managed keys")';

const workspaceOf = (plan: AzurePlan) => one(plan, "azure-native:synapse:Workspace", () => true);
const principalOf = (plan: AzurePlan) => {
  const w = workspaceOf(plan);
  return w ? (outputsOf(w).identity?.principalId as string | undefined) : undefined;
};
const archiveContainer = (plan: AzurePlan) => {
  const archive = one(plan, "azure-native:storage:StorageAccount", (r) => r.name.endsWith("-archive"));
  return archive ? `${outputsOf(archive).id}/blobServices/default/containers/archive` : undefined;
};
const auditors = (plan: AzurePlan) => ofType(plan, "azure-native:authorization:RoleAssignment").filter((a) => /-auditor-\d+$/.test(a.name)).map((a) => String(a.inputs.principalId));
const may = (plan: AzurePlan, principalId: string, resource: string, kind: "action" | "dataAction", op: string, path?: string) =>
  allowing(grants(plan), { principalId, resource, kind, op, ...(path ? { path } : {}) }).length > 0;

export const AZURE_SEARCH_CONTRACTS: readonly Contract[] = [
  {
    id: "search-workspace-uses-key",
    kind: "permission",
    party: "the Synapse workspace, as its system-assigned identity",
    target: "the Key Vault key",
    requirement:
      "the workspace names the stack key (an RSA key in a purge-protected vault of its region) and uses it through its system-assigned identity, which may Get, Wrap Key and Unwrap Key with it (Key Vault Crypto Service Encryption User on the key); a user-assigned identity cannot pass the vault's firewall for a workspace key, the system-assigned one passes as a trusted service when the vault lets Azure services through",
    reference: `${ENCRYPTION}, Key access and workspace activation, Using a User-assigned Managed identity, Permissions; ${TRUSTED}`,
    check(plan) {
      const workspace = workspaceOf(plan);
      const key = one(plan, "azure-native:keyvault:Key", () => true);
      const vault = one(plan, "azure-native:keyvault:Vault", () => true);
      if (!workspace || !key || !vault) return ["the plan has no workspace, key or vault"];
      const problems: string[] = [];
      const cmk = workspace.inputs.encryption?.cmk;
      const vaultUri = `https://${vault.inputs.vaultName}.vault.azure.net/`;
      if (cmk?.key?.keyVaultUrl !== `${vaultUri}keys/${key.inputs.keyName}`) problems.push(`the workspace names ${cmk?.key?.keyVaultUrl ?? "no key"}, not the stack key ${vaultUri}keys/${key.inputs.keyName}`);
      if (workspace.inputs.identity?.type !== "SystemAssigned" || cmk?.kekIdentity?.useSystemAssignedIdentity !== true) problems.push("the workspace does not reach its key through its system-assigned identity");
      const acls = vault.inputs.properties?.networkAcls;
      if (acls?.defaultAction === "Deny" && acls?.bypass !== "AzureServices") problems.push("the vault's firewall lets no trusted Azure service through, so the workspace cannot reach its key");
      if (vault.inputs.properties?.enablePurgeProtection !== true) problems.push("the vault has no purge protection, which workspace encryption requires");
      if (vault.inputs.location !== workspace.inputs.location) problems.push(`the vault is in ${vault.inputs.location}, the workspace in ${workspace.inputs.location}`);
      if (!/^RSA/.test(String(key.inputs.properties?.kty)) || ![2048, 3072].includes(key.inputs.properties?.keySize)) problems.push(`the key is ${key.inputs.properties?.kty} ${key.inputs.properties?.keySize}; workspaces take RSA 2048 or 3072`);
      const principal = principalOf(plan);
      const keyId = String(outputsOf(key).id);
      for (const op of [`${KEYS}/read`, `${KEYS}/wrap/action`, `${KEYS}/unwrap/action`]) if (!principal || !may(plan, principal, keyId, "dataAction", op)) problems.push(`the workspace identity is not granted ${op} on the key`);
      return problems;
    },
  },
  {
    id: "search-activation-after-key-access",
    kind: "ordering",
    party: "the deployer",
    target: "the workspace's key (activation)",
    requirement: "a workspace under a customer key stays Pending until its identity holds the key permissions and the key is activated: the workspace key resource (isActiveCMK) is created after the identity's role assignment, and names the workspace's key",
    reference: `${ENCRYPTION}, Workspace activation; azure-native synapse.Key, isActiveCMK ("Used to activate the workspace after a customer managed key is provided"); Az.Synapse Enable-AzSynapseWorkspace`,
    check(plan) {
      const workspace = workspaceOf(plan);
      const activation = one(plan, "azure-native:synapse:Key", () => true);
      const access = one(plan, "azure-native:authorization:RoleAssignment", (a) => a.inputs.principalId === principalOf(plan) && /\/keys\//.test(String(a.inputs.scope)));
      if (!workspace || !activation) return ["the workspace is never activated: no workspace key with isActiveCMK"];
      const problems: string[] = [];
      if (activation.inputs.isActiveCMK !== true) problems.push("the workspace key is not isActiveCMK");
      const cmk = workspace.inputs.encryption?.cmk?.key;
      if (activation.inputs.keyName !== cmk?.name || activation.inputs.keyVaultUrl !== cmk?.keyVaultUrl) problems.push("the activated key is not the one the workspace names");
      if (!access) problems.push("no role assignment gives the workspace identity its key");
      else if (!(activation.options.dependsOn ?? []).includes(`${access.type}::${access.name}`)) problems.push("the workspace key is not created after the identity's key access");
      return problems;
    },
  },
  {
    id: "search-pool-reads-archive-as-auditor",
    kind: "permission",
    party: "the serverless SQL pool, as each auditor (Entra pass-through)",
    target: "the archive container's sidecars",
    requirement: "OPENROWSET without a data source reads storage as the signed-in Entra user: each auditor may List Blobs and Get Blob under meta/ and quarantine/ (blobs/read) on the archive container",
    reference: `${PASS_THROUGH}; "How to use OPENROWSET using serverless SQL pool in Azure Synapse Analytics", Security; ${REST_AUTHZ}`,
    caveat:
      "The pass-through section names the Storage Blob Data Reader, Contributor and Owner roles; the auditors hold the stack's custom role with the same blobs/read data action, which is what storage authorizes. Without a workspace this is read from the docs, not observed.",
    check(plan) {
      const container = archiveContainer(plan);
      const people = auditors(plan);
      if (!container) return ["no archive container in the plan"];
      if (people.length === 0) return ["no auditor is assigned"];
      return people.flatMap((p) =>
        [undefined, "meta/2026/01/01/0a.json", "quarantine/2026/01/01/0b.json"].filter((path) => !may(plan, p, container, "dataAction", `${BLOBS}/read`, path)).map((path) => `auditor ${p} may not read ${path ?? "the listing"} of ${container}`),
      );
    },
  },
  {
    id: "search-workspace-reads-nothing",
    kind: "permission",
    party: "the Synapse workspace's identity",
    target: "the archive account",
    requirement: "nothing: the pool reads as the auditor who asks, so the workspace's identity holds no role on the archive account or its container (anyone allowed to use a credential for it would otherwise read the archive as the workspace)",
    reference: `${PASS_THROUGH}; "How to use OPENROWSET using serverless SQL pool in Azure Synapse Analytics", Security (a data source credential is what would read as the workspace identity)`,
    check(plan) {
      const principal = principalOf(plan);
      const archive = one(plan, "azure-native:storage:StorageAccount", (r) => r.name.endsWith("-archive"));
      if (!principal || !archive) return ["the plan has no workspace identity or archive"];
      const archiveId = String(outputsOf(archive).id).toLowerCase();
      return grants(plan)
        .filter((g) => g.principalId === principal && (archiveId.startsWith(g.scope.toLowerCase()) || g.scope.toLowerCase().startsWith(archiveId)))
        .map((g) => `the workspace identity holds ${g.roleName} at ${g.scope}`);
    },
  },
  {
    id: "search-default-storage",
    kind: "feature",
    party: "the Synapse workspace",
    target: "its default storage account",
    requirement: "an ADLS Gen2 account (hierarchical namespace) with the filesystem the workspace names, in the workspace's region; the workspace's identity needs no role on it for the serverless pool",
    reference: '"Grant permissions to workspace managed identity" ("An ADLS Gen2 storage account is required to create an Azure Synapse workspace"; Storage Blob Data Contributor "to successfully launch Spark pools", and for pipelines)',
    caveat:
      "The workspace runs neither Spark pools nor pipelines, so its identity gets no role on the account; nothing documents whether workspace creation or the serverless pool needs it otherwise, nor whether the account may refuse shared keys. The first real deployment confirms it.",
    check(plan) {
      const workspace = workspaceOf(plan);
      if (!workspace) return ["no workspace in the plan"];
      const storage = workspace.inputs.defaultDataLakeStorage ?? {};
      const account = one(plan, "azure-native:storage:StorageAccount", (r) => sameId(outputsOf(r).id, storage.resourceId));
      if (!account) return [`the workspace's storage ${storage.resourceId ?? "(none)"} is not an account of the plan`];
      const problems: string[] = [];
      if (account.inputs.isHnsEnabled !== true) problems.push(`${account.inputs.accountName} has no hierarchical namespace`);
      if (storage.accountUrl !== `https://${account.inputs.accountName}.dfs.core.windows.net`) problems.push(`the workspace names ${storage.accountUrl}, not ${account.inputs.accountName}'s dfs endpoint`);
      if (!one(plan, "azure-native:storage:BlobContainer", (c) => c.inputs.accountName === account.inputs.accountName && c.inputs.containerName === storage.filesystem)) problems.push(`the filesystem ${storage.filesystem} is not planned`);
      if (account.inputs.location !== workspace.inputs.location) problems.push(`${account.inputs.accountName} is in ${account.inputs.location}, the workspace in ${workspace.inputs.location}`);
      return problems;
    },
  },
];
