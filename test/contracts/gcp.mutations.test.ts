// The contracts suite catches findings 11-13 (and the push account's token grant): each is removed
// from a copy of the primary's plan the program built, and the suite must fail naming Google's page.
import { beforeAll, expect, it } from "vitest";
import type { RecordedResource } from "../../infra/policyCheck/mockRun";
import { checkContracts } from "./gcpContracts";
import { type PlannedStack, planStack } from "./gcpSuite";

let planned: PlannedStack;
beforeAll(async () => {
  planned = await planStack("gcp-us-east4");
});

type Resources = readonly RecordedResource[];
const edit = (resources: Resources, type: string, name: string, change: (inputs: any) => void): Resources =>
  resources.map((r) => {
    if (r.type !== type || !r.name.includes(name)) return r;
    const inputs = structuredClone(r.inputs);
    change(inputs);
    return { ...r, inputs };
  });
const drop = (resources: Resources, type: string, name: string): Resources => resources.filter((r) => r.type !== type || !r.name.includes(name));
const problems = (resources: Resources) => checkContracts(planned.context(resources)).problems;

const SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
const FUNCTION = "gcp:cloudfunctionsv2/function:Function";

it("passes the plan as built", () => {
  expect(problems(planned.run.resources)).toEqual([]);
});

it.each([
  ["the standby's delivery subscription", "inbox-subscription"],
  ["the dead-letter hold subscription", "dead-letter-subscription"],
  ["the transfer's event subscription", "archive-changes-subscription"],
])("finding 11: fails when %s may expire", (_what, name) => {
  const found = problems(edit(planned.run.resources, SUBSCRIPTION, name, (i) => delete i.expirationPolicy));
  expect(found).toEqual([expect.stringMatching(new RegExp(`^subscriptions-never-expire: journal-${name}: expirationPolicy is "not set".*Pub/Sub API, Subscription.expirationPolicy`))]);
});

it("finding 12: fails when the transfer agent cannot get objects in the sink, as overwriteWhen NEVER needs", () => {
  const found = problems(drop(planned.run.resources, "gcp:storage/bucketIAMMember:BucketIAMMember", "transfer-sink-object-reader"));
  expect(found).toEqual([expect.stringContaining("transfer-sink: the Storage Transfer service agent")]);
  expect(found[0]).toContain("on bucket acme-journal-gcp-us-central1-journal-archive-gcp-us-central1: missing storage.objects.get [Storage Transfer Service, Configure access to a sink: Cloud Storage");
});

it("finding 13: fails when the functions name no build account, or it lacks a documented role", () => {
  const noAccount = problems(edit(planned.run.resources, FUNCTION, "function", (i) => delete i.buildConfig.serviceAccount));
  expect(noAccount).toEqual(expect.arrayContaining([expect.stringMatching(/^build-account-set: journal-http-function: buildConfig.serviceAccount is "not set".*Cloud Build Service Account Change/)]));
  const noLogs = problems(drop(planned.run.resources, "gcp:projects/iAMMember:IAMMember", "build-log-writer"));
  expect(noLogs).toEqual([expect.stringMatching(/^build-logs: .*missing logging\.logEntries\.create \[Cloud Run functions, Custom Service Account for Cloud Build/)]);
  const noImages = problems(drop(planned.run.resources, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "build-image-writer"));
  expect(noImages).toHaveLength(2);
  for (const p of noImages) expect(p).toMatch(/^build-images: .*missing artifactregistry\.repositories\.uploadArtifacts/);
  const noDeployedSource = problems(drop(planned.run.resources, "gcp:projects/iAMMember:IAMMember", "build-deployed-source-reader"));
  expect(noDeployedSource).toHaveLength(2);
  for (const p of noDeployedSource) expect(p).toMatch(/^build-source: .*on bucket gcf-v2-sources-\d+-us-east4: missing storage\.objects\.get/);
});

it("fails when the build account's deployed-source grant is not confined to Cloud Functions' source bucket", () => {
  const widened = edit(planned.run.resources, "gcp:projects/iAMMember:IAMMember", "build-deployed-source-reader", (i) => (i.condition.expression = 'resource.name.startsWith("projects/_/buckets/")'));
  const plan = planned.context(widened).plan;
  // A project-wide read would reach the archive: the contracts' view says so.
  expect(plan.holders("storage.objects.get", { kind: "bucket", bucket: "acme-journal-gcp-us-east4-journal-archive-gcp-us-east4" })).toContain("serviceAccount:ej-build-gcp-us-east4@acme-journal-gcp-us-east4.iam.gserviceaccount.com");
  expect(planned.context().plan.holders("storage.objects.get", { kind: "bucket", bucket: "acme-journal-gcp-us-east4-journal-archive-gcp-us-east4" })).toEqual([
    "serviceAccount:ej-auditor-gcp-us-east4@acme-journal-gcp-us-east4.iam.gserviceaccount.com",
    "serviceAccount:ej-hold-admin-gcp-us-east4@acme-journal-gcp-us-east4.iam.gserviceaccount.com",
    "serviceAccount:project-123456789012@storage-transfer-service.iam.gserviceaccount.com",
  ]);
});

it("fails when Pub/Sub may not sign the push account's token, or the push account may not invoke", () => {
  expect(problems(drop(planned.run.resources, "gcp:serviceaccount/iAMMember:IAMMember", "push-token-creator"))).toEqual([expect.stringMatching(/^push-oidc-token: .*missing iam\.serviceAccounts\.getOpenIdToken \[Pub\/Sub, Authentication for push subscriptions/)]);
  expect(problems(drop(planned.run.resources, "gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "push-invoker"))).toEqual([expect.stringMatching(/^push-invoke: .*Cloud Run service us-east4\/journal-ingest-object-gcp-us-east4: missing run\.routes\.invoke/)]);
});

it("fails when a service agent loses the key, or the ingestor its create-only write", () => {
  expect(problems(drop(planned.run.resources, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "key-storage"))).toHaveLength(3);
  const ingestor = problems(edit(planned.run.resources, "gcp:projects/iAMCustomRole:IAMCustomRole", "ingestor-archive", (i) => (i.permissions = ["storage.objects.list"])));
  expect(ingestor).toHaveLength(2);
  for (const p of ingestor) expect(p).toMatch(/^ingestor-archive-create: .*missing storage\.objects\.create \[Cloud Storage, IAM permissions for JSON methods/);
});

it("fails when the plan grants a role whose permissions are not recorded, rather than assume them", () => {
  const unknown = edit(planned.run.resources, "gcp:storage/bucketIAMMember:BucketIAMMember", "ingestor-inbox-access", (i) => (i.role = "roles/storage.objectUser"));
  expect(() => checkContracts(planned.context(unknown))).toThrow("the plan grants roles/storage.objectUser, which test/contracts/gcpRoles.ts does not record");
});

it("fails when the plan creates a type the deployer's permissions do not cover, and on a lifecycle Google refuses", () => {
  const extra: RecordedResource = { type: "gcp:compute/network:Network", name: "journal-net", urn: "urn:x", inputs: {}, options: {} };
  expect(problems([...planned.run.resources, extra])).toEqual([expect.stringContaining("deployer: the deployer creates gcp:compute/network:Network, but infra/gcp/deployer.ts names no permission for it")]);
  const unprotected = planned.run.resources.map((r) => (r.type === "gcp:storage/bucket:Bucket" && r.name.includes("archive") ? { ...r, options: {} } : r));
  expect(problems(unprotected)).toEqual([expect.stringMatching(/^locked-bucket-kept: journal-archive: retention locked, but not protected.*Bucket Lock/)]);
  const versioned = edit(planned.run.resources, "gcp:storage/bucket:Bucket", "archive", (i) => (i.versioning = { enabled: true }));
  expect(problems(versioned)).toEqual([expect.stringMatching(/^versioning-excludes-retention: journal-archive/)]);
});

it("fails when the people's trail grant is not confined to audit/, or is gone", () => {
  const widened = edit(planned.run.resources, "gcp:storage/bucketIAMMember:BucketIAMMember", "auditor-trail-access", (i) => delete i.condition);
  expect(problems(widened)).toEqual([expect.stringMatching(/^people-write-only-the-trail: serviceAccount:ej-auditor-gcp-us-east4@.* may create messages\/2026\/01\/01\/0a\.eml in .*DESIGN\.md, least-privilege roles/)].concat([expect.stringContaining("may create meta/"), expect.stringContaining("may create any object")]));
  const gone = problems(drop(planned.run.resources, "gcp:storage/bucketIAMMember:BucketIAMMember", "hold-admin-trail-access"));
  expect(gone).toEqual([expect.stringMatching(/^hold-admin-writes-trail: .*object audit\/2026\/01\/01\/.* missing storage\.objects\.create \[Cloud Storage, IAM permissions for JSON methods/)]);
});
