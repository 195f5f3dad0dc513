// The pack on the GCP primary the program really builds (Pulumi.gcp-us-east4.yaml under
// mocks): no violation as it stands, and every misconfiguration that matters caught.
import { beforeAll } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { drop, edit, type Mutation, packCatches, type Resources } from "../mutations";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-east4");
});

const BUCKET = "gcp:storage/bucket:Bucket";
const archive = (change: (inputs: any) => void) => (r: Resources) => edit(r, BUCKET, "archive", change);

const mutations: Mutation[] = [
  ["retention unlocked", archive((i) => (i.retentionPolicy.isLocked = false)), "archive-store-worm-and-key"],
  ["retention shortened", archive((i) => (i.retentionPolicy.retentionPeriod = String(365 * 86_400))), "archive-store-worm-and-key"],
  ["retention removed", archive((i) => delete i.retentionPolicy), "archive-store-worm-and-key"],
  ["lifecycle deletes before the retention", archive((i) => (i.lifecycleRules.at(-1).condition.age = 400)), "archive-lifecycle-respects-retention"],
  ["no deletion at the end (GDPR)", archive((i) => (i.lifecycleRules = i.lifecycleRules.filter((rule: any) => rule.action.type !== "Delete"))), "archive-lifecycle-respects-retention"],
  ["archive not protected", (r) => edit(r, BUCKET, "archive", () => undefined, { protect: false }), "archive-store-worm-and-key"],
  ["Google-managed key", archive((i) => delete i.encryption), "archive-store-worm-and-key"],
  ["key rotation off", (r) => edit(r, "gcp:kms/cryptoKey:CryptoKey", "key", (i) => delete i.rotationPeriod), "gcp-kms-key-rotation"],
  ["public access prevention inherited", (r) => edit(r, BUCKET, "inbox", (i) => (i.publicAccessPrevention = "inherited")), "gcp-storage-bucket-hardened"],
  ["object ACLs allowed", archive((i) => (i.uniformBucketLevelAccess = false)), "gcp-storage-bucket-hardened"],
  ["soft delete off", archive((i) => (i.softDeletePolicy.retentionDurationSeconds = 0)), "gcp-storage-soft-delete"],
  ["bucket force-destroyable", (r) => edit(r, BUCKET, "source", (i) => (i.forceDestroy = true)), "gcp-storage-bucket-hardened"],
  ["archive readable by allUsers", (r) => edit(r, "gcp:storage/bucketIAMMember:BucketIAMMember", "auditor-access", (i) => (i.member = "allUsers")), "gcp-iam-no-public-or-broad-roles"],
  ["objectAdmin for the ingestor", (r) => edit(r, "gcp:storage/bucketIAMMember:BucketIAMMember", "ingestor-archive-access", (i) => (i.role = "roles/storage.objectAdmin")), "gcp-iam-no-public-or-broad-roles"],
  ["ingestor may delete", (r) => edit(r, "gcp:projects/iAMCustomRole:IAMCustomRole", "ingestor-archive", (i) => i.permissions.push("storage.objects.delete")), "gcp-custom-role-least-privilege"],
  ["wildcard permission", (r) => edit(r, "gcp:projects/iAMCustomRole:IAMCustomRole", "auditor", (i) => (i.permissions = ["storage.objects.*"])), "gcp-custom-role-least-privilege"],
  ["data-access audit off", (r) => drop(r, "gcp:projects/iAMAuditConfig:IAMAuditConfig", "storage"), "archive-audit-logging"],
  ["key use not audited", (r) => drop(r, "gcp:projects/iAMAuditConfig:IAMAuditConfig", "kms"), "archive-audit-logging"],
  ["reads not audited", (r) => edit(r, "gcp:projects/iAMAuditConfig:IAMAuditConfig", "storage", (i) => (i.auditLogConfigs = [{ logType: "DATA_WRITE" }])), "archive-audit-logging"],
  ["log bucket unlocked", (r) => edit(r, "gcp:logging/projectBucketConfig:ProjectBucketConfig", "audit", (i) => (i.locked = false)), "gcp-log-bucket-locked"],
  ["audit logs kept 30 days", (r) => edit(r, "gcp:logging/projectBucketConfig:ProjectBucketConfig", "audit", (i) => (i.retentionDays = 30)), "gcp-log-bucket-locked"],
  ["replication removed", (r) => drop(r, "gcp:storage/transferJob:TransferJob"), "archive-replicated-to-another-region"],
  ["replication disabled", (r) => edit(r, "gcp:storage/transferJob:TransferJob", "replication", (i) => (i.status = "DISABLED")), "archive-replicated-to-another-region"],
  ["dead letter removed", (r) => edit(r, "gcp:pubsub/subscription:Subscription", "inbox-subscription", (i) => delete i.deadLetterPolicy), "ingestor-dead-letter-alerted"],
  ["dead-letter alert removed", (r) => drop(r, "gcp:monitoring/alertPolicy:AlertPolicy", "dead-letters"), "ingestor-dead-letter-alerted"],
  ["topic under a Google key", (r) => edit(r, "gcp:pubsub/topic:Topic", "inbox-topic", (i) => delete i.kmsKeyName), "gcp-pubsub-customer-key"],
  ["function as the default compute account", (r) => edit(r, "gcp:cloudfunctionsv2/function:Function", "http-function", (i) => (i.serviceConfig.serviceAccountEmail = "123456789012-compute@developer.gserviceaccount.com")), "gcp-function-ingestor-hardened"],
  ["function on an old runtime", (r) => edit(r, "gcp:cloudfunctionsv2/function:Function", "object-function", (i) => (i.buildConfig.runtime = "nodejs16")), "gcp-function-ingestor-hardened"],
  ["standby pull subscription may expire (finding 11)", (r) => edit(r, "gcp:pubsub/subscription:Subscription", "inbox-subscription", (i) => delete i.expirationPolicy), "gcp-pubsub-subscription-never-expires"],
  ["dead-letter hold expires after 31 days", (r) => edit(r, "gcp:pubsub/subscription:Subscription", "dead-letter-subscription", (i) => (i.expirationPolicy = { ttl: "2678400s" })), "gcp-pubsub-subscription-never-expires"],
  ["functions built by the project default account (finding 13)", (r) => edit(r, "gcp:cloudfunctionsv2/function:Function", "http-function", (i) => delete i.buildConfig.serviceAccount), "gcp-function-build-account"],
  ["inbox function open to the internet", (r) => edit(r, "gcp:cloudfunctionsv2/function:Function", "object-function", (i) => (i.serviceConfig.ingressSettings = "ALLOW_ALL")), "gcp-function-inbox-internal-only"],
  ["software key", (r) => edit(r, "gcp:kms/cryptoKey:CryptoKey", "key", (i) => (i.versionTemplate.protectionLevel = "SOFTWARE")), "gcp-kms-key-hsm-destruction-delay"],
  ["key destroyed after the 30-day default", (r) => edit(r, "gcp:kms/cryptoKey:CryptoKey", "key", (i) => delete i.destroyScheduledDuration), "gcp-kms-key-hsm-destruction-delay"],
  ["ingestor may use the key directly", (r) => edit(r, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "key-storage", (i) => (i.member = "serviceAccount:ej-ingestor-gcp-us-east4@acme-journal-gcp-us-east4.iam.gserviceaccount.com")), "gcp-kms-key-service-agents-only"],
  ["replication overwrites the standby's copy", (r) => edit(r, "gcp:storage/transferJob:TransferJob", "replication", (i) => (i.transferSpec.transferOptions.overwriteWhen = "DIFFERENT")), "gcp-transfer-never-overwrites-or-deletes"],
  ["replication deletes in the standby's archive", (r) => edit(r, "gcp:storage/transferJob:TransferJob", "replication", (i) => (i.transferSpec.transferOptions.deleteObjectsUniqueInSink = true)), "gcp-transfer-never-overwrites-or-deletes"],
  ["no alert on ingestor errors", (r) => drop(r, "gcp:monitoring/alertPolicy:AlertPolicy", "ingestor-failures"), "gcp-alerts-errors-and-denials"],
  ["no alert on denied archive access", (r) => drop(r, "gcp:monitoring/alertPolicy:AlertPolicy", "denied-archive-access"), "gcp-alerts-errors-and-denials"],
  ["a sandbox label does not unlock a real stack's log bucket", (r) => edit(r, "gcp:logging/projectBucketConfig:ProjectBucketConfig", "audit", (i) => (i.locked = false)), "gcp-log-bucket-locked"],
];

packCatches("gcp primary", () => run, mutations, 45);
