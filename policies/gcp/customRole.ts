import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

// Deleting records, loosening a bucket (retention, lifecycle, IAM), destroying keys, or removing audit logs.
const DESTRUCTIVE = /^(storage\.objects\.delete|storage\.buckets\.(delete|update|setIamPolicy)|storage\.managedFolders\.delete|cloudkms\.cryptoKeyVersions\.destroy|cloudkms\.cryptoKeys\.update|logging\.(buckets|sinks)\.(delete|update)|resourcemanager\.projects\.setIamPolicy)$/;

export const customRoleLeastPrivilege = resourceRule({
  name: "gcp-custom-role-least-privilege",
  description: "Custom roles list exact permissions: no wildcards, no object or bucket deletes, no retention, key or audit-log changes",
  controls: [...SERVES.confidentiality, ...SERVES.worm],
  types: ["gcp:projects/iAMCustomRole:IAMCustomRole", "gcp:organizations/iAMCustomRole:IAMCustomRole"],
  check: (props, report) => {
    const permissions = (props.permissions ?? []) as string[];
    const wildcards = permissions.filter((p) => p.includes("*"));
    const destructive = permissions.filter((p) => DESTRUCTIVE.test(p));
    if (wildcards.length > 0) report(problem("permissions", wildcards, "list the exact permissions"));
    if (destructive.length > 0) report(problem("permissions", destructive, "remove them: records and their protections change only through break-glass procedures"));
  },
});
