// The primary (primary, us-east-1) as `pulumi up` would build it: each row of the AWS
// column of the capability matrix, asserted on the resource inputs.
import { beforeAll, describe, expect, it } from "vitest";
import { policyProblems } from "../../../policies/aws/documents";
import { ACCOUNT, doc, runProgram, type ProgramRun } from "../../../infra/policyCheck/mockRun";
import { readAwsSettings } from "../../../functions/aws/settings";
import { roleState } from "../../helpers/roleState";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1");
}, 60_000);

const ARCHIVE = `ej-archive-${ACCOUNT}-us-east-1-aws-us-east-1`;
const TRAIL = `ej-trail-${ACCOUNT}-us-east-1-aws-us-east-1`;
const companion = (type: string, bucket: string) => run.ofType(type).find((r) => r.inputs.bucket === bucket)!;
const keyOf = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
const archivePart = (type: string) => run.ofType(type).find((r) => r.inputs.bucket === ARCHIVE)!;
const statement = (policy: string, sid: string) => doc(policy).Statement.find((s) => s.Sid === sid);

describe("WORM archive", () => {
  it("locks every object in COMPLIANCE mode for the configured minimum, on a versioned bucket", () => {
    expect(run.one("aws:s3/bucket:Bucket", "journal-archive").inputs).toMatchObject({ bucket: ARCHIVE, objectLockEnabled: true });
    expect(archivePart("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs.rule).toEqual({ defaultRetention: { mode: "COMPLIANCE", days: 2557 } });
    expect(archivePart("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
  });

  it("is protected and retained if the stack is deleted, as is its key", () => {
    expect(run.one("aws:s3/bucket:Bucket", "journal-archive").options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(run.one("aws:kms/key:Key").options).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("encrypts with the stack's key and bucket keys, and blocks all public access, owner enforced", () => {
    const rule = archivePart("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules[0];
    expect(rule).toMatchObject({ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: expect.stringMatching(/^arn:aws:kms:/) }, bucketKeyEnabled: true });
    for (const r of run.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")) {
      expect(r.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    }
    for (const r of run.ofType("aws:s3/bucketOwnershipControls:BucketOwnershipControls")) expect(r.inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("denies non-TLS, TLS below 1.2, uploads not under the stack key, and deletes or lock changes by all but break-glass", () => {
    const policy = archivePart("aws:s3/bucketPolicy:BucketPolicy").inputs.policy;
    expect(statement(policy, "DenyInsecureTransport")).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(statement(policy, "DenyTlsBelow12")).toMatchObject({ Effect: "Deny", Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } });
    expect(statement(policy, "DenyUploadsUnderAnotherKey").Condition.StringNotEqualsIfExists["s3:x-amz-server-side-encryption-aws-kms-key-id"]).toMatch(/^arn:aws:kms:us-east-1:/);
    const deletes = statement(policy, "DenyDeletesAndRetentionChanges");
    expect(deletes.Action).toEqual(expect.arrayContaining(["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"]));
    expect(deletes.Condition).toEqual({ ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/archive-break-glass" } });
    expect(statement(policy, "DenyLockAndPolicyChanges").Action).toEqual(expect.arrayContaining(["s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy"]));
  });

  it("tiers to Glacier Instant Retrieval and Deep Archive, and deletes only after the maximum retention", () => {
    const rules = archivePart("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
    expect(rules[0].transitions).toEqual([
      { days: 30, storageClass: "STANDARD_IA" },
      { days: 90, storageClass: "GLACIER_IR" },
      { days: 365, storageClass: "DEEP_ARCHIVE" },
    ]);
    expect(rules[1]).toMatchObject({ id: "delete-after-maximum-retention", expiration: { days: 2922 } });
    expect(rules[1].expiration.days).toBeGreaterThanOrEqual(2557);
  });
});

describe("customer key", () => {
  it("rotates yearly, and lets auditors decrypt only with MFA, the ingestor the inbox only, admins nothing", () => {
    const key = run.one("aws:kms/key:Key").inputs;
    expect(key).toMatchObject({ enableKeyRotation: true, rotationPeriodInDays: 365 });
    expect(statement(key.policy, "AuditorsDecryptWithMfa").Condition.Bool).toEqual({ "aws:MultiFactorAuthPresent": "true" });
    expect(statement(key.policy, "IngestorDecryptsInboxOnly").Condition.StringLike["kms:EncryptionContext:aws:s3:arn"]).toEqual([
      `arn:aws:s3:::ej-inbox-${ACCOUNT}-us-east-1-aws-us-east-1`,
      `arn:aws:s3:::ej-inbox-${ACCOUNT}-us-east-1-aws-us-east-1/*`,
    ]);
    const admin = statement(key.policy, "KeyAdministration");
    expect(admin.Action).not.toContain("kms:Decrypt");
    expect(admin.Action).not.toContain("kms:ScheduleKeyDeletion");
    expect(statement(key.policy, "IngestorReadsIntakeQueue").Condition).toEqual({ StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com" } });
    expect(statement(key.policy, "CloudTrailEncryptsLogs").Condition.StringEquals["aws:SourceArn"]).toBe(`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/email-journal-aws-us-east-1`);
  });
});

describe("least privilege", () => {
  const policies = () => [
    ...run.ofType("aws:iam/rolePolicy:RolePolicy").map((r) => [r.name, r.inputs.policy]),
    ...run.ofType("aws:iam/role:Role").map((r) => [r.name, r.inputs.assumeRolePolicy]),
    ...run.ofType("aws:s3/bucketPolicy:BucketPolicy").map((r) => [r.name, r.inputs.policy]),
    ...run.ofType("aws:sqs/queuePolicy:QueuePolicy").map((r) => [r.name, r.inputs.policy]),
    ...run.ofType("aws:sns/topicPolicy:TopicPolicy").map((r) => [r.name, r.inputs.policy]),
    ["key", run.one("aws:kms/key:Key").inputs.policy],
  ];

  it("has no wildcard action and no anonymous Allow in any policy of the stack", () => {
    expect(policies().length).toBeGreaterThan(15);
    for (const [name, policy] of policies()) expect(policyProblems(policy), name).toEqual([]);
  });

  it("lets the ingestor read the inbox and create archive objects, and nothing more", () => {
    const statements = doc(run.one("aws:iam/rolePolicy:RolePolicy", "ingestor").inputs.policy).Statement;
    const actions = statements.flatMap((s) => s.Action);
    for (const forbidden of ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:BypassGovernanceRetention"]) expect(actions).not.toContain(forbidden);
    // No read of the archive at all: existence of a sidecar is asked by a listing confined to meta/.
    expect(statements.filter((s) => s.Action.includes("s3:GetObject")).map((s) => s.Resource)).toEqual([`arn:aws:s3:::ej-inbox-${ACCOUNT}-us-east-1-aws-us-east-1/*`]);
    expect(statements.find((s) => s.Sid === "SeeWhetherSidecarsExist")).toMatchObject({ Action: ["s3:ListBucket"], Resource: `arn:aws:s3:::${ARCHIVE}`, Condition: { StringLike: { "s3:prefix": "meta/*" } } });
    expect(statements.find((s) => s.Sid === "CreateArchiveObjects")).toMatchObject({ Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${ARCHIVE}/*` });
  });

  it("lets auditors and hold admins in only with MFA, to read or to hold, respectively", () => {
    for (const name of ["journal-auditor", "journal-hold-admin"]) {
      const trust = doc(run.one("aws:iam/role:Role", name).inputs.assumeRolePolicy).Statement[0];
      expect(trust.Condition, name).toEqual({ Bool: { "aws:MultiFactorAuthPresent": "true" } });
    }
    expect(doc(run.one("aws:iam/role:Role", "journal-auditor").inputs.assumeRolePolicy).Statement[0].Principal).toEqual({ AWS: ["arn:aws:iam::111122223333:role/compliance-auditor"] });
    for (const s of doc(run.one("aws:iam/rolePolicy:RolePolicy", "auditor-policy").inputs.policy).Statement) expect(s.Condition, s.Sid).toEqual({ Bool: { "aws:MultiFactorAuthPresent": "true" } });
    const hold = doc(run.one("aws:iam/rolePolicy:RolePolicy", "hold-admin-policy").inputs.policy).Statement;
    for (const s of hold) expect(s.Condition, s.Sid).toEqual({ Bool: { "aws:MultiFactorAuthPresent": "true" } });
    expect(hold.flatMap((s) => s.Action)).toEqual([
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:PutObjectLegalHold",
      "s3:GetObjectLegalHold",
      "s3:GetObjectRetention",
      "s3:GetObject",
      "s3:PutObject",
      "s3:GetEncryptionConfiguration",
    ]);
  });

  it("lets both write the auditor's own trail under audit/ and nothing else, and the hold admin read only that", () => {
    const archive = `arn:aws:s3:::ej-archive-${ACCOUNT}-us-east-1-aws-us-east-1`;
    for (const name of ["auditor", "hold-admin"]) {
      const statements = doc(run.one("aws:iam/rolePolicy:RolePolicy", `${name}-policy`).inputs.policy).Statement;
      expect(statements.filter((s) => s.Action.includes("s3:PutObject")).map((s) => s.Resource), name).toEqual([`${archive}/audit/*`]);
    }
    const hold = doc(run.one("aws:iam/rolePolicy:RolePolicy", "hold-admin-policy").inputs.policy).Statement;
    expect(hold.filter((s) => s.Action.includes("s3:GetObject")).map((s) => s.Resource)).toEqual([`${archive}/audit/*`]);
    const key = run.one("aws:kms/key:Key").inputs;
    expect(statement(key.policy, "AuditTrailThroughS3WithMfa")).toMatchObject({
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" }, StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
    });
  });
});

describe("intake", () => {
  it("receives the journal address over TLS only, scans for spam and viruses, stores to the inbox and notifies SNS", () => {
    const rule = run.one("aws:ses/receiptRule:ReceiptRule").inputs;
    expect(rule).toMatchObject({ recipients: ["journal@archive.example.com"], tlsPolicy: "Require", scanEnabled: true, enabled: true });
    expect(rule.s3Actions).toEqual([{ bucketName: `ej-inbox-${ACCOUNT}-us-east-1-aws-us-east-1`, objectKeyPrefix: "ses/", topicArn: expect.stringMatching(/^arn:aws:sns:/), position: 1 }]);
    expect(rule.s3Actions[0].kmsKeyArn).toBeUndefined();
    expect(run.one("aws:ses/activeReceiptRuleSet:ActiveReceiptRuleSet").inputs.ruleSetName).toBe("email-journal-aws-us-east-1");
  });

  it("queues through encrypted SQS with a dead-letter queue, to an arm64 Lambda that reports partial batch failures", () => {
    const queue = run.one("aws:sqs/queue:Queue", "intake-queue").inputs;
    expect(queue.kmsMasterKeyId).toMatch(/^arn:aws:kms:/);
    // Named per stack, so that event source, queue, dead letters and alarm are known at preview.
    expect(queue.name).toBe("email-journal-intake-aws-us-east-1");
    expect(JSON.parse(queue.redrivePolicy)).toEqual({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:email-journal-intake-dlq-aws-us-east-1`, maxReceiveCount: 5 });
    expect(run.one("aws:sqs/queue:Queue", "intake-dlq").inputs.kmsMasterKeyId).toMatch(/^arn:aws:kms:/);
    const fn = run.one("aws:lambda/function:Function").inputs;
    expect(fn).toMatchObject({ runtime: "nodejs24.x", architectures: ["arm64"], timeout: 300, memorySize: 2048 });
    expect(queue.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * fn.timeout);
    expect(fn.environment.variables).toEqual({
      ARCHIVE_BUCKET: ARCHIVE,
      ARCHIVE_KMS_KEY_ARN: expect.stringMatching(/^arn:aws:kms:us-east-1:/),
      INBOX_BUCKET: `ej-inbox-${ACCOUNT}-us-east-1-aws-us-east-1`,
      RETENTION_DAYS: "2557",
      MAX_MESSAGE_BYTES: "41943040",
      DETECTORS: "card,ssn,iban",
      LOG_LEVEL: "info",
      ALLOWED_SENDERS: "mail.protection.outlook.com",
    });
    // What the program sets is what the function reads: no setting it would refuse at its first invocation.
    expect(readAwsSettings(fn.environment.variables).allowedSenders).toEqual(["mail.protection.outlook.com"]);
    expect(run.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs.functionResponseTypes).toEqual(["ReportBatchItemFailures"]);
  });

  it("keeps the ingestor's log group, which holds its audit lines, for the full retention, encrypted", () => {
    expect(run.one("aws:cloudwatch/logGroup:LogGroup", "ingestor").inputs).toMatchObject({ name: "/aws/lambda/email-journal-ingest-aws-us-east-1", retentionInDays: 2557, kmsKeyId: expect.stringMatching(/^arn:aws:kms:/) });
  });
});

describe("audit logging and alerts", () => {
  it("trails every archive object read and write, validated and encrypted, into an Object-Locked bucket", () => {
    const trail = run.one("aws:cloudtrail/trail:Trail").inputs;
    expect(trail).toMatchObject({ enableLogFileValidation: true, kmsKeyId: expect.stringMatching(/^arn:aws:kms:/), s3BucketName: `ej-trail-${ACCOUNT}-us-east-1-aws-us-east-1` });
    const data = trail.advancedEventSelectors.find((s: any) => s.fieldSelectors.some((f: any) => f.field === "eventCategory" && f.equals[0] === "Data"));
    expect(data.fieldSelectors).toContainEqual({ field: "resources.ARN", startsWiths: [`arn:aws:s3:::${ARCHIVE}/`, `arn:aws:s3:::ej-inbox-${ACCOUNT}-us-east-1-aws-us-east-1/`] });
    const trailLock = run.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").find((r) => r.inputs.bucket === trail.s3BucketName)!;
    expect(trailLock.inputs.rule.defaultRetention).toEqual({ mode: "COMPLIANCE", days: 2557 });
    expect(run.one("aws:s3/bucketLogging:BucketLogging").inputs).toMatchObject({ bucket: ARCHIVE, targetBucket: `ej-access-${ACCOUNT}-us-east-1-aws-us-east-1` });
  });

  it("alarms on dead letters, ingestor errors and throttles, and denied archive access, to an encrypted topic with the on-call email", () => {
    const metrics = run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.metricName).sort();
    expect(metrics).toEqual(["ApproximateNumberOfMessagesVisible", "ArchiveAccessDenied", "Errors", "Throttles"]);
    expect(run.one("aws:cloudwatch/logMetricFilter:LogMetricFilter").inputs.pattern).toBe(
      `{ ($.errorCode = "AccessDenied") && ($.eventSource = "s3.amazonaws.com") && ($.requestParameters.bucketName = "${ARCHIVE}") }`,
    );
    expect(run.one("aws:sns/topic:Topic", "alerts").inputs.kmsMasterKeyId).toMatch(/^arn:aws:kms:/);
    expect(run.one("aws:sns/topicSubscription:TopicSubscription", "alerts-email").inputs).toMatchObject({ protocol: "email", endpoint: "archive-oncall@example.com" });
  });
});

describe("backup and DR", () => {
  it("backs the archive up daily into a vault locked in compliance mode", () => {
    expect(run.one("aws:backup/vaultLockConfiguration:VaultLockConfiguration").inputs).toMatchObject({ changeableForDays: 3, minRetentionDays: 2557, maxRetentionDays: 2922 });
    expect(run.one("aws:backup/selection:Selection").inputs.resources).toEqual([`arn:aws:s3:::${ARCHIVE}`]);
  });

  it("replicates to the peer stack's archive with Replication Time Control, under the peer's key, without delete markers", () => {
    const rule = run.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs.rules[0];
    expect(rule.destination).toEqual({
      bucket: "arn:aws:s3:::ej-archive-111122223333-us-west-2-aws-us-west-2",
      encryptionConfiguration: { replicaKmsKeyId: "arn:aws:kms:us-west-2:111122223333:key/aws-us-west-2-key-id" },
      replicationTime: { status: "Enabled", time: { minutes: 15 } },
      metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
    });
    expect(rule.deleteMarkerReplication).toEqual({ status: "Disabled" });
    expect(run.one("pulumi:pulumi:StackReference", "peer").inputs.name).toBe("acme-bank/email-journal/aws-us-west-2");
  });

  it("tags every resource with stack, role and classification through the provider, in the configured region", () => {
    expect(run.one("pulumi:providers:aws").inputs).toMatchObject({ region: "us-east-1" });
    expect(JSON.parse(run.one("pulumi:providers:aws").inputs.defaultTags).tags).toEqual({
      project: "email-journal",
      stack: "aws-us-east-1",
      role: "primary",
      "data-classification": "restricted",
      "managed-by": "pulumi",
    });
  });
});

it("takes mail and replicates into the standby, as a primary on every cloud", () => {
  expect(roleState(run, "aws")).toEqual({ intakeActive: true, replicatesTo: "aws-us-west-2" });
});

// What AWS checks on the first `pulumi up`, and what `pulumi destroy` needs: each of these was refused before.
describe("the first pulumi up and the last pulumi destroy", () => {
  it("lets the deployer create the backup vault under the stack key, through AWS Backup only (finding 1)", () => {
    const grant = statement(run.one("aws:kms/key:Key").inputs.policy, "DeployerCreatesBackupVault");
    expect(grant).toEqual({
      Sid: "DeployerCreatesBackupVault",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: ["kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant", "kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": "backup.us-east-1.amazonaws.com" } },
    });
    expect(run.one("aws:backup/vault:Vault").inputs.kmsKeyArn).toMatch(/^arn:aws:kms:us-east-1:/);
  });

  it("lets the ingestor send traces, and creates its function only after its role may (finding 2)", () => {
    const policy = run.one("aws:iam/rolePolicy:RolePolicy", "ingestor");
    expect(statement(policy.inputs.policy, "SendTraces")).toEqual({ Sid: "SendTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" });
    expect(run.one("aws:lambda/function:Function").inputs.tracingConfig).toEqual({ mode: "Active" });
    expect(run.one("aws:lambda/function:Function").options.dependsOn).toContain(keyOf(policy));
    expect(run.one("aws:lambda/eventSourceMapping:EventSourceMapping").options.dependsOn).toContain(keyOf(policy));
  });

  it("lets CloudTrail describe the key without an encryption context, and decrypt for the trail bucket's Bucket Key (finding 3)", () => {
    const policy = run.one("aws:kms/key:Key").inputs.policy;
    const fromTrail = { StringEquals: { "aws:SourceArn": `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/email-journal-aws-us-east-1` } };
    expect(statement(policy, "CloudTrailDescribesKey")).toMatchObject({ Principal: { Service: "cloudtrail.amazonaws.com" }, Action: ["kms:DescribeKey"], Condition: fromTrail });
    expect(statement(policy, "CloudTrailDecryptsWithBucketKey")).toMatchObject({ Principal: { Service: "cloudtrail.amazonaws.com" }, Action: ["kms:Decrypt"], Condition: fromTrail });
    expect(statement(policy, "CloudTrailEncryptsLogs").Action).toEqual(["kms:GenerateDataKey"]);
    expect(companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", TRAIL).inputs.rules[0].bucketKeyEnabled).toBe(true);
  });

  it.each([ARCHIVE, TRAIL])("applies %s's deny policy only after the versioning and Object Lock it protects (finding 4b)", (bucket) => {
    const policy = companion("aws:s3/bucketPolicy:BucketPolicy", bucket);
    expect(statement(policy.inputs.policy, "DenyLockAndPolicyChanges").Action).toEqual(expect.arrayContaining(["s3:PutBucketVersioning", "s3:PutBucketObjectLockConfiguration"]));
    expect(policy.options.dependsOn).toEqual(
      expect.arrayContaining([keyOf(companion("aws:s3/bucketVersioning:BucketVersioning", bucket)), keyOf(companion("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bucket))]),
    );
  });

  it.each([ARCHIVE, TRAIL])("keeps %s's versioning, Object Lock and deny policy when the stack is destroyed, which S3 would refuse to undo (finding 5)", (bucket) => {
    for (const type of ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "aws:s3/bucketPolicy:BucketPolicy"]) {
      expect(companion(type, bucket).options.retainOnDelete, type).toBe(true);
    }
    // The inbox has no Object Lock: its versioning goes with the stack.
    expect(companion("aws:s3/bucketVersioning:BucketVersioning", `ej-inbox-${ACCOUNT}-us-east-1-aws-us-east-1`).options.retainOnDelete).toBeUndefined();
  });

  it("reserves no Lambda concurrency unless the stack asks, so that accounts with a small quota can deploy (finding 6)", () => {
    expect(run.one("aws:lambda/function:Function").inputs).not.toHaveProperty("reservedConcurrentExecutions");
  });

  it("exports what the locked buckets' policies refuse to change, for the next run to compare", () => {
    expect(run.outputs.lockedSettings).toMatchObject({
      archive: { objectLock: "COMPLIANCE 2557 days", versioning: "Enabled", bucketPolicy: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
      trail: { objectLock: "COMPLIANCE 2557 days", versioning: "Enabled", bucketPolicy: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
      breakGlass: "arn:aws:iam::111122223333:role/archive-break-glass",
    });
  });

  it("lets only CloudWatch alarms of this account publish to the alerts topic", () => {
    const policy = doc(run.one("aws:sns/topicPolicy:TopicPolicy", "alerts").inputs.policy).Statement;
    expect(policy).toEqual([
      expect.objectContaining({
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["sns:Publish"],
        Condition: { ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
      }),
    ]);
  });
});
