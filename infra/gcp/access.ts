// Identities and least-privilege roles. Custom roles list exact permissions, bound on one bucket:
//  - ingestor: create objects and list names in the archive (the duplicate check looks for a
//    sidecar by listing; it never reads or deletes an object), read the inbox;
//  - auditor: read and list the archive;
//  - hold admin: set and clear object holds (update object metadata; content and retention are
//    immutable under the locked policy);
//  - both: add to the auditor's own trail, creating objects under audit/ only (an IAM condition).
// People never hold these roles directly: they impersonate the auditor or hold-admin service
// account (roles/iam.serviceAccountTokenCreator on that account only), so each act is attributed to
// them in the audit log and their sign-in (with 2-Step Verification, see the README) is Google's.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { serviceAccountEmail, type GcpNames } from "./naming";

export const PERMISSIONS = {
  ingestorArchive: ["storage.objects.create", "storage.objects.list"],
  auditor: ["storage.objects.get", "storage.objects.list", "storage.buckets.get"],
  holdAdmin: ["storage.objects.get", "storage.objects.list", "storage.objects.update"],
  // The auditor's trail (functions/auditor/gcs.ts): objects.insert with ifGenerationMatch=0 needs
  // storage.objects.create alone (Cloud Storage, "IAM permissions for JSON methods"; replacing would
  // also need storage.objects.delete, which no role of ours holds).
  auditTrailWriter: ["storage.objects.create"],
} as const;

/** Where the auditor's own trail lives in the archive bucket. */
export const AUDIT_TRAIL_PREFIX = "audit/";

/**
 * The trail writer's grant holds for objects under audit/ only. A Cloud Storage object's resource name
 * is `projects/_/buckets/BUCKET/objects/OBJECT` (IAM, "Attribute reference for IAM Conditions",
 * resource name; Cloud Storage, "Use IAM Conditions on buckets"); conditions need uniform bucket-level
 * access, which every bucket of ours has (storage.ts).
 */
export const auditTrailCondition = (bucket: pulumi.Input<string>) => ({
  title: "audit-trail-only",
  description: "Create objects under audit/ only: the auditor's own trail",
  expression: pulumi.interpolate`resource.name.startsWith("projects/_/buckets/${bucket}/objects/${AUDIT_TRAIL_PREFIX}")`,
});

export interface AccessArgs {
  readonly config: StackConfig;
  readonly project: string;
  readonly names: GcpNames;
  readonly archiveBucket: pulumi.Input<string>;
  readonly inboxBucket: pulumi.Input<string>;
}

export function identities(name: string, args: { project: string; names: GcpNames; stack: string }, opts: pulumi.CustomResourceOptions) {
  const account = (id: keyof GcpNames["accounts"], displayName: string) =>
    new gcp.serviceaccount.Account(`${name}-${id}-account`, { accountId: args.names.accounts[id], project: args.project, displayName: `email-journal ${displayName} (${args.stack})` }, opts);
  const accounts = {
    ingestor: account("ingestor", "ingestor"),
    push: account("push", "inbox push delivery"),
    auditor: account("auditor", "auditor"),
    holdAdmin: account("holdAdmin", "legal hold admin"),
    build: account("build", "ingestor build (Cloud Build)"),
  };
  // Emails built from the ids, known at preview (the policy pack checks members then); grants come after the accounts.
  const emails = Object.fromEntries(Object.entries(args.names.accounts).map(([id, accountId]) => [id, serviceAccountEmail(accountId, args.project)])) as Record<keyof GcpNames["accounts"], string>;
  return { accounts, emails, created: Object.values(accounts) as pulumi.Resource[] };
}

export type Identities = ReturnType<typeof identities>;

export function access(name: string, args: AccessArgs & { ids: Identities }, opts: pulumi.CustomResourceOptions) {
  const { project, config, ids } = args;
  // Custom role ids allow letters, digits, underscores and dots only.
  const stackId = config.stack.replace(/[^A-Za-z0-9]/g, "_");
  // Each role by its full name, known at preview; bindings wait for the role to exist.
  const role = (id: string, title: string, permissions: readonly string[]) => {
    const roleId = `emailJournal_${id.replace(/-/g, "_")}_${stackId}`;
    const resource = new gcp.projects.IAMCustomRole(`${name}-${id}-role`, { project, roleId, title: `email-journal ${title} (${config.stack})`, permissions: [...permissions], stage: "GA" }, opts);
    return { resource, name: `projects/${project}/roles/${roleId}` };
  };
  const roles = {
    ingestorArchive: role("ingestor-archive", "ingestor: create archive objects", PERMISSIONS.ingestorArchive),
    auditor: role("auditor", "auditor: read the archive", PERMISSIONS.auditor),
    holdAdmin: role("hold-admin", "hold admin: object holds", PERMISSIONS.holdAdmin),
    auditTrailWriter: role("audit-trail-writer", "auditor's trail: create under audit/", PERMISSIONS.auditTrailWriter),
  };
  const member = (email: string) => `serviceAccount:${email}`;
  const onBucket = (id: string, bucket: pulumi.Input<string>, roleName: pulumi.Input<string>, who: pulumi.Input<string>, condition?: ReturnType<typeof auditTrailCondition>) =>
    new gcp.storage.BucketIAMMember(`${name}-${id}`, { bucket, role: roleName, member: who, ...(condition ? { condition } : {}) }, { ...opts, dependsOn: [...ids.created, ...Object.values(roles).map((r) => r.resource)] });
  onBucket("ingestor-archive-access", args.archiveBucket, roles.ingestorArchive.name, member(ids.emails.ingestor));
  onBucket("ingestor-inbox-access", args.inboxBucket, "roles/storage.objectViewer", member(ids.emails.ingestor));
  onBucket("auditor-access", args.archiveBucket, roles.auditor.name, member(ids.emails.auditor));
  onBucket("hold-admin-access", args.archiveBucket, roles.holdAdmin.name, member(ids.emails.holdAdmin));
  onBucket("auditor-trail-access", args.archiveBucket, roles.auditTrailWriter.name, member(ids.emails.auditor), auditTrailCondition(args.archiveBucket));
  onBucket("hold-admin-trail-access", args.archiveBucket, roles.auditTrailWriter.name, member(ids.emails.holdAdmin), auditTrailCondition(args.archiveBucket));
  const impersonate = (id: string, account: gcp.serviceaccount.Account, people: readonly string[]) =>
    people.map((person, i) => new gcp.serviceaccount.IAMMember(`${name}-${id}-${i}`, { serviceAccountId: account.name, role: "roles/iam.serviceAccountTokenCreator", member: person }, opts));
  impersonate("auditor-impersonation", ids.accounts.auditor, config.auditors);
  impersonate("hold-admin-impersonation", ids.accounts.holdAdmin, config.holdAdmins);
  return { roles };
}
