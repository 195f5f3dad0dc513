// The GCP primary (Pulumi.gcp-us-east4.yaml) under Pulumi mocks: every row of the GCP
// column of DESIGN.md's capability matrix, asserted on the inputs the program gives Google Cloud.
import { beforeAll, describe, expect, it } from "vitest";
import { readGcpSettings } from "../../../functions/gcp/settings";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { roleState } from "../../helpers/roleState";
import { PROJECT_NUMBER } from "../../../infra/policyCheck/mocks/gcp";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-east4");
});

const PROJECT = "acme-journal-gcp-us-east4";
const DAY = 86_400;
const bucket = (part: string) => run.one("gcp:storage/bucket:Bucket", part);
// Registration order is not the program's order: compare sorted lists.
const members = (type: string) => run.ofType(type).map((r) => [r.name, r.inputs.role, r.inputs.member]).sort();

describe("the GCP the primary stack", () => {
  it("keeps the archive in a bucket with a locked retention policy at the minimum, protected and retained", () => {
    const archive = bucket("archive");
    expect(archive.inputs).toMatchObject({
      name: `${PROJECT}-journal-archive-gcp-us-east4`,
      location: "US-EAST4",
      retentionPolicy: { retentionPeriod: String(2557 * DAY), isLocked: true },
      versioning: { enabled: false },
      labels: { "journal-store": "archive", role: "primary", stack: "gcp-us-east4", "data-classification": "restricted" },
    });
    expect(archive.options).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("hardens every bucket: uniform access, public access prevention, the stack's CMEK key, soft delete, no force destroy", () => {
    const key = run.one("gcp:kms/cryptoKey:CryptoKey");
    const keyId = `projects/${PROJECT}/locations/us-east4/keyRings/email-journal-gcp-us-east4/cryptoKeys/archive`;
    expect(run.ofType("gcp:storage/bucket:Bucket").map((b) => b.name).sort()).toEqual(["journal-archive", "journal-inbox", "journal-source"]);
    for (const b of run.ofType("gcp:storage/bucket:Bucket")) {
      expect(b.inputs, b.name).toMatchObject({ uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", encryption: { defaultKmsKeyName: keyId }, softDeletePolicy: { retentionDurationSeconds: 90 * DAY }, forceDestroy: false });
    }
    expect(key.inputs).toMatchObject({ rotationPeriod: `${365 * DAY}s`, purpose: "ENCRYPT_DECRYPT", versionTemplate: { protectionLevel: "HSM" } });
    expect(key.options).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("lets only the Cloud Storage, Pub/Sub and BigQuery service agents use the key", () => {
    expect(members("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")).toEqual([
      ["journal-key-bigquery", "roles/cloudkms.cryptoKeyEncrypterDecrypter", `serviceAccount:bq-${PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com`],
      ["journal-key-pubsub", "roles/cloudkms.cryptoKeyEncrypterDecrypter", `serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`],
      ["journal-key-storage", "roles/cloudkms.cryptoKeyEncrypterDecrypter", `serviceAccount:service-${PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`],
    ]);
  });

  it("tiers to Nearline, Coldline and Archive at the configured ages and deletes at the maximum retention", () => {
    expect(bucket("archive").inputs.lifecycleRules).toEqual([
      { action: { type: "SetStorageClass", storageClass: "NEARLINE" }, condition: { age: 30 } },
      { action: { type: "SetStorageClass", storageClass: "COLDLINE" }, condition: { age: 90 } },
      { action: { type: "SetStorageClass", storageClass: "ARCHIVE" }, condition: { age: 365 } },
      { action: { type: "Delete" }, condition: { age: 2922 } },
    ]);
  });

  it("gives each identity exact permissions on one bucket: the ingestor creates and lists, never reads or deletes archive objects", () => {
    const roles = Object.fromEntries(run.ofType("gcp:projects/iAMCustomRole:IAMCustomRole").map((r) => [r.inputs.roleId, r.inputs.permissions]));
    expect(roles).toEqual({
      emailJournal_ingestor_archive_gcp_us_east4: ["storage.objects.create", "storage.objects.list"],
      emailJournal_auditor_gcp_us_east4: ["storage.objects.get", "storage.objects.list", "storage.buckets.get"],
      emailJournal_hold_admin_gcp_us_east4: ["storage.objects.get", "storage.objects.list", "storage.objects.update"],
      emailJournal_searchJobs_gcp_us_east4: ["bigquery.jobs.create"],
      emailJournal_audit_trail_writer_gcp_us_east4: ["storage.objects.create"],
    });
    const sa = (id: string) => `serviceAccount:ej-${id}-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`;
    expect(run.ofType("gcp:storage/bucketIAMMember:BucketIAMMember").filter((m) => !m.name.includes("transfer") && !m.name.includes("build")).map((m) => [m.inputs.bucket, m.inputs.role, m.inputs.member]).sort()).toEqual([
      [`${PROJECT}-journal-archive-gcp-us-east4`, `projects/${PROJECT}/roles/emailJournal_audit_trail_writer_gcp_us_east4`, sa("auditor")],
      [`${PROJECT}-journal-archive-gcp-us-east4`, `projects/${PROJECT}/roles/emailJournal_audit_trail_writer_gcp_us_east4`, sa("hold-admin")],
      [`${PROJECT}-journal-archive-gcp-us-east4`, `projects/${PROJECT}/roles/emailJournal_auditor_gcp_us_east4`, sa("auditor")],
      [`${PROJECT}-journal-archive-gcp-us-east4`, `projects/${PROJECT}/roles/emailJournal_hold_admin_gcp_us_east4`, sa("hold-admin")],
      [`${PROJECT}-journal-archive-gcp-us-east4`, `projects/${PROJECT}/roles/emailJournal_ingestor_archive_gcp_us_east4`, sa("ingestor")],
      [`${PROJECT}-journal-inbox-gcp-us-east4`, "roles/storage.objectViewer", sa("ingestor")],
    ]);
  });

  it("lets the auditor and hold-admin accounts create objects under audit/ only (the auditor's trail), by an IAM condition", () => {
    const trail = run.ofType("gcp:storage/bucketIAMMember:BucketIAMMember").filter((m) => String(m.inputs.role).includes("audit_trail_writer"));
    expect(trail).toHaveLength(2);
    for (const m of trail) {
      expect(m.inputs.condition, m.name).toMatchObject({ title: "audit-trail-only", expression: `resource.name.startsWith("projects/_/buckets/${PROJECT}-journal-archive-gcp-us-east4/objects/audit/")` });
    }
  });

  it("lets people act only by impersonating the auditor or hold-admin service account, and Pub/Sub sign its pushes as the push account", () => {
    expect(run.ofType("gcp:serviceaccount/iAMMember:IAMMember").map((m) => [m.inputs.serviceAccountId, m.inputs.role, m.inputs.member]).sort()).toEqual([
      [`projects/${PROJECT}/serviceAccounts/ej-auditor-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`, "roles/iam.serviceAccountTokenCreator", "group:journal-auditors@example.com"],
      [`projects/${PROJECT}/serviceAccounts/ej-hold-admin-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`, "roles/iam.serviceAccountTokenCreator", "group:journal-legal-holds@example.com"],
      [`projects/${PROJECT}/serviceAccounts/ej-push-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`, "roles/iam.serviceAccountTokenCreator", `serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`],
    ]);
  });

  it("builds both functions as the stack's own build account, which can write its logs, push images to its repository and read the source (finding 13)", () => {
    const build = `ej-build-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`;
    const repository = `projects/${PROJECT}/locations/us-east4/repositories/email-journal-ingestor-gcp-us-east4`;
    for (const f of run.ofType("gcp:cloudfunctionsv2/function:Function")) {
      expect(f.inputs.buildConfig, f.name).toMatchObject({ serviceAccount: `projects/${PROJECT}/serviceAccounts/${build}`, dockerRepository: repository });
    }
    expect(run.ofType("gcp:serviceaccount/account:Account").map((a) => a.inputs.accountId)).toContain("ej-build-gcp-us-east4");
    expect(run.one("gcp:artifactregistry/repository:Repository").inputs).toMatchObject({ project: PROJECT, location: "us-east4", repositoryId: "email-journal-ingestor-gcp-us-east4", format: "DOCKER" });
    const member = `serviceAccount:${build}`;
    const projectGrants = run.ofType("gcp:projects/iAMMember:IAMMember").filter((m) => m.inputs.member === member);
    expect(projectGrants.map((m) => [m.inputs.role, m.inputs.condition?.expression]).sort()).toEqual([
      ["roles/logging.logWriter", undefined],
      ["roles/storage.objectViewer", `resource.name.startsWith("projects/_/buckets/gcf-v2-sources-${PROJECT_NUMBER}-us-east4")`],
    ]);
    expect(run.one("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").inputs).toMatchObject({ repository: "email-journal-ingestor-gcp-us-east4", location: "us-east4", role: "roles/artifactregistry.writer", member });
    expect(run.one("gcp:storage/bucketIAMMember:BucketIAMMember", "build-source-reader").inputs).toMatchObject({ bucket: `${PROJECT}-journal-source-gcp-us-east4`, role: "roles/storage.objectViewer", member });
  });

  it("runs both functions on Node 22 as the ingestor's own account, with the settings the function reads", () => {
    const functions = run.ofType("gcp:cloudfunctionsv2/function:Function").sort((a, b) => a.inputs.name.localeCompare(b.inputs.name));
    expect(functions.map((f) => [f.inputs.name, f.inputs.buildConfig.entryPoint])).toEqual([
      ["journal-ingest-http-gcp-us-east4", "ingestHttp"],
      ["journal-ingest-object-gcp-us-east4", "ingestObject"],
    ]);
    for (const f of functions) {
      expect(f.inputs).toMatchObject({ location: "us-east4", buildConfig: { runtime: "nodejs22", source: { storageSource: { bucket: `${PROJECT}-journal-source-gcp-us-east4`, object: expect.stringMatching(/^ingestor-[0-9a-f]{16}\.zip$/) } } } });
      expect(f.inputs.serviceConfig.serviceAccountEmail).toBe(`ej-ingestor-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`);
      expect(f.inputs.eventTrigger).toBeUndefined();
      expect(readGcpSettings(f.inputs.serviceConfig.environmentVariables)).toMatchObject({ archiveBucket: `${PROJECT}-journal-archive-gcp-us-east4`, inboxBucket: `${PROJECT}-journal-inbox-gcp-us-east4`, retentionDays: 2557, maxMessageBytes: 157286400 });
    }
    expect(functions[1].inputs.serviceConfig.ingressSettings).toBe("ALLOW_INTERNAL_ONLY");
  });

  it("lets only the configured relays invoke the HTTP intake, and only the push identity the inbox function", () => {
    expect(run.ofType("gcp:cloudrunv2/serviceIamMember:ServiceIamMember").map((m) => [m.inputs.name, m.inputs.role, m.inputs.member]).sort()).toEqual([
      ["journal-ingest-http-gcp-us-east4", "roles/run.invoker", "serviceAccount:mail-relay@acme-mail.iam.gserviceaccount.com"],
      ["journal-ingest-object-gcp-us-east4", "roles/run.invoker", `serviceAccount:ej-push-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`],
    ]);
    expect(run.outputs.intakeUrl).toBe(`https://us-east4-${PROJECT}.cloudfunctions.net/journal-ingest-http-gcp-us-east4`);
  });

  it("delivers inbox object-finalize notifications by push, retrying with backoff, then to a dead-letter topic that is held and alerted", () => {
    expect(run.one("gcp:storage/notification:Notification", "inbox").inputs).toMatchObject({ bucket: `${PROJECT}-journal-inbox-gcp-us-east4`, eventTypes: ["OBJECT_FINALIZE"], payloadFormat: "JSON_API_V1" });
    const delivery = run.one("gcp:pubsub/subscription:Subscription", "inbox-subscription").inputs;
    expect(delivery).toMatchObject({
      topic: `projects/${PROJECT}/topics/email-journal-inbox-gcp-us-east4`,
      retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
      deadLetterPolicy: { deadLetterTopic: `projects/${PROJECT}/topics/email-journal-dead-letters-gcp-us-east4`, maxDeliveryAttempts: 10 },
      pushConfig: {
        pushEndpoint: `https://us-east4-${PROJECT}.cloudfunctions.net/journal-ingest-object-gcp-us-east4/projects/${PROJECT}/topics/email-journal-inbox-gcp-us-east4`,
        oidcToken: { serviceAccountEmail: `ej-push-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com` },
      },
    });
    expect(run.one("gcp:pubsub/subscription:Subscription", "dead-letter-subscription").inputs.topic).toBe(`projects/${PROJECT}/topics/email-journal-dead-letters-gcp-us-east4`);
    for (const topic of run.ofType("gcp:pubsub/topic:Topic")) expect(topic.inputs.kmsKeyName, topic.name).toMatch(/cryptoKeys\/archive$/);
    const pubsubAgent = `serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    expect(run.one("gcp:pubsub/topicIAMMember:TopicIAMMember", "dead-letter-publisher").inputs).toMatchObject({ role: "roles/pubsub.publisher", member: pubsubAgent });
  });

  it("keeps every subscription however long it stays idle: Pub/Sub deletes one after 31 quiet days by default (finding 11)", () => {
    const subscriptions = run.ofType("gcp:pubsub/subscription:Subscription");
    expect(subscriptions.map((s) => s.name).sort()).toEqual(["journal-archive-changes-subscription", "journal-dead-letter-subscription", "journal-inbox-subscription"]);
    for (const s of subscriptions) expect(s.inputs.expirationPolicy, s.name).toEqual({ ttl: "" });
  });

  it("audits every read and write of Cloud Storage and Cloud KMS into a locked log bucket", () => {
    expect(run.ofType("gcp:projects/iAMAuditConfig:IAMAuditConfig").map((c) => [c.inputs.service, c.inputs.auditLogConfigs.map((l: { logType: string }) => l.logType)]).sort()).toEqual([
      ["cloudkms.googleapis.com", ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]],
      ["storage.googleapis.com", ["ADMIN_READ", "DATA_READ", "DATA_WRITE"]],
    ]);
    const logBucket = run.one("gcp:logging/projectBucketConfig:ProjectBucketConfig");
    expect(logBucket.inputs).toMatchObject({ locked: true, retentionDays: 2557, location: "us-east4", bucketId: "email-journal-audit-gcp-us-east4" });
    expect(logBucket.options).toMatchObject({ protect: true, retainOnDelete: true });
    const sink = run.one("gcp:logging/projectSink:ProjectSink").inputs;
    expect(sink.destination).toBe(`logging.googleapis.com/projects/${PROJECT}/locations/us-east4/buckets/email-journal-audit-gcp-us-east4`);
    expect(sink.filter).toContain(`resource.labels.bucket_name=("${PROJECT}-journal-archive-gcp-us-east4" OR "${PROJECT}-journal-inbox-gcp-us-east4")`);
    expect(sink.filter).toContain('resource.type="cloudkms_cryptokey"');
    expect(sink.filter).toContain('jsonPayload.type="audit"');
  });

  it("alerts the on-call address on function errors, dead letters and denied archive access", () => {
    expect(run.one("gcp:monitoring/notificationChannel:NotificationChannel").inputs).toMatchObject({ type: "email", labels: { email_address: "archive-oncall@example.com" } });
    const policies = run.ofType("gcp:monitoring/alertPolicy:AlertPolicy");
    expect(policies).toHaveLength(3);
    for (const p of policies) expect(p.inputs.notificationChannels, p.name).toEqual([`projects/${PROJECT}/notificationChannels/4242`]);
    const conditions = JSON.stringify(policies.map((p) => p.inputs.conditions));
    expect(conditions).toContain("pubsub.googleapis.com/subscription/dead_letter_message_count");
    expect(conditions).toContain("protoPayload.status.code=7");
    expect(conditions).toContain("severity>=ERROR");
  });

  it("replicates each new archive object to the standby's bucket with an event-driven transfer that never overwrites or deletes", () => {
    const job = run.one("gcp:storage/transferJob:TransferJob").inputs;
    expect(job).toMatchObject({
      status: "ENABLED",
      transferSpec: {
        gcsDataSource: { bucketName: `${PROJECT}-journal-archive-gcp-us-east4` },
        gcsDataSink: { bucketName: "acme-journal-gcp-us-central1-journal-archive-gcp-us-central1" },
        transferOptions: { overwriteWhen: "NEVER", deleteObjectsUniqueInSink: false, deleteObjectsFromSourceAfterTransfer: false },
      },
      eventStream: { name: `projects/${PROJECT}/subscriptions/email-journal-archive-changes-gcp-us-east4-transfer` },
    });
    const agent = `serviceAccount:project-${PROJECT_NUMBER}@storage-transfer-service.iam.gserviceaccount.com`;
    // On the sink: create, and (overwriteWhen NEVER) get and list to see what is there, plus the bucket's location; never delete (finding 12).
    expect(run.ofType("gcp:storage/bucketIAMMember:BucketIAMMember").filter((m) => m.inputs.bucket === "acme-journal-gcp-us-central1-journal-archive-gcp-us-central1").map((m) => [m.inputs.role, m.inputs.member]).sort()).toEqual([
      ["roles/storage.legacyBucketReader", agent],
      ["roles/storage.objectCreator", agent],
      ["roles/storage.objectViewer", agent],
    ]);
    expect(run.ofType("pulumi:pulumi:StackReference").map((r) => r.inputs.name)).toEqual(["acme-bank/email-journal/gcp-us-central1"]);
    expect(run.outputs).toMatchObject({ replication: "transfer", intakeEnabled: true, archiveBucket: `${PROJECT}-journal-archive-gcp-us-east4` });
  });
});

it("takes mail and replicates into the standby, as a primary on every cloud", () => {
  expect(roleState(run, "gcp")).toEqual({ intakeActive: true, replicatesTo: "gcp-us-central1" });
});
