// Custom roles, each with exactly the data actions its holder needs, assigned at the narrowest
// scope: the ingestor creates archive blobs (reads only sidecars under meta/, for the duplicate
// check), auditors read, hold admins set legal holds; both add to the auditor's own trail under
// audit/, and hold admins read only that trail. No role may delete archived blobs or change
// their immutability. MFA for people is enforced by Entra Conditional Access (see the README).
import { createHash } from "node:crypto";
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";

const BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";
const CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers";
/** Get Container Properties / List Containers; Create Container and Set Container Metadata. */
export const CONTAINER_READ = `${CONTAINERS}/read`;
export const CONTAINER_WRITE = `${CONTAINERS}/write`;

// Which operation needs which action is the table "Permissions for Blob service operations"
// (Azure Storage REST API, "Authorize with Microsoft Entra ID"): Put Blob needs blobs/write (create or
// replace) or blobs/add/action (create new); Get Blob, Get Blob Properties and List Blobs need
// blobs/read; Create Container needs containers/write (an action, not a data action).
export const DATA_ACTIONS = {
  ingestorArchive: [`${BLOBS}/write`, `${BLOBS}/add/action`, `${BLOBS}/read`],
  ingestorInbox: [`${BLOBS}/read`],
  // The Functions host keeps leases and keys in blobs of its own account (the inbox account), never the
  // archive's. The same identity reads the Flex Consumption deployment package from the deployments
  // container there: "the Storage Blob Data Contributor role scoped to the deployment storage account"
  // (Azure Functions, "Create and manage function apps in the Flex Consumption plan", Configure
  // deployment settings); these are that role's blob data actions less move.
  functionHost: [`${BLOBS}/read`, `${BLOBS}/write`, `${BLOBS}/add/action`, `${BLOBS}/delete`],
  deadLetterWriter: [`${BLOBS}/write`, `${BLOBS}/add/action`],
  auditor: [`${BLOBS}/read`],
  // Setting and clearing a legal hold on a blob version; no read of content.
  holdAdmin: [`${BLOBS}/immutableStorage/runAsSuperUser/action`],
  // The auditor's trail (functions/auditor/blob.ts): one create-only Put Blob per act. "Create a blob or
  // snapshot, or append data" is blobs/add/action, which covers Put Blob of a new blob ("Actions and
  // attributes for Azure role assignment conditions for Azure Blob Storage"); blobs/write would also
  // let a blob be replaced, which the trail never needs. Confined to audit/ by the assignment's condition.
  auditTrailWriter: [`${BLOBS}/add/action`],
  // Reading the trail back (which case holds what): blobs/read, confined to audit/ by the assignment's
  // condition except for List Blobs, which names no blob and shows a hold admin each blob's hold.
  auditTrailReader: [`${BLOBS}/read`],
} as const;

export const ACTIONS = {
  // "The runtime needs both read and write access to blobs and the ability to create containers"
  // (Azure Functions developer guide, "Connecting to host storage with an identity", which names
  // Storage Blob Data Owner; the pack refuses that role, so this role lists what the host does).
  // The host creates its azure-webjobs-hosts and azure-webjobs-secrets containers on start.
  functionHost: [CONTAINER_READ, CONTAINER_WRITE],
  auditor: [CONTAINER_READ],
  // The docs disagree on what Set Blob Legal Hold needs: the REST API's "Authorize with Microsoft
  // Entra ID" table names containers/write, while "Actions and attributes for Azure role assignment
  // conditions for Azure Blob Storage" names blobs/immutableStorage/runAsSuperUser/action (a data
  // action). Hold admins hold both, so either reading lets them set a hold; neither deletes anything.
  holdAdmin: [CONTAINER_READ, CONTAINER_WRITE],
} as const;

/** The ingestor may read archive blobs only under meta/ (an ABAC condition on the assignment). */
export const SIDECARS_ONLY_CONDITION =
  `((!(ActionMatches{'${BLOBS}/read'})) OR (@Resource[${BLOBS}:path] StringStartsWith 'meta/'))`;

/** Where the auditor's own trail lives in the archive container. */
export const AUDIT_TRAIL_PREFIX = "audit/";

/** Auditors and hold admins may create blobs only under audit/ (the trail writer's assignment). */
export const AUDIT_TRAIL_WRITE_CONDITION = `((!(ActionMatches{'${BLOBS}/add/action'})) OR (@Resource[${BLOBS}:path] StringStartsWith '${AUDIT_TRAIL_PREFIX}'))`;

/**
 * Hold admins may list the container, and read blobs only under audit/ (the trail reader's assignment).
 * The shape is the documented one for "Read blobs in named containers with a path": the path condition
 * applies to every read but List Blobs (suboperation Blob.List), whose request names no blob path
 * ("Example Azure role assignment conditions for Blob Storage"; "Actions and attributes for Azure role
 * assignment conditions for Azure Blob Storage", Suboperations).
 */
export const AUDIT_TRAIL_READ_CONDITION = `((!(ActionMatches{'${BLOBS}/read'} AND NOT SubOperationMatches{'Blob.List'})) OR (@Resource[${BLOBS}:path] StringStartsWith '${AUDIT_TRAIL_PREFIX}'))`;

/** A GUID derived from `seed`: role definitions need one, and a fixed one makes the role's id known at preview. */
export function stableGuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface CustomRoleArgs {
  readonly roleName: string;
  readonly subscriptionId: pulumi.Input<string>;
  readonly description: string;
  readonly resourceGroupId: pulumi.Input<string>;
  /** Where the role may be assigned: the storage account it is for. */
  readonly assignableScope: pulumi.Input<string>;
  readonly dataActions: readonly string[];
  readonly actions?: readonly string[];
}

export function customRole(name: string, args: CustomRoleArgs, opts: pulumi.CustomResourceOptions) {
  const guid = stableGuid(args.roleName);
  const definition = new azure.authorization.RoleDefinition(
    name,
    {
      roleDefinitionId: guid,
      scope: args.resourceGroupId,
      roleName: args.roleName,
      description: args.description,
      roleType: "CustomRole",
      assignableScopes: [args.assignableScope],
      permissions: [{ actions: [...(args.actions ?? [])], notActions: [], dataActions: [...args.dataActions], notDataActions: [] }],
    },
    opts,
  );
  return { definition, id: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}` };
}

export type CustomRole = ReturnType<typeof customRole>;

export function assign(
  name: string,
  args: { scope: pulumi.Input<string>; role: CustomRole; principalId: pulumi.Input<string>; servicePrincipal: boolean; condition?: string },
  opts: pulumi.CustomResourceOptions,
) {
  return new azure.authorization.RoleAssignment(
    name,
    {
      scope: args.scope,
      roleDefinitionId: args.role.id,
      principalId: args.principalId,
      ...(args.servicePrincipal ? { principalType: "ServicePrincipal" } : {}),
      ...(args.condition ? { condition: args.condition, conditionVersion: "2.0" } : {}),
    },
    { ...opts, dependsOn: [args.role.definition] },
  );
}

export const containerScope = (accountId: pulumi.Input<string>, container: string) => pulumi.interpolate`${accountId}/blobServices/default/containers/${container}`;
