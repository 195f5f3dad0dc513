// Every call the GCP architecture depends on that one party makes on another's resource, with the
// permission Google documents for it and where, and the rules that are not permissions (features
// that exclude each other, what deletion Google refuses). Each is checked against a plan the real
// program built (gcpPlan.ts): a contract the plan does not honour is a problem naming its reference.
import type { StackConfig } from "../../infra/config";
import { DEPLOYER_PERMISSIONS } from "../../infra/gcp/deployer";
import { gcpNames } from "../../infra/gcp/naming";
import { ARCHIVE_STORE, STORE_TAG } from "../../policies/shared/conventions";
import type { RecordedResource } from "../../infra/policyCheck/mockRun";
import { describeTarget, type GcpPlan, type Target } from "./gcpPlan";

export interface ContractContext {
  readonly plan: GcpPlan;
  readonly config: StackConfig;
  /** The project's number, as Google answers getProject; the service agents' emails are built from it. */
  readonly projectNumber: string;
}

/** One party needing permissions on one resource. */
export interface Need {
  readonly member: string;
  readonly target: Target;
  readonly permissions: readonly string[];
}

export interface AccessContract {
  readonly id: string;
  /** Who calls. */
  readonly caller: string;
  /** What it does, in a few words. */
  readonly action: string;
  /** Google's page (title, section) that documents the permission. */
  readonly reference: string;
  /** What this plan needs for it: empty when the plan has nothing the contract is about. */
  needs(ctx: ContractContext): Need[];
}

export interface RuleContract {
  readonly id: string;
  readonly statement: string;
  readonly reference: string;
  /** Problems in the plan; each names the resource. */
  check(ctx: ContractContext): string[];
}

// The service agents' emails, in the formats Google documents for each service.
const agents = (n: string) => ({
  storage: `serviceAccount:service-${n}@gs-project-accounts.iam.gserviceaccount.com`,
  pubsub: `serviceAccount:service-${n}@gcp-sa-pubsub.iam.gserviceaccount.com`,
  transfer: `serviceAccount:project-${n}@storage-transfer-service.iam.gserviceaccount.com`,
});

const sa = (email: string) => `serviceAccount:${email}`;
const last = (path: unknown) => String(path ?? "").split("/").pop()!;
const inputs = (plan: GcpPlan, type: string) => plan.ofType(type).map((r) => r.inputs);
const topicOf = (path: unknown, project: string): Target => {
  const parts = String(path).split("/");
  return parts[0] === "projects" ? { kind: "topic", project: parts[1], topic: parts[3] } : { kind: "topic", project, topic: parts[parts.length - 1] };
};
const functions = (plan: GcpPlan) => inputs(plan, "gcp:cloudfunctionsv2/function:Function");
/** Functions naming a build account; one that names none fails build-account-set instead. */
const builtAs = (plan: GcpPlan) => functions(plan).filter((f) => f.buildConfig?.serviceAccount);
const archiveBucket = (plan: GcpPlan) => plan.ofType("gcp:storage/bucket:Bucket").find((b) => b.inputs.labels?.[STORE_TAG] === ARCHIVE_STORE)?.inputs.name as string | undefined;
const bucket = (name: string): Target => ({ kind: "bucket", bucket: name });
/** An object of the auditor's trail (functions/auditor/auditObjects.ts) and a record. */
const TRAIL_OBJECT = "audit/2026/01/01/2026-01-01T00:00:00.000Z-000001-0123456789ab.json";
const RECORD_OBJECT = "messages/2026/01/01/0a.eml";
/** Cloud Functions' URL, https://REGION-PROJECT.cloudfunctions.net/NAME, names the function. */
const functionOfUrl = (url: unknown) => /^https:\/\/([a-z]+-[a-z]+[0-9]+)-([a-z][a-z0-9-]+)\.cloudfunctions\.net\/([A-Za-z0-9_-]+)/.exec(String(url));

export const ACCESS_CONTRACTS: readonly AccessContract[] = [
  {
    id: "cmek-storage",
    caller: "the Cloud Storage service agent",
    action: "encrypt and decrypt each bucket's objects under its default key",
    reference: "Cloud Storage, Use customer-managed encryption keys (assign the service agent cloudkms.cryptoKeyEncrypterDecrypter); IAM reference: Cloud Key Management Service roles and permissions",
    needs: ({ plan, projectNumber }) =>
      inputs(plan, "gcp:storage/bucket:Bucket")
        .filter((b) => b.encryption?.defaultKmsKeyName)
        .map((b) => ({ member: agents(projectNumber).storage, target: { kind: "cryptoKey", key: b.encryption.defaultKmsKeyName }, permissions: ["cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeyVersions.useToDecrypt"] })),
  },
  {
    id: "cmek-pubsub",
    caller: "the Pub/Sub service agent",
    action: "encrypt and decrypt each topic's messages under its key",
    reference: "Pub/Sub, Configure message encryption (grant the service agent Cloud KMS CryptoKey Encrypter/Decrypter); IAM reference: Cloud Key Management Service roles and permissions",
    needs: ({ plan, projectNumber }) =>
      inputs(plan, "gcp:pubsub/topic:Topic")
        .filter((t) => t.kmsKeyName)
        .map((t) => ({ member: agents(projectNumber).pubsub, target: { kind: "cryptoKey", key: t.kmsKeyName }, permissions: ["cloudkms.cryptoKeyVersions.useToEncrypt", "cloudkms.cryptoKeyVersions.useToDecrypt"] })),
  },
  {
    id: "bucket-notifications",
    caller: "the Cloud Storage service agent",
    action: "publish a bucket's object notifications to their topic",
    reference: "Cloud Storage, Pub/Sub notifications for Cloud Storage (the service agent needs pubsub.publisher on the topic); IAM reference: Pub/Sub roles and permissions",
    needs: ({ plan, projectNumber }) => inputs(plan, "gcp:storage/notification:Notification").map((n) => ({ member: agents(projectNumber).storage, target: topicOf(n.topic, plan.project), permissions: ["pubsub.topics.publish"] })),
  },
  {
    id: "push-oidc-token",
    caller: "the Pub/Sub service agent",
    action: "sign each push request's OIDC token as the subscription's push account",
    reference: "Pub/Sub, Authentication for push subscriptions (the service agent holds iam.serviceAccountTokenCreator; required of agents created before 8 April 2021); IAM reference: Identity and Access Management roles and permissions",
    needs: ({ plan, projectNumber }) =>
      inputs(plan, "gcp:pubsub/subscription:Subscription")
        .filter((s) => s.pushConfig?.oidcToken?.serviceAccountEmail)
        .map((s) => ({ member: agents(projectNumber).pubsub, target: { kind: "serviceAccount", email: s.pushConfig.oidcToken.serviceAccountEmail }, permissions: ["iam.serviceAccounts.getOpenIdToken"] })),
  },
  {
    id: "push-invoke",
    caller: "each push subscription's push account",
    action: "invoke the function (its Cloud Run service) the subscription pushes to",
    reference: "Cloud Run, Triggering from Pub/Sub push (grant the push identity roles/run.invoker); IAM reference: Cloud Run roles and permissions",
    needs: ({ plan }) =>
      inputs(plan, "gcp:pubsub/subscription:Subscription")
        .filter((s) => s.pushConfig?.oidcToken?.serviceAccountEmail)
        .map((s) => {
          const url = functionOfUrl(s.pushConfig.pushEndpoint);
          return { member: sa(s.pushConfig.oidcToken.serviceAccountEmail), target: { kind: "runService", location: url?.[1] ?? "?", service: url?.[3] ?? String(s.pushConfig.pushEndpoint) }, permissions: ["run.routes.invoke"] };
        }),
  },
  {
    id: "dead-letter-forward",
    caller: "the Pub/Sub service agent",
    action: "forward undeliverable messages to the subscription's dead-letter topic",
    reference: "Pub/Sub, Handle message failures: dead-letter topics (grant forwarding permissions: publisher on the dead-letter topic); IAM reference: Pub/Sub roles and permissions",
    needs: ({ plan, projectNumber }) =>
      inputs(plan, "gcp:pubsub/subscription:Subscription")
        .filter((s) => s.deadLetterPolicy?.deadLetterTopic)
        .map((s) => ({ member: agents(projectNumber).pubsub, target: topicOf(s.deadLetterPolicy.deadLetterTopic, plan.project), permissions: ["pubsub.topics.publish"] })),
  },
  {
    id: "dead-letter-acknowledge",
    caller: "the Pub/Sub service agent",
    action: "acknowledge a dead-lettered message on the source subscription",
    reference: "Pub/Sub, Handle message failures: dead-letter topics (grant forwarding permissions: subscriber on the source subscription); IAM reference: Pub/Sub roles and permissions",
    needs: ({ plan, projectNumber }) =>
      inputs(plan, "gcp:pubsub/subscription:Subscription")
        .filter((s) => s.deadLetterPolicy?.deadLetterTopic)
        .map((s) => ({ member: agents(projectNumber).pubsub, target: { kind: "subscription", project: s.project, subscription: s.name }, permissions: ["pubsub.subscriptions.consume"] })),
  },
  {
    id: "transfer-source",
    caller: "the Storage Transfer service agent",
    action: "read the replication job's source bucket",
    reference: "Storage Transfer Service, Configure access to a source: Cloud Storage (storage.buckets.get, storage.objects.list, storage.objects.get)",
    needs: ({ plan, projectNumber }) =>
      inputs(plan, "gcp:storage/transferJob:TransferJob").map((j) => ({
        member: agents(projectNumber).transfer,
        target: bucket(j.transferSpec.gcsDataSource.bucketName),
        permissions: ["storage.buckets.get", "storage.objects.list", "storage.objects.get", ...(j.transferSpec.transferOptions?.deleteObjectsFromSourceAfterTransfer ? ["storage.objects.delete"] : [])],
      })),
  },
  {
    id: "transfer-sink",
    caller: "the Storage Transfer service agent",
    action: "write the replication job's sink bucket, as its transfer options require",
    reference:
      "Storage Transfer Service, Configure access to a sink: Cloud Storage (storage.buckets.get, storage.objects.create; storage.objects.get when overwriting when different or never; storage.objects.list unless overwriting always; storage.objects.delete when overwriting or deleting)",
    needs: ({ plan, projectNumber }) =>
      inputs(plan, "gcp:storage/transferJob:TransferJob").map((j) => {
        const o = j.transferSpec.transferOptions ?? {};
        const overwrite = o.overwriteWhen ?? (o.overwriteObjectsAlreadyExistingInSink ? "ALWAYS" : "DIFFERENT");
        return {
          member: agents(projectNumber).transfer,
          target: bucket(j.transferSpec.gcsDataSink.bucketName),
          permissions: [
            "storage.buckets.get",
            "storage.objects.create",
            ...(overwrite === "NEVER" || overwrite === "DIFFERENT" ? ["storage.objects.get"] : []),
            ...(overwrite !== "ALWAYS" || o.deleteObjectsUniqueInSink ? ["storage.objects.list"] : []),
            ...(overwrite !== "NEVER" || o.deleteObjectsUniqueInSink ? ["storage.objects.delete"] : []),
          ],
        };
      }),
  },
  {
    id: "transfer-events",
    caller: "the Storage Transfer service agent",
    action: "pull the event-driven job's notifications from its subscription",
    reference: "Storage Transfer Service, Event-driven transfers (grant the service agent pubsub.subscriber on the subscription); IAM reference: Pub/Sub roles and permissions",
    needs: ({ plan, projectNumber }) =>
      inputs(plan, "gcp:storage/transferJob:TransferJob")
        .filter((j) => j.eventStream?.name)
        .map((j) => {
          const [, project, , subscription] = String(j.eventStream.name).split("/");
          return { member: agents(projectNumber).transfer, target: { kind: "subscription", project, subscription }, permissions: ["pubsub.subscriptions.consume"] };
        }),
  },
  {
    id: "build-logs",
    caller: "each function's build service account",
    action: "write its build logs to Cloud Logging",
    reference: "Cloud Run functions, Custom Service Account for Cloud Build (roles/logging.logWriter); IAM reference: Cloud Logging roles and permissions",
    needs: ({ plan }) => [...new Set(builtAs(plan).map((f) => last(f.buildConfig.serviceAccount)))].map((email) => ({ member: sa(email), target: { kind: "project", project: plan.project }, permissions: ["logging.logEntries.create"] })),
  },
  {
    id: "build-images",
    caller: "each function's build service account",
    action: "push the built image to the function's Artifact Registry repository",
    reference: "Cloud Run functions, Custom Service Account for Cloud Build (roles/artifactregistry.writer, on gcf-artifacts or the dockerRepository given); IAM reference: Artifact Registry roles and permissions",
    needs: ({ plan }) =>
      builtAs(plan).map((f) => {
        const [, , , location, , repository] = String(f.buildConfig?.dockerRepository ?? "projects/?/locations/?/repositories/gcf-artifacts").split("/");
        return { member: sa(last(f.buildConfig?.serviceAccount)), target: { kind: "repository", location: f.buildConfig?.dockerRepository ? location : f.location, repository }, permissions: ["artifactregistry.repositories.uploadArtifacts", "artifactregistry.repositories.downloadArtifacts"] };
      }),
  },
  {
    id: "build-source",
    caller: "each function's build service account",
    action: "read the function source: the object the program uploads, and Cloud Functions' copy in gcf-v2-sources-PROJECT_NUMBER-REGION",
    reference: "Cloud Run functions, Custom Service Account for Cloud Build (storage.objectViewer on the source); Cloud Run functions, Build process overview (the gcf-v2-sources bucket); IAM reference: Cloud Storage roles and permissions",
    needs: ({ plan, projectNumber }) =>
      builtAs(plan).flatMap((f) => [
        { member: sa(last(f.buildConfig?.serviceAccount)), target: bucket(f.buildConfig?.source?.storageSource?.bucket), permissions: ["storage.objects.get"] },
        { member: sa(last(f.buildConfig?.serviceAccount)), target: bucket(`gcf-v2-sources-${projectNumber}-${f.location}`), permissions: ["storage.objects.get"] },
      ]),
  },
  {
    id: "ingestor-archive-create",
    caller: "the functions' runtime service account",
    action: "create archive objects with ifGenerationMatch=0 (create-only: replacing would also need delete)",
    reference: "Cloud Storage, IAM permissions for JSON methods (objects.insert: storage.objects.create; storage.objects.delete to overwrite); functions/gcp/gcsStore.ts putIfAbsent",
    needs: ({ plan }) => functions(plan).map((f) => ({ member: sa(f.serviceConfig.serviceAccountEmail), target: bucket(f.serviceConfig.environmentVariables.ARCHIVE_BUCKET), permissions: ["storage.objects.create"] })),
  },
  {
    id: "ingestor-archive-list",
    caller: "the functions' runtime service account",
    action: "list meta/ and messages/ names in the archive (the duplicate check and head, by listing)",
    reference: "Cloud Storage, IAM permissions for JSON methods (objects.list: storage.objects.list); functions/gcp/gcsStore.ts head, list",
    needs: ({ plan }) => functions(plan).map((f) => ({ member: sa(f.serviceConfig.serviceAccountEmail), target: bucket(f.serviceConfig.environmentVariables.ARCHIVE_BUCKET), permissions: ["storage.objects.list"] })),
  },
  {
    id: "ingestor-inbox-read",
    caller: "the functions' runtime service account",
    action: "read a dropped message from the inbox by generation",
    reference: "Cloud Storage, IAM permissions for JSON methods (objects.get: storage.objects.get); functions/gcp/handlers.ts ingestObject",
    needs: ({ plan }) => functions(plan).map((f) => ({ member: sa(f.serviceConfig.serviceAccountEmail), target: bucket(f.serviceConfig.environmentVariables.INBOX_BUCKET), permissions: ["storage.objects.get"] })),
  },
  {
    id: "auditors-impersonate",
    caller: "each configured auditor",
    action: "impersonate the auditor service account (short-lived credentials)",
    reference: "IAM, Service account impersonation (roles/iam.serviceAccountTokenCreator: iam.serviceAccounts.getAccessToken); IAM reference: Identity and Access Management roles and permissions",
    needs: ({ plan, config }) => config.auditors.map((member) => ({ member, target: { kind: "serviceAccount", email: `${gcpNames(plan.project, config.stack).accounts.auditor}@${plan.project}.iam.gserviceaccount.com` }, permissions: ["iam.serviceAccounts.getAccessToken"] })),
  },
  {
    id: "hold-admins-impersonate",
    caller: "each configured hold admin",
    action: "impersonate the hold-admin service account",
    reference: "IAM, Service account impersonation (roles/iam.serviceAccountTokenCreator: iam.serviceAccounts.getAccessToken); IAM reference: Identity and Access Management roles and permissions",
    needs: ({ plan, config }) => config.holdAdmins.map((member) => ({ member, target: { kind: "serviceAccount", email: `${gcpNames(plan.project, config.stack).accounts.holdAdmin}@${plan.project}.iam.gserviceaccount.com` }, permissions: ["iam.serviceAccounts.getAccessToken"] })),
  },
  {
    id: "auditor-reads",
    caller: "the auditor service account",
    action: "find and read archived messages",
    reference: "Cloud Storage, IAM permissions for JSON methods (objects.list, objects.get); IAM reference: Cloud Storage roles and permissions",
    needs: ({ plan, config }) => {
      const archive = archiveBucket(plan);
      return archive ? [{ member: sa(`${gcpNames(plan.project, config.stack).accounts.auditor}@${plan.project}.iam.gserviceaccount.com`), target: bucket(archive), permissions: ["storage.objects.list", "storage.objects.get"] }] : [];
    },
  },
  {
    id: "hold-admin-holds",
    caller: "the hold-admin service account",
    action: "set and clear object holds on archived messages",
    reference: "Cloud Storage, Use and lock retention policies / Use object holds (objects.patch of a hold: storage.objects.update); IAM reference: Cloud Storage roles and permissions",
    needs: ({ plan, config }) => {
      const archive = archiveBucket(plan);
      return archive ? [{ member: sa(`${gcpNames(plan.project, config.stack).accounts.holdAdmin}@${plan.project}.iam.gserviceaccount.com`), target: bucket(archive), permissions: ["storage.objects.list", "storage.objects.get", "storage.objects.update"] }] : [];
    },
  },
  ...(["auditor", "holdAdmin"] as const).map(
    (id): AccessContract => ({
      id: `${id === "auditor" ? "auditor" : "hold-admin"}-writes-trail`,
      caller: `the ${id === "auditor" ? "auditor" : "hold-admin"} service account (impersonated by a person)`,
      action: "record each act as a new object under audit/ (objects.insert with ifGenerationMatch=0)",
      reference: "Cloud Storage, IAM permissions for JSON methods (objects.insert: storage.objects.create); IAM, Attribute reference for IAM Conditions (resource.name of an object: projects/_/buckets/BUCKET/objects/OBJECT); functions/auditor/gcs.ts audit",
      needs: ({ plan, config }) => {
        const archive = archiveBucket(plan);
        const email = `${gcpNames(plan.project, config.stack).accounts[id]}@${plan.project}.iam.gserviceaccount.com`;
        return archive ? [{ member: sa(email), target: { kind: "bucket", bucket: archive, object: TRAIL_OBJECT }, permissions: ["storage.objects.create"] }] : [];
      },
    }),
  ),
  {
    id: "relays-invoke",
    caller: "each configured relay (gcp.relayInvokers), on a primary",
    action: "POST messages to the HTTP intake function",
    reference: "Cloud Run functions, Authenticate for invocation (roles/run.invoker on the function's service); IAM reference: Cloud Run roles and permissions",
    needs: ({ plan, config }) =>
      config.role !== "primary"
        ? []
        : (config.gcp?.relayInvokers ?? []).map((member) => ({ member, target: { kind: "runService", location: config.region, service: gcpNames(plan.project, config.stack).functions.http }, permissions: ["run.routes.invoke"] })),
  },
];

const DAY = 86_400;
const buckets = (plan: GcpPlan) => plan.ofType("gcp:storage/bucket:Bucket");
const kept = (r: RecordedResource) => r.options.protect === true && r.options.retainOnDelete === true;

export const RULE_CONTRACTS: readonly RuleContract[] = [
  {
    id: "people-write-only-the-trail",
    statement: "the auditor and hold-admin service accounts create objects under audit/ only: never a record, a sidecar or anything else in the archive",
    reference: "DESIGN.md, least-privilege roles (infra/gcp/access.ts); IAM, Attribute reference for IAM Conditions (resource.name)",
    check: ({ plan, config }) => {
      const archive = archiveBucket(plan);
      if (!archive) return [];
      const names = gcpNames(plan.project, config.stack).accounts;
      return (["auditor", "holdAdmin"] as const).flatMap((id) => {
        const member = sa(`${names[id]}@${plan.project}.iam.gserviceaccount.com`);
        return [RECORD_OBJECT, "meta/2026/01/01/0a.json", undefined]
          .filter((object) => plan.permissionsOf(member, { kind: "bucket", bucket: archive, ...(object !== undefined ? { object } : {}) }).has("storage.objects.create"))
          .map((object) => `${member} may create ${object ?? "any object"} in ${archive}`);
      });
    },
  },
  {
    id: "subscriptions-never-expire",
    statement: "every subscription survives inactivity: Pub/Sub deletes a subscription after 31 days without activity unless its expirationPolicy has an empty ttl",
    reference: "Pub/Sub API, Subscription.expirationPolicy (default ttl 31 days; an ExpirationPolicy without ttl never expires)",
    check: ({ plan }) => plan.ofType("gcp:pubsub/subscription:Subscription").filter((s) => s.inputs.expirationPolicy?.ttl !== "").map((s) => `${s.name}: expirationPolicy is ${JSON.stringify(s.inputs.expirationPolicy ?? "not set")}, so it is deleted after 31 idle days`),
  },
  {
    id: "build-account-set",
    statement: "every function names its own build service account: since the 2024 change new projects build as the Compute Engine default account, which may hold no role",
    reference: "Cloud Build, Cloud Build Service Account Change; Cloud Run functions, Custom Service Account for Cloud Build",
    check: ({ plan }) =>
      plan
        .ofType("gcp:cloudfunctionsv2/function:Function")
        .filter((f) => !f.inputs.buildConfig?.serviceAccount || /-compute@developer\.gserviceaccount\.com$|@cloudbuild\.gserviceaccount\.com$/.test(last(f.inputs.buildConfig.serviceAccount)))
        .map((f) => `${f.name}: buildConfig.serviceAccount is ${JSON.stringify(f.inputs.buildConfig?.serviceAccount ?? "not set")}; the project's default build account would be used`),
  },
  {
    id: "log-sink-same-project",
    statement: "the audit sink routes to a log bucket in its own project, which needs no writer-identity grant",
    reference: "Cloud Logging API, LogSink.writerIdentity (sinks to a log bucket in the same project have none and need no permissions)",
    check: ({ plan }) =>
      plan.ofType("gcp:logging/projectSink:ProjectSink").flatMap((s) => {
        const m = /^logging\.googleapis\.com\/projects\/([^/]+)\/locations\/([^/]+)\/buckets\/([^/]+)$/.exec(String(s.inputs.destination));
        if (!m) return [`${s.name}: destination ${JSON.stringify(s.inputs.destination)} is not a log bucket; its writer identity would need a grant the plan does not make`];
        const planned = plan.ofType("gcp:logging/projectBucketConfig:ProjectBucketConfig").some((b) => b.inputs.project === m[1] && b.inputs.location === m[2] && b.inputs.bucketId === m[3]);
        return m[1] !== s.inputs.project ? [`${s.name}: routes to project ${m[1]}, not its own (${s.inputs.project}); grant its writer identity roles/logging.bucketWriter there`] : planned ? [] : [`${s.name}: routes to ${m[3]}, which the plan does not create`];
      }),
  },
  {
    id: "versioning-excludes-retention",
    statement: "no bucket has both a retention policy and Object Versioning",
    reference: "Cloud Storage, Bucket Lock (retention policies and Object Versioning are mutually exclusive)",
    check: ({ plan }) => buckets(plan).filter((b) => b.inputs.retentionPolicy && b.inputs.versioning?.enabled === true).map((b) => `${b.name}: has a retention policy and versioning enabled; Cloud Storage refuses the pair`),
  },
  {
    id: "dual-region-placement",
    statement: "a configurable dual-region names two regions of its multi-region; turbo replication is for dual-regions only; its key lives in the multi-region",
    reference: "Cloud Storage, Bucket locations (configurable dual-regions); Turbo replication; Customer-managed encryption keys (key location)",
    check: ({ plan }) =>
      buckets(plan).flatMap((b) => {
        const found: string[] = [];
        const locations = (b.inputs.customPlacementConfig?.dataLocations ?? []) as string[];
        const multi = String(b.inputs.location).toUpperCase();
        if (locations.length > 0) {
          const prefix = { US: "US-", EU: "EUROPE-", ASIA: "ASIA-" }[multi];
          if (locations.length !== 2 || !prefix || locations.some((l) => !l.toUpperCase().startsWith(prefix))) found.push(`${b.name}: dataLocations ${JSON.stringify(locations)} are not two regions of ${multi}`);
          const keyLocation = String(b.inputs.encryption?.defaultKmsKeyName ?? "").split("/")[3];
          if (keyLocation && keyLocation !== multi.toLowerCase()) found.push(`${b.name}: its key is in ${keyLocation}, not the multi-region ${multi.toLowerCase()}`);
        } else if (b.inputs.rpo === "ASYNC_TURBO") found.push(`${b.name}: rpo ASYNC_TURBO on a bucket that is not a dual-region`);
        return found;
      }),
  },
  {
    id: "key-in-bucket-location",
    statement: "a regional bucket's default key is in the bucket's own region",
    reference: "Cloud Storage, Customer-managed encryption keys (the key must be in the same location as the data it encrypts)",
    check: ({ plan }) =>
      buckets(plan)
        .filter((b) => !b.inputs.customPlacementConfig && b.inputs.encryption?.defaultKmsKeyName)
        .filter((b) => String(b.inputs.encryption.defaultKmsKeyName).split("/")[3] !== String(b.inputs.location).toLowerCase())
        .map((b) => `${b.name}: located in ${b.inputs.location} under a key in ${String(b.inputs.encryption.defaultKmsKeyName).split("/")[3]}`),
  },
  {
    id: "soft-delete-range",
    statement: "soft delete is off (0) or between 7 and 90 days",
    reference: "Cloud Storage, Soft delete (retention duration 7 to 90 days, or 0 to disable)",
    check: ({ plan }) =>
      buckets(plan)
        .filter((b) => b.inputs.softDeletePolicy?.retentionDurationSeconds !== undefined)
        .filter((b) => {
          const s = Number(b.inputs.softDeletePolicy.retentionDurationSeconds);
          return s !== 0 && (s < 7 * DAY || s > 90 * DAY);
        })
        .map((b) => `${b.name}: soft delete of ${b.inputs.softDeletePolicy.retentionDurationSeconds}s is outside 7-90 days`),
  },
  {
    id: "retention-at-most-100-years",
    statement: "a bucket retention period is at most 3,155,760,000 seconds (100 years)",
    reference: "Cloud Storage, Bucket Lock (retention periods)",
    check: ({ plan }) => buckets(plan).filter((b) => Number(b.inputs.retentionPolicy?.retentionPeriod ?? 0) > 3_155_760_000).map((b) => `${b.name}: retentionPeriod ${b.inputs.retentionPolicy.retentionPeriod}s exceeds 100 years`),
  },
  {
    id: "locked-bucket-kept",
    statement: "a bucket with a locked retention policy cannot be deleted before every object has met its retention, so Pulumi must neither delete it nor expect to: protect and retainOnDelete",
    reference: "Cloud Storage, Bucket Lock (you cannot delete a bucket with a locked policy unless every object has met the retention period)",
    check: ({ plan }) => buckets(plan).filter((b) => b.inputs.retentionPolicy?.isLocked === true && !kept(b)).map((b) => `${b.name}: retention locked, but not protected and retained on delete; \`pulumi destroy\` would fail on it`),
  },
  {
    id: "locked-log-bucket-kept",
    statement: "a locked log bucket can only be deleted when empty: protect and retainOnDelete it",
    reference: "Cloud Logging API, LogBucket.locked (locked buckets may only be deleted if they are empty)",
    check: ({ plan }) => plan.ofType("gcp:logging/projectBucketConfig:ProjectBucketConfig").filter((b) => b.inputs.locked === true && !kept(b)).map((b) => `${b.name}: locked, but not protected and retained on delete`),
  },
  {
    id: "kms-keys-never-deleted",
    statement: "Cloud KMS key rings and keys cannot be deleted; outside a sandbox they are protected and retained, in a sandbox destroy leaves them (only the key's versions are destroyed)",
    reference: "Cloud KMS, Cloud KMS resources (key rings and keys cannot be deleted; key versions are destroyed)",
    check: ({ plan, config }) =>
      config.sandbox ? [] : [...plan.ofType("gcp:kms/keyRing:KeyRing"), ...plan.ofType("gcp:kms/cryptoKey:CryptoKey")].filter((r) => !kept(r)).map((r) => `${r.name}: not protected and retained on delete; Cloud KMS cannot delete it`),
  },
  {
    id: "key-destruction-delay",
    statement: "a destroyed key version is held at most 120 days before destruction (the program asks for the longest)",
    reference: "Cloud KMS, Destroy and restore key versions (scheduled-for-destruction duration, up to 120 days)",
    check: ({ plan }) => plan.ofType("gcp:kms/cryptoKey:CryptoKey").filter((k) => Number(String(k.inputs.destroyScheduledDuration ?? "0s").replace(/s$/, "")) > 120 * DAY).map((k) => `${k.name}: destroyScheduledDuration ${k.inputs.destroyScheduledDuration} exceeds 120 days`),
  },
  {
    id: "pubsub-limits",
    statement: "dead letters after 5-100 delivery attempts, ack deadlines up to 600 s, retry backoff up to 600 s",
    reference: "Pub/Sub API, Subscription (ackDeadlineSeconds max 600; DeadLetterPolicy.maxDeliveryAttempts 5-100; RetryPolicy maximumBackoff max 600s)",
    check: ({ plan }) =>
      plan.ofType("gcp:pubsub/subscription:Subscription").flatMap((s) => {
        const found: string[] = [];
        const attempts = s.inputs.deadLetterPolicy?.maxDeliveryAttempts;
        if (attempts !== undefined && (attempts < 5 || attempts > 100)) found.push(`${s.name}: maxDeliveryAttempts ${attempts} is outside 5-100`);
        if ((s.inputs.ackDeadlineSeconds ?? 10) > 600) found.push(`${s.name}: ackDeadlineSeconds ${s.inputs.ackDeadlineSeconds} exceeds 600`);
        if (Number(String(s.inputs.retryPolicy?.maximumBackoff ?? "600s").replace(/s$/, "")) > 600) found.push(`${s.name}: maximumBackoff ${s.inputs.retryPolicy.maximumBackoff} exceeds 600s`);
        return found;
      }),
  },
];

/** The types the deployer creates that need no permission of their own (Pulumi's own, components). */
const NOT_CLOUD = (type: string) => type.startsWith("pulumi:") || type.startsWith("email-journal:") || type === "pulumi:providers:gcp";

/** The deployer creating each planned resource: one contract per resource type, read off the plan. */
export function deployerContracts(plan: GcpPlan): { type: string; problem?: string }[] {
  const types = [...new Set(plan.resources.map((r) => r.type))].filter((t) => !NOT_CLOUD(t)).sort();
  return types.map((type) => (DEPLOYER_PERMISSIONS[type] ? { type } : { type, problem: `the deployer creates ${type}, but infra/gcp/deployer.ts names no permission for it: add it with its IAM reference page` }));
}

export interface ContractReport {
  /** Every contract checked: access contracts, rules, and the deployer's per resource type. */
  readonly checked: number;
  readonly problems: string[];
}

/** Checks every contract against the plan. */
export function checkContracts(ctx: ContractContext): ContractReport {
  const problems: string[] = [];
  for (const contract of ACCESS_CONTRACTS) {
    for (const need of contract.needs(ctx)) {
      const held = ctx.plan.permissionsOf(need.member, need.target);
      const missing = need.permissions.filter((p) => !held.has(p));
      if (missing.length > 0) problems.push(`${contract.id}: ${contract.caller} (${need.member}) cannot ${contract.action} on ${describeTarget(need.target)}: missing ${missing.join(", ")} [${contract.reference}]`);
    }
  }
  for (const rule of RULE_CONTRACTS) for (const problem of rule.check(ctx)) problems.push(`${rule.id}: ${problem} [${rule.reference}]`);
  const deployer = deployerContracts(ctx.plan);
  for (const d of deployer) if (d.problem) problems.push(`deployer: ${d.problem}`);
  return { checked: ACCESS_CONTRACTS.length + RULE_CONTRACTS.length + deployer.length, problems };
}
