// The Azure preflight: what the operator's subscription must allow before the first `pulumi up`,
// asked read-only through Azure Resource Manager with the operator's own credentials. Three
// questions: may the signed-in deployer create everything the program creates (role definitions
// and assignments, the Key Vault key through ARM), are the resource providers registered, and
// does the region offer Flex Consumption. Each check passes, fails with what to ask for, or is
// unknown when Azure would not say.
import type { TokenCredential } from "@azure/identity";
import type { StackConfig } from "../config";
import { resourceGroupName } from "../azure/naming";
import type { Preflight, PreflightCheck } from "./check";

const ARM = "https://management.azure.com";

/** An ARM error answer: HTTP status and Azure's error code. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ArmError";
  }
}

/** Read-only ARM access: GET a path (with its api-version), parsed JSON back; throws ArmError on an error answer. */
export interface ArmReader {
  get<T>(path: string): Promise<T>;
}

export interface AzurePreflightClients {
  readonly arm: ArmReader;
  /** The subscription the stack deploys into (`az account show --query id`). */
  readonly subscriptionId: string;
  /** The signed-in deployer's Entra object id (the `oid` of its ARM token; see signedInObjectId). */
  readonly deployerObjectId: string;
}

/** A tiny ARM client over fetch and a token credential (AzureCliCredential after `az login`, or DefaultAzureCredential in CI). */
export function armReader(credential: TokenCredential, fetchImpl: typeof fetch = fetch): ArmReader {
  return {
    async get<T>(path: string): Promise<T> {
      const token = await credential.getToken(`${ARM}/.default`);
      if (!token) throw new ArmError(401, "NoToken", "no ARM token from the credential: run `az login`");
      const response = await fetchImpl(`${ARM}${path}`, { headers: { authorization: `Bearer ${token.token}`, accept: "application/json" } });
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      if (!response.ok) throw new ArmError(response.status, body.error?.code ?? "Unknown", body.error?.message ?? `HTTP ${response.status}`);
      return body as T;
    },
  };
}

/** The object id (`oid` claim) of whoever the credential signs in as: the principal whose role assignments matter. */
export async function signedInObjectId(credential: TokenCredential): Promise<string> {
  const token = await credential.getToken(`${ARM}/.default`);
  const payload = token?.token.split(".")[1];
  const oid = payload ? (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { oid?: string }).oid : undefined;
  if (!oid) throw new Error("the ARM token carries no oid claim: sign in with `az login` as the deploying user or service principal");
  return oid;
}

/**
 * What the deployer's roles must grant on the subscription or the stack's resource group: one
 * control-plane action per kind of resource the program creates (names from Microsoft's "Azure
 * permissions" pages for each provider). Owner grants all of them; Contributor lacks the
 * Microsoft.Authorization writes, which User Access Administrator adds.
 */
export const DEPLOYER_ACTIONS: readonly { readonly action: string; readonly why: string }[] = [
  { action: "Microsoft.Resources/subscriptions/resourceGroups/write", why: "the stack's resource group" },
  { action: "Microsoft.Authorization/roleDefinitions/write", why: "the custom roles (ingestor, auditor, hold admin, Functions host, dead letters)" },
  { action: "Microsoft.Authorization/roleAssignments/write", why: "assigning those roles and the built-in ones (key use, backup)" },
  { action: "Microsoft.ManagedIdentity/userAssignedIdentities/write", why: "the storage, ingestor and Event Grid identities" },
  { action: "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action", why: "attaching those identities to the accounts, the Function App and the system topic" },
  { action: "Microsoft.KeyVault/vaults/write", why: "the Key Vault" },
  // Creating a key through ARM is authorized by these actions, not by Key Vault data roles
  // (Key Vault docs, "Quickstart: Create an Azure key vault and a key by using ARM template"; infra/azure/keys.ts).
  { action: "Microsoft.KeyVault/vaults/keys/read", why: "ARM checks whether the archive key exists before creating it" },
  { action: "Microsoft.KeyVault/vaults/keys/write", why: "creating the archive key through ARM" },
  { action: "Microsoft.Storage/storageAccounts/write", why: "the archive, inbox and audit-log accounts" },
  { action: "Microsoft.Storage/storageAccounts/blobServices/write", why: "versioning, change feed and soft delete" },
  { action: "Microsoft.Storage/storageAccounts/blobServices/containers/write", why: "the containers" },
  { action: "Microsoft.Storage/storageAccounts/managementPolicies/write", why: "the lifecycle rules" },
  // "You must be assigned the Azure Resource Manager Contributor role, scoped to the level of the
  // storage account or higher" on both accounts ("Configure object replication for block blobs", Prerequisites).
  { action: "Microsoft.Storage/storageAccounts/objectReplicationPolicies/write", why: "object replication, on this stack's archive and on the standby's" },
  { action: "Microsoft.Web/serverfarms/write", why: "the Flex Consumption plan" },
  { action: "Microsoft.Web/sites/write", why: "the ingestor Function App" },
  { action: "Microsoft.EventGrid/systemTopics/write", why: "the inbox's system topic" },
  { action: "Microsoft.EventGrid/systemTopics/eventSubscriptions/write", why: "the blob-created subscription" },
  { action: "Microsoft.OperationalInsights/workspaces/write", why: "the Log Analytics workspace" },
  { action: "Microsoft.Insights/diagnosticSettings/write", why: "the audit diagnostic settings" },
  { action: "Microsoft.Insights/actionGroups/write", why: "the alert action group" },
  { action: "Microsoft.Insights/metricAlerts/write", why: "the dead-letter alert" },
  { action: "Microsoft.Insights/scheduledQueryRules/write", why: "the log alerts" },
  { action: "Microsoft.DataProtection/backupVaults/write", why: "the backup vault" },
  { action: "Microsoft.DataProtection/backupVaults/backupPolicies/write", why: "the backup policy" },
  { action: "Microsoft.DataProtection/backupVaults/backupInstances/write", why: "the archive's backup instance" },
  { action: "Microsoft.Synapse/workspaces/write", why: "the search engine's Synapse workspace (infra/azure/search.ts)" },
  { action: "Microsoft.Synapse/workspaces/keys/write", why: "activating the workspace under the stack key" },
];

/** The role to ask for, named in every failed permission check. */
export const DEPLOYER_ROLE = "Owner (or Contributor plus User Access Administrator)";

/**
 * Resource providers the program's resources belong to. Event Grid also fetches the function key
 * with its own service principal, whose permissions "are granted to Event Grid when you register
 * the Event Grid resource provider" ("Authenticate event delivery to event handlers (Azure Event Grid)").
 */
export const RESOURCE_PROVIDERS = [
  "Microsoft.Storage",
  "Microsoft.KeyVault",
  "Microsoft.Web",
  "Microsoft.EventGrid",
  "Microsoft.OperationalInsights",
  "Microsoft.Insights",
  "Microsoft.DataProtection",
  "Microsoft.ManagedIdentity",
  "Microsoft.Synapse",
] as const;

interface Permission {
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
}

/** Whether an RBAC action pattern (`*` for any run of characters, case-insensitive) matches an action. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i");
  return regex.test(action);
}

/** Whether one role's permission blocks grant `action`: listed in actions and not in that block's notActions. */
export const permissionsGrant = (permissions: readonly Permission[], action: string) =>
  permissions.some((p) => (p.actions ?? []).some((a) => actionMatches(a, action)) && !(p.notActions ?? []).some((n) => actionMatches(n, action)));

interface RoleAssignmentList {
  readonly value: readonly { readonly properties: { readonly roleDefinitionId: string; readonly scope: string; readonly condition?: string | null } }[];
}
interface RoleDefinitionAnswer {
  readonly properties: { readonly roleName: string; readonly permissions: readonly Permission[] };
}

const describe = (err: unknown) => (err instanceof ArmError ? `${err.code} (HTTP ${err.status}): ${err.message}` : err instanceof Error ? err.message : String(err));
const lower = (s: string) => s.toLowerCase().replace(/\/+$/, "");

/** The deployer's roles that apply at the resource group: assigned there, on the subscription, or above it. */
async function deployerRoles(config: StackConfig, clients: AzurePreflightClients) {
  const subscription = `/subscriptions/${clients.subscriptionId}`;
  const group = `${subscription}/resourceGroups/${resourceGroupName(config.stack)}`;
  // assignedTo(): the principal's assignments at, above or below the scope, groups it belongs to included
  // (Azure RBAC REST API, "Role Assignments - List For Subscription", $filter).
  const listing = await clients.arm.get<RoleAssignmentList>(
    `${subscription}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent(`assignedTo('${clients.deployerObjectId}')`)}`,
  );
  const applies = (scope: string) => scope === "/" || lower(scope).startsWith("/providers/microsoft.management/managementgroups/") || lower(group).startsWith(lower(scope));
  const assignments = listing.value.map((a) => a.properties).filter((a) => applies(a.scope));
  const roles = await Promise.all(
    assignments.map(async (a) => ({ scope: a.scope, conditioned: Boolean(a.condition), definition: (await clients.arm.get<RoleDefinitionAnswer>(`${a.roleDefinitionId}?api-version=2022-04-01`)).properties })),
  );
  return roles;
}

type Roles = Awaited<ReturnType<typeof deployerRoles>>;

function permissionCheck(name: string, roles: Roles, wanted: readonly { action: string; why: string }[], subscriptionId: string, hint = ""): PreflightCheck {
  const granted = (action: string, conditioned: boolean) => roles.some((r) => r.conditioned === conditioned && permissionsGrant(r.definition.permissions, action));
  const missing = wanted.filter((w) => !granted(w.action, false));
  const held = roles.map((r) => `${r.definition.roleName} at ${r.scope}`).join(", ") || "no role assignments";
  if (missing.length === 0) return { name, status: "pass", detail: `granted by ${held}` };
  const onlyConditioned = missing.filter((w) => granted(w.action, true));
  if (onlyConditioned.length === missing.length) {
    return {
      name,
      status: "unknown",
      detail: `${onlyConditioned.map((w) => w.action).join(", ")} only through a role assignment with a condition, which may or may not allow it (${held})`,
      fix: `Check the condition, or ask for ${DEPLOYER_ROLE} without one`,
    };
  }
  return {
    name,
    status: "fail",
    detail: `the deployer's roles (${held}) do not grant ${missing.map((w) => `${w.action} (${w.why})`).join("; ")}`,
    fix: `Ask for ${DEPLOYER_ROLE} on subscription ${subscriptionId} or its resource group.${hint}`,
  };
}

async function deployerChecks(config: StackConfig, clients: AzurePreflightClients): Promise<PreflightCheck[]> {
  const names = ["Deployer may create the stack's resources and role assignments", "Deployer may create the Key Vault key through ARM"];
  let roles: Roles;
  try {
    roles = await deployerRoles(config, clients);
  } catch (err) {
    return names.map((name) => ({
      name,
      status: "unknown",
      detail: `could not read the deployer's role assignments: ${describe(err)}`,
      fix: `Sign in as the deployer (az login) with at least Reader on subscription ${clients.subscriptionId}, then run the preflight again`,
    }));
  }
  const keyActions = DEPLOYER_ACTIONS.filter((d) => d.action.startsWith("Microsoft.KeyVault/vaults/keys/"));
  return [
    permissionCheck(names[0], roles, DEPLOYER_ACTIONS.filter((d) => !keyActions.includes(d)), clients.subscriptionId),
    permissionCheck(
      names[1],
      roles,
      keyActions,
      clients.subscriptionId,
      " Key Vault data roles (Key Vault Administrator, Key Vault Crypto Officer) do not grant these control-plane actions; Key Vault Contributor does, for the key alone.",
    ),
  ];
}

interface ProviderList {
  readonly value: readonly { readonly namespace: string; readonly registrationState: string }[];
}

async function providersCheck(clients: AzurePreflightClients): Promise<PreflightCheck> {
  const name = "Resource providers registered";
  try {
    const listing = await clients.arm.get<ProviderList>(`/subscriptions/${clients.subscriptionId}/providers?api-version=2021-04-01`);
    const state = new Map(listing.value.map((p) => [p.namespace.toLowerCase(), p.registrationState]));
    const missing = RESOURCE_PROVIDERS.filter((ns) => state.get(ns.toLowerCase()) !== "Registered");
    if (missing.length === 0) return { name, status: "pass", detail: `${RESOURCE_PROVIDERS.join(", ")} are registered` };
    return {
      name,
      status: "fail",
      detail: missing.map((ns) => `${ns} is ${state.get(ns.toLowerCase()) ?? "not listed"}`).join("; "),
      fix: missing.map((ns) => `az provider register --namespace ${ns} --subscription ${clients.subscriptionId}`).join(" && "),
    };
  } catch (err) {
    return { name, status: "unknown", detail: `could not list resource providers: ${describe(err)}`, fix: `Check with: az provider list --subscription ${clients.subscriptionId} --query "[].{ns:namespace,state:registrationState}"` };
  }
}

interface GeoRegionList {
  readonly value: readonly { readonly name: string; readonly properties?: { readonly displayName?: string } }[];
}

/** "East US 2" and "eastus2" name the same region. */
const regionKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

async function flexConsumptionCheck(config: StackConfig, clients: AzurePreflightClients): Promise<PreflightCheck> {
  const name = `Flex Consumption available in ${config.region}`;
  try {
    // The listing `az functionapp list-flexconsumption-locations` and the Azure Functions tools read.
    const listing = await clients.arm.get<GeoRegionList>(`/subscriptions/${clients.subscriptionId}/providers/Microsoft.Web/geoRegions?api-version=2023-01-01&sku=FlexConsumption`);
    const regions = listing.value.map((r) => r.properties?.displayName ?? r.name);
    if (regions.some((r) => regionKey(r) === regionKey(config.region))) return { name, status: "pass", detail: `${config.region} offers the Flex Consumption plan` };
    return {
      name,
      status: "fail",
      detail: `${config.region} is not among the ${regions.length} regions offering Flex Consumption to this subscription: ${regions.join(", ")}`,
      fix: "Choose one of those regions for email-journal:region (and peerRegion for the standby), or wait until Flex Consumption reaches this one",
    };
  } catch (err) {
    return { name, status: "unknown", detail: `could not list Flex Consumption regions: ${describe(err)}`, fix: "Check with: az functionapp list-flexconsumption-locations --output table" };
  }
}

export const preflightAzure: Preflight<AzurePreflightClients> = async (config, clients) => {
  const [deployer, providers, flex] = await Promise.all([deployerChecks(config, clients), providersCheck(clients), flexConsumptionCheck(config, clients)]);
  return [...deployer, providers, flex];
};
