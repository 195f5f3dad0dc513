// Every GCP resource rule: a compliant resource passes, and each way of breaking it fails with
// a message naming the resource, the property, the value found and the fix.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../policies/check/evaluate";
import { bucketHardened } from "../../../policies/gcp/bucket";
import { functionHardened } from "../../../policies/gcp/cloudFunction";
import { cryptoKeyRotation } from "../../../policies/gcp/cryptoKey";
import { customRoleLeastPrivilege } from "../../../policies/gcp/customRole";
import { iamNoPublicOrBroad } from "../../../policies/gcp/iamMembers";
import { logBucketLocked } from "../../../policies/gcp/logBucket";
import { bucketSoftDelete } from "../../../policies/gcp/softDelete";
import { topicCustomerKey } from "../../../policies/gcp/topic";
import { changed, type Fixture, REMOVE, resourceMessages } from "../helpers";

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
    logBucketLocked,
    { type: "gcp:logging/projectBucketConfig:ProjectBucketConfig", inputs: { locked: true, retentionDays: 2557 } },
    ["locked", false, "locked is false; set true"],
    ["retentionDays", 30, "retentionDays is 30; set at least 365"],
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
