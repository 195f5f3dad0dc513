import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const isWildcard = (action: string) => action === "*" || action.endsWith("/*");
// Changing immutability or managing access: never granted by a role of the stack.
const isForbidden = (action: string) => /immutabilityPolicies\/(write|lock|extend|delete)/i.test(action) || /^Microsoft\.Authorization\//i.test(action);
const isDelete = (action: string) => /\/delete$/i.test(action);
// A delete may be granted only by a role assignable on single storage accounts (the Functions host's own
// blobs); archive-store-worm-and-key checks that no such role is assignable on the archive.
const onStorageAccountsOnly = (scopes: unknown) => Array.isArray(scopes) && scopes.length > 0 && scopes.every((scope) => /\/storageAccounts\/[^/]+(\/|$)/i.test(String(scope)));

export const roleDefinitionLeastPrivilege = resourceRule({
  name: "azure-role-definition-least-privilege",
  description: "Custom roles list their actions: no wildcards, no immutability policy changes, no access management, and deletes only in roles confined to a non-archive storage account",
  controls: [...SERVES.confidentiality, ...SERVES.worm],
  types: ["azure-native:authorization:RoleDefinition"],
  check: (props, report) => {
    for (const [i, permission] of ((props.permissions ?? []) as any[]).entries()) {
      for (const kind of ["actions", "dataActions"]) {
        const listed = (permission[kind] ?? []) as string[];
        const wildcards = listed.filter(isWildcard);
        const destructive = listed.filter((action) => isForbidden(action) || (isDelete(action) && !onStorageAccountsOnly(props.assignableScopes)));
        if (wildcards.length > 0) report(problem(`permissions[${i}].${kind}`, wildcards, "list the exact operations the role needs"));
        if (destructive.length > 0) report(problem(`permissions[${i}].${kind}`, destructive, "remove them: records and their protections change only through break-glass procedures"));
      }
    }
  },
});
