// The Azure search engine as the program plans it for the primary (Pulumi.azure-eastus2.yaml under
// mocks): a Synapse workspace under the stack key, activated only after its identity may use the key,
// Entra-only, closed to other tenants, with a firewall that admits nobody until an administrator says
// so; an identity that reaches the key and nothing else (the pool reads the archive as the auditor);
// every query logged; and the outputs the CLI connects with.
import { beforeAll, describe, expect, it } from "vitest";
import { synapseTargetOf } from "../../../functions/auditor/engines/cloud";
import { tediousRunner } from "../../../functions/auditor/engines/tediousRunner";
import { stackTarget } from "../../../functions/auditor/target";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { SUBSCRIPTION } from "../../../infra/policyCheck/mocks/azure";
import { azureMocks } from "../../../infra/policyCheck/mocks/azure";
import { SEARCH_AUDIT_CATEGORIES, SEARCH_FILESYSTEM, SEARCH_KEY_NAME } from "../../../infra/azure/search";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("azure-eastus2");
});

const RG = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-email-journal-azure-eastus2`;
const CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
const workspace = () => run.one("azure-native:synapse:Workspace");
/** The principal Azure gives the workspace's system-assigned identity (what the mocks answer). */
const workspacePrincipal = () => {
  const w = workspace();
  return (azureMocks.resource(w.type, w.name, w.inputs, { stack: "azure-eastus2", region: "eastus2" }).state.identity as { principalId: string }).principalId;
};

describe("the Azure search engine", () => {
  it("is a Synapse workspace under the stack's Key Vault key, through its own system-assigned identity", () => {
    const vaultUri = run.one("azure-native:storage:StorageAccount", "archive").inputs.encryption.keyVaultProperties.keyVaultUri;
    expect(workspace().inputs).toMatchObject({
      location: "eastus2",
      identity: { type: "SystemAssigned" },
      encryption: { cmk: { key: { name: SEARCH_KEY_NAME, keyVaultUrl: `${vaultUri}keys/archive` }, kekIdentity: { useSystemAssignedIdentity: true } } },
    });
    // A user-assigned identity cannot reach a workspace key behind the vault's firewall ("Encryption for Azure Synapse Analytics workspaces").
    expect(run.one("azure-native:keyvault:Vault").inputs.properties.networkAcls).toMatchObject({ defaultAction: "Deny", bypass: "AzureServices" });
    expect(workspace().inputs.encryption.cmk.kekIdentity.userAssignedIdentity).toBeUndefined();
  });

  it("is activated under the key only after its identity may get, wrap and unwrap with it, and may do nothing else", () => {
    const access = run.one("azure-native:authorization:RoleAssignment", "search-key-access");
    const key = run.one("azure-native:keyvault:Key");
    expect(access.inputs).toMatchObject({ principalId: workspacePrincipal(), principalType: "ServicePrincipal", scope: `${RG}/providers/Microsoft.KeyVault/vaults/${key.inputs.vaultName}/keys/archive` });
    expect(access.inputs.roleDefinitionId).toMatch(new RegExp(`/roleDefinitions/${CRYPTO_SERVICE_ENCRYPTION_USER}$`));
    const activation = run.one("azure-native:synapse:Key");
    expect(activation.inputs).toMatchObject({ keyName: SEARCH_KEY_NAME, isActiveCMK: true, keyVaultUrl: workspace().inputs.encryption.cmk.key.keyVaultUrl, workspaceName: workspace().inputs.workspaceName });
    expect(activation.options.dependsOn).toEqual(expect.arrayContaining([`azure-native:authorization:RoleAssignment::${access.name}`]));
    // The pool reads the archive as the auditor who asks: the workspace's identity holds no other role.
    expect(run.ofType("azure-native:authorization:RoleAssignment").filter((a) => a.inputs.principalId === workspacePrincipal()).map((a) => a.name)).toEqual([access.name]);
  });

  it("accepts Entra identities only, lets no Azure service through its firewall, sends nothing outside the tenant, and plans no firewall rule", () => {
    expect(workspace().inputs).toMatchObject({
      azureADOnlyAuthentication: true,
      trustedServiceBypassEnabled: false,
      publicNetworkAccess: "Enabled",
      managedVirtualNetwork: "default",
      managedVirtualNetworkSettings: { preventDataExfiltration: true, allowedAadTenantIdsForLinking: [] },
    });
    expect(workspace().inputs.sqlAdministratorLogin).toBeUndefined();
    expect(workspace().inputs.sqlAdministratorLoginPassword).toBeUndefined();
    expect(run.ofType("azure-native:synapse:IpFirewallRule")).toEqual([]);
  });

  it("keeps its own account as every account of the stack: Entra only, no public blobs, TLS 1.2, double-encrypted under the stack key", () => {
    const account = run.one("azure-native:storage:StorageAccount", "search-storage").inputs;
    const archive = run.one("azure-native:storage:StorageAccount", "archive").inputs;
    expect(account).toMatchObject({ isHnsEnabled: true, allowSharedKeyAccess: false, allowBlobPublicAccess: false, minimumTlsVersion: "TLS1_2", enableHttpsTrafficOnly: true, encryption: { ...archive.encryption } });
    expect(account.immutableStorageWithVersioning).toBeUndefined();
    expect(workspace().inputs.defaultDataLakeStorage).toEqual({ accountUrl: `https://${account.accountName}.dfs.core.windows.net`, filesystem: SEARCH_FILESYSTEM, resourceId: `${RG}/providers/Microsoft.Storage/storageAccounts/${account.accountName}` });
    expect(run.one("azure-native:storage:BlobContainer", "search-filesystem").inputs).toMatchObject({ accountName: account.accountName, containerName: SEARCH_FILESYSTEM, publicAccess: "None" });
  });

  it("logs every serverless request and every change of Synapse roles to the workspace and the immutable audit-log account", () => {
    const setting = run.one("azure-native:monitor:DiagnosticSetting", "search-audit").inputs;
    const logs = run.one("azure-native:storage:StorageAccount", "audit-logs").inputs;
    expect(setting.logs).toEqual(SEARCH_AUDIT_CATEGORIES.map((category) => ({ category, enabled: true })));
    expect(setting.logs.map((l: { category: string }) => l.category)).toContain("BuiltinSqlReqsEnded");
    expect(setting.resourceUri).toBe(`${RG}/providers/Microsoft.Synapse/workspaces/${workspace().inputs.workspaceName}`);
    expect(setting.storageAccountId).toBe(`${RG}/providers/Microsoft.Storage/storageAccounts/${logs.accountName}`);
    expect(setting.workspaceId).toBe(`${RG}/providers/Microsoft.OperationalInsights/workspaces/law-email-journal-azure-eastus2`);
  });

  it("exports the serverless endpoint, which the CLI turns into its engine for auditors", async () => {
    const name = workspace().inputs.workspaceName as string;
    expect(name).toMatch(/^syn-ej-eastus-[0-9a-f]{8}$/);
    expect(run.outputs).toMatchObject({ searchWorkspaceName: name, searchSqlEndpoint: `${name}-ondemand.sql.azuresynapse.net` });
    expect(synapseTargetOf(run.outputs)).toEqual({ endpoint: `${name}-ondemand.sql.azuresynapse.net` });
    expect(() => tediousRunner({ endpoint: String(run.outputs.searchSqlEndpoint), credential: { getToken: async () => null } })).not.toThrow();
    const target = await stackTarget("azure-eastus2", "audit", { read: async () => run.outputs });
    expect(target).toMatchObject({ kind: "azure-blob", container: "archive", synapse: { endpoint: `${name}-ondemand.sql.azuresynapse.net` } });
  });
});
