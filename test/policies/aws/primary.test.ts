// The pack on the AWS primary the program really builds (Pulumi.aws-us-east-1.yaml under mocks):
// no violation as it stands, and every misconfiguration that matters caught.
import { beforeAll } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { drop, edit, type Mutation, packCatches } from "../mutations";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1");
});

/** Edits a JSON policy document input. */
const editDoc = (property: string, change: (statements: any[]) => any[]) => (inputs: any) => {
  const doc = JSON.parse(inputs[property]);
  doc.Statement = change(doc.Statement);
  inputs[property] = JSON.stringify(doc);
};

const S3 = "aws:s3/bucket";
const mutations: Mutation[] = [
  ["retention unlocked (no Object Lock configuration)", (r) => drop(r, `${S3}ObjectLockConfiguration:BucketObjectLockConfiguration`, "archive"), "archive-store-worm-and-key"],
  ["retention in governance mode", (r) => edit(r, `${S3}ObjectLockConfiguration:BucketObjectLockConfiguration`, "archive", (i) => (i.rule.defaultRetention.mode = "GOVERNANCE")), "aws-s3-object-lock-retention"],
  ["retention shortened", (r) => edit(r, `${S3}ObjectLockConfiguration:BucketObjectLockConfiguration`, "archive", (i) => (i.rule.defaultRetention.days = 365)), "aws-s3-object-lock-retention"],
  ["lifecycle deletes before the retention", (r) => edit(r, `${S3}LifecycleConfiguration:BucketLifecycleConfiguration`, "archive", (i) => (i.rules[1].expiration.days = 400)), "archive-lifecycle-respects-retention"],
  ["archive not protected", (r) => edit(r, `${S3}:Bucket`, "archive", () => undefined, { protect: false }), "archive-store-worm-and-key"],
  ["key rotation off", (r) => edit(r, "aws:kms/key:Key", "key", (i) => (i.enableKeyRotation = false)), "aws-kms-key-rotation"],
  ["archive under SSE-S3", (r) => edit(r, `${S3}ServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration`, "archive", (i) => (i.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }])), "archive-store-worm-and-key"],
  ["public access allowed", (r) => edit(r, `${S3}PublicAccessBlock:BucketPublicAccessBlock`, "archive", (i) => (i.blockPublicPolicy = false)), "aws-s3-public-access-blocked"],
  ["public access block removed", (r) => drop(r, `${S3}PublicAccessBlock:BucketPublicAccessBlock`, "inbox"), "nothing-reachable-anonymously"],
  ["bucket readable by anyone", (r) => edit(r, `${S3}Policy:BucketPolicy`, "inbox", editDoc("policy", (s) => [...s, { Sid: "Public", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::x/*" }])), "aws-policy-no-wildcards"],
  ["wildcard IAM", (r) => edit(r, "aws:iam/rolePolicy:RolePolicy", "ingestor", editDoc("policy", (s) => s.map((st: any, i: number) => (i === 0 ? { ...st, Action: ["s3:*"] } : st)))), "aws-policy-no-wildcards"],
  ["ingestor may delete", (r) => edit(r, "aws:iam/rolePolicy:RolePolicy", "ingestor", editDoc("policy", (s) => [...s, { Sid: "Delete", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: "arn:aws:s3:::x/*" }])), "aws-iam-no-destructive-actions"],
  ["auditors without MFA", (r) => edit(r, "aws:iam/role:Role", "auditor", editDoc("assumeRolePolicy", (s) => s.map(({ Condition: _, ...st }: any) => st))), "aws-iam-people-need-mfa"],
  ["audit trail removed", (r) => drop(r, "aws:cloudtrail/trail:Trail"), "archive-audit-logging"],
  ["audit of data events removed", (r) => edit(r, "aws:cloudtrail/trail:Trail", "trail", (i) => (i.advancedEventSelectors = i.advancedEventSelectors.slice(0, 1))), "archive-audit-logging"],
  ["trail validation off", (r) => edit(r, "aws:cloudtrail/trail:Trail", "trail", (i) => (i.enableLogFileValidation = false)), "aws-cloudtrail-integrity"],
  ["audit log kept 30 days", (r) => edit(r, "aws:cloudwatch/logGroup:LogGroup", "ingestor", (i) => (i.retentionInDays = 30)), "aws-logs-encrypted-retained"],
  ["replication removed", (r) => drop(r, `${S3}ReplicationConfig:BucketReplicationConfig`), "archive-replicated-to-another-region"],
  ["TLS relaxed (no TLS 1.2 floor)", (r) => edit(r, `${S3}Policy:BucketPolicy`, "archive", editDoc("policy", (s) => s.filter((st: any) => st.Sid !== "DenyTlsBelow12"))), "aws-s3-tls-only"],
  ["TLS relaxed (plain HTTP allowed)", (r) => edit(r, `${S3}Policy:BucketPolicy`, "inbox", editDoc("policy", (s) => s.filter((st: any) => st.Sid !== "DenyInsecureTransport"))), "aws-s3-tls-only"],
  ["SES accepts mail without TLS", (r) => edit(r, "aws:ses/receiptRule:ReceiptRule", "rule", (i) => (i.tlsPolicy = "Optional")), "aws-ses-receipt-tls"],
  ["dead letter removed", (r) => edit(r, "aws:sqs/queue:Queue", "intake-queue", (i) => delete i.redrivePolicy), "ingestor-dead-letter-alerted"],
  ["dead-letter alarm removed", (r) => drop(r, "aws:cloudwatch/metricAlarm:MetricAlarm", "dead-letters"), "ingestor-dead-letter-alerted"],
  ["queue unencrypted", (r) => edit(r, "aws:sqs/queue:Queue", "dlq", (i) => delete i.kmsMasterKeyId), "aws-sqs-customer-key"],
  ["backup vault lock in governance mode", (r) => edit(r, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "vault", (i) => delete i.changeableForDays), "aws-backup-vault-lock"],
];

packCatches("aws primary", () => run, mutations, 60);
