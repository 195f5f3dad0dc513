// What Azure would answer the program: resource ids, endpoints and identities it computes, and
// the signed-in client's subscription and tenant.
import { resourceGroupName } from "../../azure/naming";
import type { CloudMocks, MockAnswer } from "./types";

export const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-111122223333";
export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** ARM resource types, and the input naming each resource, for the Pulumi types the program creates. */
const ARM: Readonly<Record<string, [armType: string, nameInput: string]>> = {
  "azure-native:storage:StorageAccount": ["Microsoft.Storage/storageAccounts", "accountName"],
  "azure-native:keyvault:Vault": ["Microsoft.KeyVault/vaults", "vaultName"],
  "azure-native:managedidentity:UserAssignedIdentity": ["Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"],
  "azure-native:web:WebApp": ["Microsoft.Web/sites", "name"],
  "azure-native:web:AppServicePlan": ["Microsoft.Web/serverfarms", "name"],
  "azure-native:eventgrid:SystemTopic": ["Microsoft.EventGrid/systemTopics", "systemTopicName"],
  "azure-native:operationalinsights:Workspace": ["Microsoft.OperationalInsights/workspaces", "workspaceName"],
  "azure-native:monitor:ActionGroup": ["Microsoft.Insights/actionGroups", "actionGroupName"],
  "azure-native:dataprotection:BackupVault": ["Microsoft.DataProtection/backupVaults", "vaultName"],
  "azure-native:synapse:Workspace": ["Microsoft.Synapse/workspaces", "workspaceName"],
};

const guid = (seed: string) => {
  let h = 0;
  for (const c of seed) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, "0");
  return `${hex}-0000-4000-8000-${hex}${hex.slice(0, 4)}`;
};

function resource(type: string, name: string, inputs: Record<string, any>): MockAnswer {
  const group = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${inputs.resourceGroupName}`;
  const arm = ARM[type];
  const resourceName = arm ? (inputs[arm[1]] ?? name) : name;
  const id = arm ? `${group}/providers/${arm[0]}/${resourceName}` : `${group}/providers/mock/${name}`;
  switch (type) {
    case "azure-native:resources:ResourceGroup":
      return { id: group, state: { ...inputs, name: inputs.resourceGroupName } };
    case "azure-native:storage:StorageAccount":
      return { id, state: { ...inputs, name: resourceName, primaryEndpoints: { blob: `https://${resourceName}.blob.core.windows.net/` } } };
    case "azure-native:keyvault:Vault":
      return { id, state: { ...inputs, name: resourceName, properties: { ...inputs.properties, vaultUri: `https://${resourceName}.vault.azure.net/` } } };
    case "azure-native:keyvault:Key":
      return { id: `${group}/providers/Microsoft.KeyVault/vaults/${inputs.vaultName}/keys/${inputs.keyName}`, state: { ...inputs, keyUri: `https://${inputs.vaultName}.vault.azure.net/keys/${inputs.keyName}` } };
    case "azure-native:managedidentity:UserAssignedIdentity":
      return { id, state: { ...inputs, name: resourceName, principalId: guid(`${name}-principal`), clientId: guid(`${name}-client`) } };
    case "azure-native:web:WebApp":
      return { id, state: { ...inputs, defaultHostName: `${resourceName}.azurewebsites.net` } };
    case "azure-native:synapse:Workspace":
      return { id, state: { ...inputs, name: resourceName, identity: { ...inputs.identity, principalId: guid(`${name}-principal`) }, connectivityEndpoints: { sqlOnDemand: `${resourceName}-ondemand.sql.azuresynapse.net` } } };
    case "azure-native:dataprotection:BackupVault":
      return { id, state: { ...inputs, name: resourceName, identity: { type: "SystemAssigned", principalId: guid(`${name}-principal`) } } };
    case "azure-native:storage:ObjectReplicationPolicy":
      return { id: `${name}-id`, state: { ...inputs, policyId: guid(`${name}-policy`), rules: (inputs.rules ?? []).map((r: object, i: number) => ({ ...r, ruleId: guid(`${name}-rule-${i}`) })) } };
    default:
      return { id, state: { ...inputs, name: resourceName } };
  }
}

export const azureMocks: CloudMocks = {
  resource: (type, name, inputs) => resource(type, name, inputs),
  call: (token) => (token === "azure-native:authorization:getClientConfig" ? { subscriptionId: SUBSCRIPTION, tenantId: TENANT, objectId: guid("deployer"), clientId: guid("deployer-app") } : undefined),
  // A stack as its program exports it: each archive account lives in its stack's resource group.
  stackOutputs: (stack: string) => {
    const name = stack.split("/").pop()!;
    return { subscriptionId: SUBSCRIPTION, resourceGroupName: resourceGroupName(name), archiveAccountName: `ejarc${name.replace(/^azure-/, "").replace(/[^a-z0-9]/g, "").slice(0, 6)}0123abcd` };
  },
};
