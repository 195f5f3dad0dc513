import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const isWildcard = (action: string) => action === "*" || action.endsWith("/*");
// Deleting data or immutability, or managing access: never granted by a role of the stack.
const isDestructive = (action: string) => /\/delete$/i.test(action) || /immutabilityPolicies\/(write|lock|extend)/i.test(action) || /^Microsoft\.Authorization\//i.test(action);

export const roleDefinitionLeastPrivilege = resourceRule({
  name: "azure-role-definition-least-privilege",
  description: "Custom roles list their actions: no wildcards, no delete of blobs or the account, no immutability policy changes, no access management",
  controls: [...SERVES.confidentiality, ...SERVES.worm],
  types: ["azure-native:authorization:RoleDefinition"],
  check: (props, report) => {
    for (const [i, permission] of ((props.permissions ?? []) as any[]).entries()) {
      for (const kind of ["actions", "dataActions"]) {
        const listed = (permission[kind] ?? []) as string[];
        const wildcards = listed.filter(isWildcard);
        const destructive = listed.filter(isDestructive);
        if (wildcards.length > 0) report(problem(`permissions[${i}].${kind}`, wildcards, "list the exact operations the role needs"));
        if (destructive.length > 0) report(problem(`permissions[${i}].${kind}`, destructive, "remove them: records and their protections change only through break-glass procedures"));
      }
    }
  },
});
