import { SERVES } from "../controls";
import { problem, read, resourceRule, UNKNOWN_AT_PREVIEW } from "../rule";

// A dataset without an access list gives every project reader and writer its tables (BigQuery's
// defaults); the search dataset lists its readers: service accounts only (the auditor's, which people
// impersonate with their own sign-in), and no public, domain-wide or project-wide group but its owners.
const PUBLIC = ["allUsers", "allAuthenticatedUsers"];
const SERVICE_ACCOUNT = /@[a-z0-9-]+\.iam\.gserviceaccount\.com$/;

export const bigQueryAuditorOnly = resourceRule({
  name: "gcp-bigquery-auditor-only",
  description: "A BigQuery dataset lists its access: its owners administer it, only service accounts (the auditor's) read it; no public, domain or project-wide readers",
  controls: SERVES.confidentiality,
  types: ["gcp:bigquery/dataset:Dataset", "gcp:bigquery/datasetIamMember:DatasetIamMember", "gcp:bigquery/datasetIamBinding:DatasetIamBinding", "gcp:bigquery/datasetAccess:DatasetAccess"],
  check: (props, report, _settings, args) => {
    const members = ([] as unknown[]).concat(props.member ?? [], props.members ?? [], props.iamMember ?? []);
    const anonymous = members.filter((m) => PUBLIC.includes(String(m)));
    if (anonymous.length > 0) report(problem("member", anonymous, "grant the auditor's service account only"));
    if (args.type !== "gcp:bigquery/dataset:Dataset") return;
    const accesses = read(() => props.accesses);
    if (accesses === UNKNOWN_AT_PREVIEW) return;
    if (!Array.isArray(accesses) || accesses.length === 0) return report(problem("accesses", accesses, "list the access: OWNER projectOwners, READER the auditor's service account"));
    for (const [i, a] of accesses.entries()) {
      if (a.specialGroup && !(a.specialGroup === "projectOwners" && a.role === "OWNER")) report(problem(`accesses[${i}].specialGroup`, a.specialGroup, "remove it: only the project's owners, as OWNER"));
      if (a.domain || a.groupByEmail || PUBLIC.includes(a.iamMember)) report(problem(`accesses[${i}]`, a, "grant the auditor's service account only"));
      if (a.userByEmail !== undefined && !SERVICE_ACCOUNT.test(String(a.userByEmail))) report(problem(`accesses[${i}].userByEmail`, a.userByEmail, "grant the auditor's service account, which people impersonate, not a person"));
    }
  },
});
