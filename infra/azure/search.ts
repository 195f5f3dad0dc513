// The archive's query engine on Azure: a Synapse workspace whose built-in serverless SQL pool reads the
// sidecars where they are (functions/auditor/engines/synapse.ts). Why Synapse serverless: it costs
// nothing at rest and about $5 per TB a query reads (10 MB at least), where Data Explorer bills a
// running cluster by the hour and AI Search a service tier by the hour (docs/azure.md, "Searching the
// archive", with the sources).
//
// Nobody reads the archive as the workspace. The pool reads the container as the auditor who asks,
// through Microsoft Entra pass-through ("Control storage account access for serverless SQL pool in Azure
// Synapse Analytics": "the identity of the Microsoft Entra user that logged into serverless SQL pool is
// used to authorize data access"), so the archive's own role assignments decide who can search, and
// the storage logs name the person. The workspace's identity gets one thing: its customer key.
//
// What the workspace keeps (query metadata; no tables, no results) is encrypted under the stack's Key
// Vault key. The vault is behind its firewall, which a user-assigned identity cannot pass for a
// workspace key ("Encryption for Azure Synapse Analytics workspaces": "A User-assigned Managed Identity
// cannot be configured to access customer-managed key when Azure Key Vault is behind a firewall"), so
// the workspace uses its system-assigned identity, which passes as a trusted service (Key Vault docs,
// "Virtual network service endpoints for Azure Key Vault", Trusted services: Azure Synapse Analytics,
// "Encryption of data using customer-managed keys"). That identity exists only once the workspace does;
// the workspace waits "Pending" until it holds Get, Wrap Key and Unwrap Key on the key and its key is
// activated (same page, Workspace activation), which the workspace key resource below does after the
// role assignment.
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { BUILT_IN_ROLES, builtInRoleId } from "./roles";
import { container, storageAccount } from "./storage";

/** The workspace's filesystem in its own account; Synapse requires one, the search writes nothing to it. */
export const SEARCH_FILESYSTEM = "synapse";
/** What the workspace calls the stack key it encrypts under. */
export const SEARCH_KEY_NAME = "stack-key";
/**
 * What the workspace logs, beside the storage logs of the archive: every serverless request with the
 * identity that made it, and every change of who may do what in the workspace ("Supported logs for
 * Microsoft.Synapse/workspaces": BuiltinSqlReqsEnded, SynapseRbacOperations).
 */
export const SEARCH_AUDIT_CATEGORIES = ["BuiltinSqlReqsEnded", "SynapseRbacOperations"];

export interface SearchArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly subscriptionId: pulumi.Input<string>;
  /** The workspace (1-50 lower-case letters, digits, hyphens; globally unique) and its storage account. */
  readonly workspaceName: pulumi.Input<string>;
  readonly accountName: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  /** The stack's key: its vault URI, name and ARM id; the storage identity that encrypts accounts with it. */
  readonly keyVaultUri: pulumi.Input<string>;
  readonly keyName: pulumi.Input<string>;
  readonly keyId: pulumi.Input<string>;
  readonly keyIdentityId: pulumi.Input<string>;
  /** Where the workspace's logs go: the Log Analytics workspace and the immutable audit-log account. */
  readonly logWorkspaceId: pulumi.Input<string>;
  readonly logAccountId: pulumi.Input<string>;
  readonly tags: Record<string, string>;
}

export function searchEngine(name: string, args: SearchArgs, opts: pulumi.CustomResourceOptions) {
  // Synapse requires an ADLS Gen2 account of its own; it is hardened and encrypted as every account of the stack.
  const account = storageAccount(
    `${name}-search-storage`,
    { accountName: args.accountName, resourceGroupName: args.resourceGroupName, location: args.location, sku: "Standard_ZRS", tags: args.tags, keyIdentityId: args.keyIdentityId, keyVaultUri: args.keyVaultUri, keyName: args.keyName, hierarchicalNamespace: true },
    opts,
  );
  const filesystem = container(`${name}-search-filesystem`, { name: args.accountName, account }, args.resourceGroupName, SEARCH_FILESYSTEM, opts);
  const keyVaultUrl = pulumi.interpolate`${args.keyVaultUri}keys/${args.keyName}`;

  const workspace = new azure.synapse.Workspace(
    `${name}-search`,
    {
      workspaceName: args.workspaceName,
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      identity: { type: "SystemAssigned" },
      defaultDataLakeStorage: { accountUrl: pulumi.interpolate`https://${args.accountName}.dfs.core.windows.net`, filesystem: SEARCH_FILESYSTEM, resourceId: args.accountId },
      encryption: { cmk: { key: { name: SEARCH_KEY_NAME, keyVaultUrl }, kekIdentity: { useSystemAssignedIdentity: true } } },
      // Entra identities only: no SQL logins, so every query names a person ("Azure AD-only authentication").
      azureADOnlyAuthentication: true,
      // Outbound only to the stack's own tenant ("Data exfiltration protection for Azure Synapse Analytics workspaces").
      managedVirtualNetwork: "default",
      managedVirtualNetworkSettings: { preventDataExfiltration: true, allowedAadTenantIdsForLinking: [] },
      // Auditors connect from their own machines, so the endpoint is public; its firewall admits no
      // address until an administrator adds the auditors' networks (docs/azure.md), and no Azure service
      // gets through it on the platform's say-so.
      publicNetworkAccess: "Enabled",
      trustedServiceBypassEnabled: false,
      tags: args.tags,
    },
    { ...opts, dependsOn: [filesystem, ...([] as pulumi.Resource[]).concat((opts.dependsOn as pulumi.Resource[]) ?? [])] },
  );
  const principalId = workspace.identity.apply((identity) => identity?.principalId ?? "");

  // Get, wrap and unwrap with the key, and nothing else: Key Vault Crypto Service Encryption User on the key
  // ("Azure built-in roles for Security"), what "Encryption for Azure Synapse Analytics workspaces" asks (Permissions).
  const keyAccess = new azure.authorization.RoleAssignment(
    `${name}-search-key-access`,
    { scope: args.keyId, principalId, principalType: "ServicePrincipal", roleDefinitionId: builtInRoleId(args.subscriptionId, BUILT_IN_ROLES.keyVaultCryptoServiceEncryptionUser) },
    opts,
  );
  // Activates the workspace under the key once its identity may use it ("Used to activate the workspace
  // after a customer managed key is provided"; Enable-AzSynapseWorkspace does the same).
  const activation = new azure.synapse.Key(
    `${name}-search-key`,
    { workspaceName: workspace.name, resourceGroupName: args.resourceGroupName, keyName: SEARCH_KEY_NAME, keyVaultUrl, isActiveCMK: true },
    { ...opts, dependsOn: [keyAccess, workspace] },
  );

  const audit = new azure.monitor.DiagnosticSetting(
    `${name}-search-audit`,
    { name: "email-journal-audit", resourceUri: workspace.id, logs: SEARCH_AUDIT_CATEGORIES.map((category) => ({ category, enabled: true })), workspaceId: args.logWorkspaceId, storageAccountId: args.logAccountId },
    { ...opts, dependsOn: [workspace] },
  );

  return {
    account,
    workspace,
    keyAccess,
    activation,
    audit,
    /** What the CLI connects to ("Synapse SQL endpoints": <workspace>-ondemand.sql.azuresynapse.net). */
    sqlEndpoint: pulumi.interpolate`${args.workspaceName}-ondemand.sql.azuresynapse.net`,
  };
}
