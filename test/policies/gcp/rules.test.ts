// Every GCP resource rule: a compliant resource passes, and each way of breaking it fails with
// a message naming the resource, the property, the value found and the fix.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../infra/policyCheck/evaluate";
import { SANDBOX_TAG } from "../../../policies/shared/conventions";
import { gcpAlerts } from "../../../policies/gcp/alerts";
import { bucketHardened } from "../../../policies/gcp/bucket";
import { functionHardened } from "../../../policies/gcp/cloudFunction";
import { cryptoKeyRotation } from "../../../policies/gcp/cryptoKey";
import { cryptoKeyProtection } from "../../../policies/gcp/cryptoKeyProtection";
import { cryptoKeyUsers } from "../../../policies/gcp/cryptoKeyUsers";
import { customRoleLeastPrivilege } from "../../../policies/gcp/customRole";
import { functionBuildAccount } from "../../../policies/gcp/functionBuildAccount";
import { inboxFunctionInternal } from "../../../policies/gcp/functionIngress";
import { iamNoPublicOrBroad } from "../../../policies/gcp/iamMembers";
import { logBucketLocked } from "../../../policies/gcp/logBucket";
import { bucketSoftDelete } from "../../../policies/gcp/softDelete";
import { subscriptionNeverExpires } from "../../../policies/gcp/subscriptionExpiry";
import { topicCustomerKey } from "../../../policies/gcp/topic";
import { transferNeverOverwritesOrDeletes } from "../../../policies/gcp/transferJob";
import { changed, type Fixture, REMOVE, resourceMessages, stackMessages } from "../helpers";

type Case = [ResourceValidationPolicy, Fixture, ...[string, unknown, string][]];
const KEY = "projects/p/locations/us-east4/keyRings/journal/cryptoKeys/archive";

const cases: Case[] = [
  [
    bucketHardened,
    { type: "gcp:storage/bucket:Bucket", inputs: { name: "b", uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", forceDestroy: false, encryption: { defaultKmsKeyName: KEY } } },
    ["uniformBucketLevelAccess", false, "uniformBucketLevelAccess is false; set true"],
    ["publicAccessPrevention", "inherited", 'publicAccessPrevention is "inherited"; set "enforced"'],
    ["forceDestroy", true, "forceDestroy is true"],
    ["encryption", REMOVE, "encryption.defaultKmsKeyName is not set"],
  ],
  [
    cryptoKeyRotation,
    { type: "gcp:kms/cryptoKey:CryptoKey", inputs: { keyRing: "r", rotationPeriod: "7776000s" } },
    ["rotationPeriod", "63072000s", 'rotationPeriod is "63072000s"; set at most "31536000s" (365 days)'],
    ["rotationPeriod", REMOVE, "rotationPeriod is not set"],
  ],
  [
    iamNoPublicOrBroad,
    { type: "gcp:storage/bucketIAMMember:BucketIAMMember", inputs: { bucket: "b", role: "projects/p/roles/journalAuditor", member: "group:auditors@example.com" } },
    ["member", "allUsers", 'member is ["allUsers"]'],
    ["member", "allAuthenticatedUsers", 'member is ["allAuthenticatedUsers"]'],
    ["role", "roles/storage.objectAdmin", 'role is "roles/storage.objectAdmin"'],
    ["role", "roles/editor", 'role is "roles/editor"'],
  ],
  [
    customRoleLeastPrivilege,
    { type: "gcp:projects/iAMCustomRole:IAMCustomRole", inputs: { roleId: "journalIngestor", permissions: ["storage.objects.create", "storage.objects.list"] } },
    ["permissions", ["storage.objects.*"], 'permissions is ["storage.objects.*"]; list the exact permissions'],
    ["permissions", ["storage.objects.create", "storage.objects.delete"], 'permissions is ["storage.objects.delete"]; remove them'],
    ["permissions", ["storage.buckets.update"], 'permissions is ["storage.buckets.update"]'],
  ],
  [
    functionHardened,
    {
      type: "gcp:cloudfunctionsv2/function:Function",
      inputs: { buildConfig: { runtime: "nodejs22" }, serviceConfig: { serviceAccountEmail: "journal-ingestor@p.iam.gserviceaccount.com", ingressSettings: "ALLOW_INTERNAL_AND_GCLB", environmentVariables: { ARCHIVE_BUCKET: "b" } } },
    },
    ["buildConfig.runtime", "nodejs16", 'buildConfig.runtime is "nodejs16"'],
    ["serviceConfig.serviceAccountEmail", "123-compute@developer.gserviceaccount.com", "not the default compute account"],
    ["serviceConfig.environmentVariables.RELAY_SECRET", "x", "serviceConfig.environmentVariables.RELAY_SECRET is \"a plain value\""],
  ],
  [topicCustomerKey, { type: "gcp:pubsub/topic:Topic", inputs: { kmsKeyName: KEY } }, ["kmsKeyName", REMOVE, "kmsKeyName is not set"]],
  [
    bucketSoftDelete,
    { type: "gcp:storage/bucket:Bucket", inputs: { name: "b", softDeletePolicy: { retentionDurationSeconds: 7_776_000 } } },
    ["softDeletePolicy", { retentionDurationSeconds: 0 }, "softDeletePolicy.retentionDurationSeconds is 0; set at least 604800 (7 days); 0 turns soft delete off"],
    ["softDeletePolicy", { retentionDurationSeconds: 86_400 }, "softDeletePolicy.retentionDurationSeconds is 86400"],
  ],
  [
    cryptoKeyProtection,
    { type: "gcp:kms/cryptoKey:CryptoKey", inputs: { versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" }, destroyScheduledDuration: "10368000s" } },
    ["versionTemplate.protectionLevel", "SOFTWARE", 'versionTemplate.protectionLevel is "SOFTWARE"; set "HSM"'],
    ["destroyScheduledDuration", "2592000s", 'destroyScheduledDuration is "2592000s"; set "10368000s" (120 days, the longest)'],
    ["destroyScheduledDuration", REMOVE, "destroyScheduledDuration is not set"],
  ],
  [
    cryptoKeyUsers,
    { type: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", inputs: { cryptoKeyId: KEY, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: "serviceAccount:service-42@gs-project-accounts.iam.gserviceaccount.com" } },
    ["member", "serviceAccount:ej-ingestor-gcp-us-east4@p.iam.gserviceaccount.com", 'member is ["serviceAccount:ej-ingestor-gcp-us-east4@p.iam.gserviceaccount.com"]; grant the key only to the Cloud Storage, Pub/Sub and BigQuery service agents'],
    ["member", "group:auditors@example.com", 'member is ["group:auditors@example.com"]'],
    ["role", "roles/cloudkms.cryptoKeyDecrypter", 'role is "roles/cloudkms.cryptoKeyDecrypter"; grant "roles/cloudkms.cryptoKeyEncrypterDecrypter" only'],
  ],
  [
    functionBuildAccount,
    { type: "gcp:cloudfunctionsv2/function:Function", inputs: { buildConfig: { runtime: "nodejs22", serviceAccount: "projects/p/serviceAccounts/ej-build-gcp-us-east4@p.iam.gserviceaccount.com" } } },
    ["buildConfig.serviceAccount", REMOVE, "buildConfig.serviceAccount is not set; name the stack's build service account"],
    ["buildConfig.serviceAccount", "projects/p/serviceAccounts/123-compute@developer.gserviceaccount.com", 'buildConfig.serviceAccount is "projects/p/serviceAccounts/123-compute@developer.gserviceaccount.com"'],
    ["buildConfig.serviceAccount", "projects/p/serviceAccounts/123@cloudbuild.gserviceaccount.com", 'buildConfig.serviceAccount is "projects/p/serviceAccounts/123@cloudbuild.gserviceaccount.com"'],
  ],
  [
    inboxFunctionInternal,
    { type: "gcp:cloudfunctionsv2/function:Function", inputs: { buildConfig: { entryPoint: "ingestObject" }, serviceConfig: { ingressSettings: "ALLOW_INTERNAL_ONLY" } } },
    ["serviceConfig.ingressSettings", "ALLOW_ALL", 'serviceConfig.ingressSettings is "ALLOW_ALL"; set "ALLOW_INTERNAL_ONLY"'],
    ["serviceConfig.ingressSettings", REMOVE, "serviceConfig.ingressSettings is not set"],
  ],
  [
    subscriptionNeverExpires,
    { type: "gcp:pubsub/subscription:Subscription", inputs: { topic: "t", expirationPolicy: { ttl: "" } } },
    ["expirationPolicy", REMOVE, 'expirationPolicy is not set; set { ttl: "" }: otherwise Pub/Sub deletes the subscription after 31 idle days'],
    ["expirationPolicy.ttl", "2678400s", 'expirationPolicy is {"ttl":"2678400s"}'],
  ],
  [
    transferNeverOverwritesOrDeletes,
    { type: "gcp:storage/transferJob:TransferJob", inputs: { transferSpec: { transferOptions: { overwriteWhen: "NEVER", deleteObjectsUniqueInSink: false, deleteObjectsFromSourceAfterTransfer: false } } } },
    ["transferSpec.transferOptions.overwriteWhen", "DIFFERENT", 'transferSpec.transferOptions.overwriteWhen is "DIFFERENT"; set "NEVER"'],
    ["transferSpec.transferOptions.deleteObjectsUniqueInSink", true, "transferSpec.transferOptions.deleteObjectsUniqueInSink is true; set false"],
    ["transferSpec.transferOptions.deleteObjectsFromSourceAfterTransfer", true, "transferSpec.transferOptions.deleteObjectsFromSourceAfterTransfer is true; set false"],
  ],
];

describe.each(cases.map((c) => [c[0].name, c] as const))("%s", (_name, [policy, compliant, ...breaks]) => {
  it("passes the compliant resource", async () => {
    expect(await resourceMessages(policy, compliant)).toEqual([]);
  });

  it.each(breaks)("fails when %s is %j", async (path, value, expected) => {
    expect(await resourceMessages(policy, { ...compliant, inputs: changed(compliant.inputs, path, value) })).toEqual([expect.stringContaining(expected)]);
  });
});

it("counts a key unknown at preview as set, and still checks the rest of the bucket", async () => {
  const bucket = { type: "gcp:storage/bucket:Bucket", inputs: { name: "b", uniformBucketLevelAccess: false, publicAccessPrevention: "enforced", encryption: { defaultKmsKeyName: UNKNOWN } } };
  expect(await resourceMessages(bucketHardened, bucket)).toEqual([expect.stringContaining("uniformBucketLevelAccess is false")]);
});

it("lets a sandbox's buckets be force-destroyed and its key go unprotected, and nothing else", async () => {
  const sandboxBucket = { type: "gcp:storage/bucket:Bucket", inputs: { name: "b", uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", forceDestroy: true, encryption: { defaultKmsKeyName: KEY }, labels: { [SANDBOX_TAG]: "true" } } };
  expect(await resourceMessages(bucketHardened, sandboxBucket)).toEqual([]);
  expect(await resourceMessages(bucketHardened, { ...sandboxBucket, inputs: changed(sandboxBucket.inputs, "publicAccessPrevention", "inherited") })).toEqual([expect.stringContaining("publicAccessPrevention")]);
  expect(await resourceMessages(bucketHardened, { ...sandboxBucket, inputs: changed(sandboxBucket.inputs, `labels`, {}) })).toEqual([expect.stringContaining("forceDestroy is true")]);
  const key = { type: "gcp:kms/cryptoKey:CryptoKey", inputs: { rotationPeriod: "7776000s", labels: { [SANDBOX_TAG]: "true" } }, protect: false };
  expect(await resourceMessages(cryptoKeyRotation, key)).toEqual([]);
  expect(await resourceMessages(cryptoKeyRotation, { ...key, inputs: { rotationPeriod: "7776000s" } })).toEqual([expect.stringContaining("the protect option is false")]);
});

describe("gcp-log-bucket-locked", () => {
  const logBucket = (inputs: Record<string, unknown>): Fixture => ({ type: "gcp:logging/projectBucketConfig:ProjectBucketConfig", name: "audit", inputs });
  const archive = (labels: Record<string, string>): Fixture => ({ type: "gcp:storage/bucket:Bucket", name: "archive", inputs: { name: "a", labels } });

  it("passes a locked log bucket kept for the retention", async () => {
    expect(await stackMessages(logBucketLocked, [logBucket({ locked: true, retentionDays: 2557 })])).toEqual([]);
  });

  it.each([
    [{ locked: false, retentionDays: 2557 }, "audit: locked is false; set true"],
    [{ retentionDays: 2557 }, "audit: locked is not set; set true"],
    [{ locked: true, retentionDays: 30 }, "audit: retentionDays is 30; set at least 365"],
  ])("fails %j", async (inputs, expected) => {
    expect(await stackMessages(logBucketLocked, [archive({}), logBucket(inputs)])).toEqual([expect.stringContaining(expected)]);
  });

  it("lets a sandbox's log bucket stay unlocked, but not keep logs for less", async () => {
    expect(await stackMessages(logBucketLocked, [archive({ [SANDBOX_TAG]: "true" }), logBucket({ locked: false, retentionDays: 365 })])).toEqual([]);
    expect(await stackMessages(logBucketLocked, [archive({ [SANDBOX_TAG]: "true" }), logBucket({ locked: false, retentionDays: 30 })])).toEqual([expect.stringContaining("retentionDays is 30")]);
  });
});

describe("gcp-alerts-errors-and-denials", () => {
  const fn: Fixture = { type: "gcp:cloudfunctionsv2/function:Function", name: "ingestor", inputs: {} };
  const archive: Fixture = { type: "gcp:storage/bucket:Bucket", name: "archive", inputs: { name: "a", labels: { "journal-store": "archive" } } };
  const alert = (name: string, filter: string, channels = ["projects/p/notificationChannels/1"]): Fixture => ({
    type: "gcp:monitoring/alertPolicy:AlertPolicy",
    name,
    inputs: { conditions: [{ displayName: name, conditionMatchedLog: { filter } }], notificationChannels: channels },
  });
  const errors = alert("errors", 'resource.type="cloud_run_revision" AND resource.labels.service_name=("f") AND severity>=ERROR');
  const denied = alert("denied", 'logName:"cloudaudit.googleapis.com" AND resource.type="gcs_bucket" AND resource.labels.bucket_name="a" AND protoPayload.status.code=7');

  it("passes a stack alerting on both", async () => {
    expect(await stackMessages(gcpAlerts, [fn, archive, errors, denied])).toEqual([]);
  });

  it.each([
    ["the error alert is missing", [fn, archive, denied], "ingestor: no alert policy with a notification channel watches its errors"],
    ["the denial alert is missing", [fn, archive, errors], "archive: no alert policy with a notification channel watches denied requests to it"],
    ["the denial alert tells nobody", [fn, archive, errors, alert("denied", 'resource.type="gcs_bucket" AND protoPayload.status.code=7', [])], "archive: no alert policy"],
  ])("fails when %s", async (_what, fixtures, expected) => {
    expect(await stackMessages(gcpAlerts, fixtures)).toEqual([expect.stringContaining(expected)]);
  });
});
