import { SERVES } from "../controls";
import { problem, read, resourceRule, UNKNOWN_AT_PREVIEW } from "../rule";

// The search engine's workspace (infra/azure/search.ts) holds no records, but whoever can use it reads
// the archive's sidecars through it: it must encrypt what it keeps under the stack's key, know every
// caller by their Entra identity, and send nothing outside the tenant.
export const synapseWorkspaceHardened = resourceRule({
  name: "azure-synapse-workspace-hardened",
  description:
    "Every Synapse workspace encrypts under a Key Vault key (double encryption), accepts Entra identities only (no SQL logins, no SQL password), lets no Azure service through its firewall on the platform's say-so, and runs in a managed network with data exfiltration protection",
  controls: [...SERVES.confidentiality, ...SERVES.audit],
  types: ["azure-native:synapse:Workspace"],
  check: (props, report) => {
    const keyUrl = read(() => props.encryption?.cmk?.key?.keyVaultUrl);
    if (keyUrl !== UNKNOWN_AT_PREVIEW && !(typeof keyUrl === "string" && /^https:\/\/[^/]+\/keys\/[^/]+/.test(keyUrl)))
      report(problem("encryption.cmk.key.keyVaultUrl", keyUrl, "name the stack's Key Vault key (set when the workspace is created; it cannot be added later)"));
    if (props.azureADOnlyAuthentication !== true) report(problem("azureADOnlyAuthentication", props.azureADOnlyAuthentication, "set true: every query then names an Entra identity"));
    if (props.sqlAdministratorLoginPassword !== undefined) report(problem("sqlAdministratorLoginPassword", "(set)", "remove it: the workspace accepts Entra identities only"));
    if (props.trustedServiceBypassEnabled === true) report(problem("trustedServiceBypassEnabled", true, "set false"));
    if (props.managedVirtualNetwork !== "default") report(problem("managedVirtualNetwork", props.managedVirtualNetwork, 'set "default" (a managed virtual network; only when the workspace is created)'));
    if (props.managedVirtualNetworkSettings?.preventDataExfiltration !== true)
      report(problem("managedVirtualNetworkSettings.preventDataExfiltration", props.managedVirtualNetworkSettings?.preventDataExfiltration, "set true (only when the workspace is created)"));
  },
});
