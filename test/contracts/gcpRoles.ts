// The predefined roles the GCP stack grants, with the permissions Google documents in each, as the
// contracts rely on them. Source: Google Cloud's IAM roles and permissions reference, one page per
// service (titles below), read for this suite; Cloud Storage's also as "IAM roles for Cloud Storage".
// A role the plan grants that is not recorded here fails the suite: nothing is assumed of it.
// Google adds permissions to predefined roles over time; the lists hold what the contracts need and
// what was listed when read, not a promise that nothing else is in the role.

export interface RoleRecord {
  readonly permissions: readonly string[];
  /** The reference page the list is from. */
  readonly source: string;
}

const STORAGE = "IAM roles and permissions reference: Cloud Storage roles and permissions (and Cloud Storage, IAM roles for Cloud Storage)";

export const PREDEFINED_ROLES: Readonly<Record<string, RoleRecord>> = {
  "roles/cloudkms.cryptoKeyEncrypterDecrypter": {
    permissions: ["cloudkms.cryptoKeyVersions.useToDecrypt", "cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.locations.get", "cloudkms.locations.list", "resourcemanager.projects.get"],
    source: "IAM roles and permissions reference: Cloud Key Management Service roles and permissions",
  },
  "roles/pubsub.publisher": { permissions: ["pubsub.topics.publish"], source: "IAM roles and permissions reference: Pub/Sub roles and permissions" },
  "roles/pubsub.subscriber": {
    permissions: ["pubsub.snapshots.seek", "pubsub.subscriptions.consume", "pubsub.topics.attachSubscription"],
    source: "IAM roles and permissions reference: Pub/Sub roles and permissions",
  },
  "roles/iam.serviceAccountTokenCreator": {
    permissions: ["iam.serviceAccounts.getAccessToken", "iam.serviceAccounts.getOpenIdToken", "iam.serviceAccounts.implicitDelegation", "iam.serviceAccounts.signBlob", "iam.serviceAccounts.signJwt"],
    source: "IAM roles and permissions reference: Identity and Access Management roles and permissions",
  },
  "roles/run.invoker": { permissions: ["run.routes.invoke"], source: "IAM roles and permissions reference: Cloud Run roles and permissions" },
  "roles/storage.objectViewer": {
    permissions: ["resourcemanager.projects.get", "resourcemanager.projects.list", "storage.folders.get", "storage.folders.list", "storage.managedFolders.get", "storage.managedFolders.list", "storage.objects.get", "storage.objects.list"],
    source: STORAGE,
  },
  "roles/storage.objectCreator": {
    permissions: [
      "orgpolicy.policy.get",
      "resourcemanager.projects.get",
      "resourcemanager.projects.list",
      "storage.folders.create",
      "storage.managedFolders.create",
      "storage.multipartUploads.abort",
      "storage.multipartUploads.create",
      "storage.multipartUploads.listParts",
      "storage.objects.create",
    ],
    source: STORAGE,
  },
  "roles/storage.legacyBucketReader": { permissions: ["storage.buckets.get", "storage.objects.list"], source: STORAGE },
  "roles/logging.logWriter": { permissions: ["logging.logEntries.create", "logging.logEntries.route"], source: "IAM roles and permissions reference: Cloud Logging roles and permissions" },
  "roles/artifactregistry.writer": {
    permissions: [
      "artifactregistry.dockerimages.get",
      "artifactregistry.dockerimages.list",
      "artifactregistry.repositories.downloadArtifacts",
      "artifactregistry.repositories.get",
      "artifactregistry.repositories.list",
      "artifactregistry.repositories.uploadArtifacts",
      "artifactregistry.tags.create",
      "artifactregistry.tags.get",
      "artifactregistry.tags.list",
      "artifactregistry.tags.update",
      "artifactregistry.versions.get",
      "artifactregistry.versions.list",
    ],
    source: "IAM roles and permissions reference: Artifact Registry roles and permissions",
  },
};
