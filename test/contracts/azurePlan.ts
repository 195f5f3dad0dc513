// The Azure plan as the contract suite reads it: the resources the real program creates under
// mocks (infra/policyCheck/mockRun.ts), what Azure would compute for them (the same mocks), and what
// the preflight requires of the deployer. Azure RBAC is evaluated the documented way: a role
// assignment grants its role's actions and data actions (less notActions) on its scope and
// everything below it, and a condition on the assignment can only narrow that.
import type { RecordedResource } from "../../infra/policyCheck/mockRun";
import { azureMocks } from "../../infra/policyCheck/mocks/azure";
import { BUILT_IN_ROLES, expand, type OpKind } from "./azureDocs";

export interface AzurePlan {
  readonly resources: readonly RecordedResource[];
  /** Actions the preflight makes sure the deployer holds (infra/preflight/azure.ts). */
  readonly deployerActions: readonly string[];
  /** Resource providers the preflight makes sure are registered. */
  readonly providers: readonly string[];
}

const stackOf = (r: RecordedResource) => r.urn.split("::")[0].replace("urn:pulumi:", "");

/** What Azure would answer for a planned resource: its id and computed properties. */
export function outputsOf(r: RecordedResource): Record<string, any> {
  const answer = azureMocks.resource(r.type, r.name, r.inputs, { stack: stackOf(r), region: String(r.inputs.location ?? "") });
  return { ...answer.state, id: answer.id };
}

export const ofType = (plan: AzurePlan, type: string) => plan.resources.filter((r) => r.type === type);

export function one(plan: AzurePlan, type: string, match: (r: RecordedResource) => boolean): RecordedResource | undefined {
  const found = ofType(plan, type).filter(match);
  return found.length === 1 ? found[0] : undefined;
}

export const account = (plan: AzurePlan, part: "archive" | "inbox" | "audit-logs") => one(plan, "azure-native:storage:StorageAccount", (r) => r.name.endsWith(`-${part}`));

/** A user-assigned identity of the stack (`storage`, `ingestor`, `events`), by the name the program gives it. */
export const identity = (plan: AzurePlan, id: string) =>
  one(plan, "azure-native:managedidentity:UserAssignedIdentity", (r) => String(r.inputs.resourceName).startsWith(`id-email-journal-${id}-`));

export const sameId = (a: unknown, b: unknown) => String(a ?? "").toLowerCase().replace(/\/+$/, "") === String(b ?? "").toLowerCase().replace(/\/+$/, "") && a !== undefined;

/** Whether an assignment at `scope` reaches `resource`: the scope is the resource or one of its ancestors. */
export function covers(scope: string, resource: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, "");
  const r = resource.toLowerCase().replace(/\/+$/, "");
  return r === s || r.startsWith(`${s}/`);
}

export interface Grant {
  readonly assignment: string;
  readonly roleName: string;
  readonly principalId: string;
  readonly scope: string;
  readonly actions: Set<string>;
  readonly dataActions: Set<string>;
  readonly condition?: string;
}

/** Every role assignment of the plan, with its role's operations expanded from the documented list. */
export function grants(plan: AzurePlan): Grant[] {
  const custom = ofType(plan, "azure-native:authorization:RoleDefinition");
  return ofType(plan, "azure-native:authorization:RoleAssignment").map((a) => {
    const roleId = String(a.inputs.roleDefinitionId).split("/").pop()!.toLowerCase();
    const definition = custom.find((d) => String(d.inputs.roleDefinitionId).toLowerCase() === roleId);
    const builtIn = BUILT_IN_ROLES[roleId];
    const permissions: { actions?: string[]; notActions?: string[]; dataActions?: string[]; notDataActions?: string[] }[] = definition
      ? definition.inputs.permissions ?? []
      : builtIn
        ? [{ actions: [...builtIn.actions], notActions: [...builtIn.notActions], dataActions: [...builtIn.dataActions] }]
        : [];
    const union = (kind: OpKind) =>
      new Set(permissions.flatMap((p) => [...expand(kind, (kind === "action" ? p.actions : p.dataActions) ?? [], (kind === "action" ? p.notActions : p.notDataActions) ?? [])]));
    return {
      assignment: a.name,
      roleName: definition?.inputs.roleName ?? builtIn?.roleName ?? `unknown role ${roleId}`,
      principalId: String(a.inputs.principalId),
      scope: String(a.inputs.scope),
      actions: union("action"),
      dataActions: union("dataAction"),
      ...(a.inputs.condition ? { condition: String(a.inputs.condition) } : {}),
    };
  });
}

export interface Request {
  readonly principalId: string;
  /** The ARM id of what is acted on: an account, a container, a key. */
  readonly resource: string;
  readonly kind: OpKind;
  readonly op: string;
  /** The blob's path in its container, when the request names one (conditions can test it). */
  readonly path?: string;
  /** The suboperation of a data action, when it has one: List Blobs is blobs/read's `Blob.List`. */
  readonly subOperation?: string;
}

// The two condition shapes the program writes (infra/azure/access.ts): an action is allowed only for
// blob paths under a prefix, optionally except one suboperation (List Blobs, which names no blob).
// Any other condition is not understood, and so grants nothing here.
const PATH_CONDITION = /^\(\(!\(ActionMatches\{'([^']+)'\}(?: AND NOT SubOperationMatches\{'([^']+)'\})?\)\) OR \(@Resource\[[^\]]+:path\] StringStartsWith '([^']*)'\)\)$/;

/** Whether a condition on an assignment lets `request` through. */
export function conditionAllows(condition: string | undefined, request: Request): boolean {
  if (!condition) return true;
  const shape = PATH_CONDITION.exec(condition.trim());
  if (!shape) return false;
  const [, action, exceptSubOperation, prefix] = shape;
  if (action.toLowerCase() !== request.op.toLowerCase()) return true;
  if (exceptSubOperation !== undefined && request.subOperation === exceptSubOperation) return true;
  // A request without a blob path (List Blobs) has no path for the condition to admit.
  return request.path !== undefined && request.path.startsWith(prefix);
}

/** The grants that allow `request`, if any. */
export function allowing(all: readonly Grant[], request: Request): Grant[] {
  return all.filter(
    (g) =>
      g.principalId === request.principalId &&
      covers(g.scope, request.resource) &&
      (request.kind === "action" ? g.actions : g.dataActions).has(request.op.toLowerCase()) &&
      conditionAllows(g.condition, request),
  );
}
