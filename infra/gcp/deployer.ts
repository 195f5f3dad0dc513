// What the identity running `pulumi up` must be allowed to do in the stack's project, per resource
// type the program creates. The contracts suite (test/contracts/gcp*) fails when the program plans a
// type missing here; the preflight (infra/preflight/gcp.ts) asks Google, with testIamPermissions,
// which of these the operator lacks. Permission names are from Google's IAM roles and permissions
// reference, one page per service, named in each entry. Pulumi reads back what it creates, so each
// entry has the get beside the create.

export interface DeployerNeed {
  readonly permissions: readonly string[];
  /** What the permissions are for, in a few words. */
  readonly why: string;
  /** Google's page (title) that lists the permissions or requires them. */
  readonly reference: string;
}

const iamPolicy = (service: string, resource: string, reference: string): DeployerNeed => ({
  permissions: [`${service}.${resource}.getIamPolicy`, `${service}.${resource}.setIamPolicy`],
  why: `grant a role on a ${resource.replace(/s$/, "")}`,
  reference,
});

const STORAGE = "IAM roles and permissions reference: Cloud Storage roles and permissions";
const KMS = "IAM roles and permissions reference: Cloud Key Management Service roles and permissions";
const PUBSUB = "IAM roles and permissions reference: Pub/Sub roles and permissions";
const IAM = "IAM roles and permissions reference: Identity and Access Management roles and permissions";
const RESOURCE_MANAGER = "IAM roles and permissions reference: Resource Manager roles and permissions";

/** By Pulumi type token. */
export const DEPLOYER_PERMISSIONS: Readonly<Record<string, DeployerNeed>> = {
  "gcp:storage/bucket:Bucket": {
    permissions: ["storage.buckets.create", "storage.buckets.get", "storage.buckets.update"],
    why: "create the buckets; locking a retention policy is a bucket update (Cloud Storage JSON API, Buckets: lockRetentionPolicy)",
    reference: STORAGE,
  },
  // The search dataset and its external table (search.ts). Creating a dataset with an access list sets its
  // policy; an external table over Cloud Storage is read back with the deployer's own storage access.
  "gcp:bigquery/dataset:Dataset": {
    permissions: ["bigquery.datasets.create", "bigquery.datasets.get", "bigquery.datasets.update", "bigquery.datasets.setIamPolicy"],
    why: "create the auditor-only search dataset with its access list and default key",
    reference: "IAM roles and permissions reference: BigQuery roles and permissions",
  },
  "gcp:bigquery/table:Table": {
    permissions: ["bigquery.tables.create", "bigquery.tables.get", "bigquery.tables.update"],
    why: "create the external table of the sidecars' lines",
    reference: "IAM roles and permissions reference: BigQuery roles and permissions",
  },
  "gcp:storage/bucketObject:BucketObject": { permissions: ["storage.objects.create", "storage.objects.get"], why: "upload the function source", reference: STORAGE },
  "gcp:storage/bucketIAMMember:BucketIAMMember": iamPolicy("storage", "buckets", STORAGE),
  "gcp:storage/notification:Notification": {
    permissions: ["storage.buckets.update"],
    why: "add a Pub/Sub notification configuration to a bucket",
    reference: "Cloud Storage, Pub/Sub notifications for Cloud Storage (required roles)",
  },
  "gcp:storage/transferJob:TransferJob": {
    permissions: ["storagetransfer.jobs.create", "storagetransfer.jobs.get", "resourcemanager.projects.getIamPolicy"],
    why: "create the replication job; Storage Transfer checks the service agent's Pub/Sub access with the caller's getIamPolicy",
    reference: "Storage Transfer Service, Permissions and roles; Agent-based transfer permissions (user accounts)",
  },
  "gcp:kms/keyRing:KeyRing": { permissions: ["cloudkms.keyRings.create", "cloudkms.keyRings.get"], why: "create the key ring", reference: KMS },
  "gcp:kms/cryptoKey:CryptoKey": { permissions: ["cloudkms.cryptoKeys.create", "cloudkms.cryptoKeys.get"], why: "create the key", reference: KMS },
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": iamPolicy("cloudkms", "cryptoKeys", KMS),
  "gcp:serviceaccount/account:Account": { permissions: ["iam.serviceAccounts.create", "iam.serviceAccounts.get"], why: "create the stack's service accounts", reference: IAM },
  "gcp:serviceaccount/iAMMember:IAMMember": iamPolicy("iam", "serviceAccounts", IAM),
  "gcp:projects/iAMCustomRole:IAMCustomRole": { permissions: ["iam.roles.create", "iam.roles.get"], why: "create the custom roles", reference: IAM },
  "gcp:projects/iAMMember:IAMMember": { permissions: ["resourcemanager.projects.getIamPolicy", "resourcemanager.projects.setIamPolicy"], why: "grant the build account its project roles", reference: RESOURCE_MANAGER },
  "gcp:projects/iAMAuditConfig:IAMAuditConfig": { permissions: ["resourcemanager.projects.getIamPolicy", "resourcemanager.projects.setIamPolicy"], why: "turn on data-access audit logs (part of the project's IAM policy)", reference: RESOURCE_MANAGER },
  "gcp:pubsub/topic:Topic": { permissions: ["pubsub.topics.create", "pubsub.topics.get"], why: "create the topics", reference: PUBSUB },
  "gcp:pubsub/topicIAMMember:TopicIAMMember": iamPolicy("pubsub", "topics", PUBSUB),
  "gcp:pubsub/subscription:Subscription": {
    permissions: ["pubsub.subscriptions.create", "pubsub.subscriptions.get", "pubsub.topics.attachSubscription", "iam.serviceAccounts.actAs"],
    why: "create the subscriptions; a push subscription with an OIDC token needs actAs on the push account",
    reference: "Pub/Sub, Create push subscriptions (required roles and permissions; authentication)",
  },
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": iamPolicy("pubsub", "subscriptions", PUBSUB),
  "gcp:cloudfunctionsv2/function:Function": {
    permissions: ["cloudfunctions.functions.create", "cloudfunctions.functions.get", "cloudfunctions.operations.get", "iam.serviceAccounts.actAs"],
    why: "create the functions; actAs on the runtime account (and on the build account: the docs do not say, so asked for)",
    reference: "IAM roles and permissions reference: Cloud Functions roles and permissions; Cloud Run, Set build service account (required roles)",
  },
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": iamPolicy("run", "services", "IAM roles and permissions reference: Cloud Run roles and permissions"),
  "gcp:artifactregistry/repository:Repository": {
    permissions: ["artifactregistry.repositories.create", "artifactregistry.repositories.get"],
    why: "create the functions' image repository",
    reference: "IAM roles and permissions reference: Artifact Registry roles and permissions",
  },
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": iamPolicy("artifactregistry", "repositories", "IAM roles and permissions reference: Artifact Registry roles and permissions"),
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": { permissions: ["logging.buckets.create", "logging.buckets.get", "logging.buckets.update"], why: "create and lock the audit log bucket", reference: "IAM roles and permissions reference: Cloud Logging roles and permissions" },
  "gcp:logging/projectSink:ProjectSink": { permissions: ["logging.sinks.create", "logging.sinks.get"], why: "route the audit logs", reference: "IAM roles and permissions reference: Cloud Logging roles and permissions" },
  "gcp:monitoring/notificationChannel:NotificationChannel": {
    permissions: ["monitoring.notificationChannels.create", "monitoring.notificationChannels.get"],
    why: "create the alert email channel",
    reference: "IAM roles and permissions reference: Cloud Monitoring roles and permissions",
  },
  "gcp:monitoring/alertPolicy:AlertPolicy": { permissions: ["monitoring.alertPolicies.create", "monitoring.alertPolicies.get"], why: "create the alert policies", reference: "IAM roles and permissions reference: Cloud Monitoring roles and permissions" },
};

/**
 * The lookups (invokes) the program makes before creating anything. The third,
 * gcp.storage.getProjectServiceAccount (Cloud Storage projects.serviceAccount.get), names no
 * permission in its API reference; it is left out rather than guessed.
 */
export const DEPLOYER_LOOKUPS: Readonly<Record<string, DeployerNeed>> = {
  "gcp:organizations/getProject:getProject": { permissions: ["resourcemanager.projects.get"], why: "read the project number (service agents' emails)", reference: RESOURCE_MANAGER },
  "gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount": {
    permissions: ["storagetransfer.projects.getServiceAccount"],
    why: "read the Storage Transfer service agent",
    reference: "Storage Transfer Service, Permissions and roles (transfer project permission)",
  },
};

/** Every permission the deployer needs in the stack's own project, sorted, once each. */
export function deployerPermissions(): string[] {
  return [...new Set([...Object.values(DEPLOYER_PERMISSIONS), ...Object.values(DEPLOYER_LOOKUPS)].flatMap((need) => need.permissions))].sort();
}

/** On a primary, the deployer also grants the transfer agent its roles on the peer's archive bucket, in the peer's project. */
export const PEER_BUCKET_PERMISSIONS = ["storage.buckets.getIamPolicy", "storage.buckets.setIamPolicy"] as const;
