// Every call the AWS architecture depends on that one party makes on another's resource, with the
// permission AWS documents for it and where; and the rules that are not permissions: what must
// exist before what (ordering), and what `pulumi destroy` or a config change would be refused
// (lifecycle). Permission contracts are evaluated with a real policy engine (awsSimulator.ts) against
// the planned identity, key, bucket, topic, queue and trust policies (awsPlan.ts); a contract the
// plan does not honour is a problem that names its reference.
//
// The deployer's own calls on the key: creating the backup vault (AWS Backup checks the creator's
// KMS permissions) and administering the key. Creating the encrypted queues, topics and bucket
// encryption calls no KMS API; creating the encrypted log groups and the trail makes CloudWatch Logs
// and CloudTrail check their own access, which logs-encrypts-log-groups and cloudtrail-* cover.
import { XRAY_WRITE_ACTIONS } from "../../infra/aws/access";
import { BACKUP_VAULT_CREATOR_ACTIONS, DEPLOYER_KEY_ADMIN_ACTIONS } from "../../infra/aws/deployer";
import { ACCOUNT } from "../../infra/policyCheck/mockRun";
import { type AwsPlan, keyOf, T } from "./awsPlan";
import { type AwsRequest, evaluateRequest, type PolicyDocument } from "./awsSimulator";

export interface PermissionContract {
  readonly id: string;
  /** Who calls. */
  readonly caller: string;
  /** What it does, in a few words. */
  readonly action: string;
  /** AWS's page (title, section, URL) that documents the permission. */
  readonly reference: string;
  /** The requests this plan must allow; none when the plan has nothing the contract is about. */
  requests(plan: AwsPlan): AwsRequest[];
}

export interface RuleContract {
  readonly id: string;
  readonly kind: "ordering" | "lifecycle" | "setting";
  readonly statement: string;
  readonly reference: string;
  /** Whether the plan has what the rule is about. */
  applies(plan: AwsPlan): boolean;
  /** Problems in the plan, each naming the resource. */
  check(plan: AwsPlan): string[];
}

const REF = {
  sesReceiving: 'Amazon SES Developer Guide, "Giving permissions to Amazon SES for email receiving" (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html)',
  s3Notifications: 'Amazon S3 User Guide, "Granting permissions to publish event notification messages to a destination" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html)',
  sqsKeys:
    'Amazon SQS Developer Guide, "Amazon SQS key management", "Enable compatibility between AWS services such as Amazon CloudWatch Events, Amazon S3, and Amazon SNS and encrypted queues" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html)',
  snsToSqs: 'Amazon SNS Developer Guide, "Subscribing an Amazon SQS queue to an Amazon SNS topic", "Give permission to the Amazon SNS topic to send messages to the Amazon SQS queue" (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html)',
  snsKeys: 'Amazon SNS Developer Guide, "Managing Amazon SNS encryption keys", "Enable compatibility between event sources from AWS services and encrypted topics" (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html)',
  lambdaSqs: 'AWS Lambda Developer Guide, "Using Lambda with Amazon SQS", execution role permissions (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html)',
  lambdaRole: 'AWS Lambda Developer Guide, "Defining Lambda function permissions with an execution role" (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html)',
  lambdaXray: 'AWS Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray" (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html)',
  logsKms: 'Amazon CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key Management Service", "Step 2: Set permissions on the KMS key" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html)',
  sseKms: 'Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)", permissions (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html)',
  bucketKeys: 'Amazon S3 User Guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys": the encryption context is the bucket ARN (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html)',
  trailBucket: 'AWS CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html)',
  trailKms: 'AWS CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail", "Required KMS key policy elements for trails"',
  trailKmsUrl: "(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html)",
  trailLogs: 'AWS CloudTrail User Guide, "Role policy document for CloudTrail to use CloudWatch Logs for monitoring" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html)',
  alarmsSns: 'Amazon CloudWatch User Guide, "Notify users on alarm changes", "Setting up Amazon SNS notifications" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html)',
  backupVault: 'AWS Backup Developer Guide, "Backup vault creation and deletion", "Required permissions" (https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault.html)',
  backupS3: 'AWS Backup Developer Guide, "Amazon S3 backups", prerequisites: versioning, the AWSBackupServiceRolePolicyForS3Backup policy, and the KMS key for SSE-KMS buckets (https://docs.aws.amazon.com/aws-backup/latest/devguide/s3-backups.html)',
  kmsDefaultPolicy: 'AWS KMS Developer Guide, "Default key policy", "Allows access to the AWS account and enables IAM policies", and PutKeyPolicy\'s lockout safety check (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)',
  replicationRole: 'Amazon S3 User Guide, "Setting up permissions for live replication" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html) and "Using Object Lock with S3 Replication"',
  replicationKms: 'Amazon S3 User Guide, "Replicating objects created with server-side encryption (SSE-C, SSE-S3, SSE-KMS, DSSE-KMS)", "Granting additional permissions for the IAM role" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html)',
  accessLogs: 'Amazon S3 User Guide, "Enabling Amazon S3 server access logging", "Permissions for log delivery" and destination bucket requirements (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html)',
  objectLock: 'Amazon S3 User Guide, "Object Lock considerations": "After you enable Object Lock on a bucket, you can\'t disable Object Lock or suspend versioning for that bucket" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html)',
  policyLockout: 'Amazon S3 API Reference, "PutBucketPolicy": only the root principal is exempt from the bucket policy\'s own deny, and only for Get/Put/DeleteBucketPolicy (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html)',
  lambdaConcurrency: 'AWS Lambda Developer Guide, "Configuring reserved concurrency for a function" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html)',
  headObject:
    'Amazon S3 API Reference, "HeadObject": the x-amz-object-lock-* headers are returned only to a caller with s3:GetObjectRetention and s3:GetObjectLegalHold, and ChecksumMode on an SSE-KMS object needs kms:Decrypt (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html)',
  legalHold:
    'Amazon S3 API Reference, "PutObjectLegalHold", "GetObjectLegalHold" and "GetObjectRetention"; Service Authorization Reference, "Actions defined by Amazon S3" (s3:PutObjectLegalHold, s3:GetObjectLegalHold, s3:GetObjectRetention)',
  bucketEncryption: 'Amazon S3 API Reference, "GetBucketEncryption": s3:GetEncryptionConfiguration (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html)',
  leastPrivilege: "DESIGN.md, least-privilege roles: auditors read, hold admins hold, and people write nothing but the auditor's own trail (infra/aws/access.ts)",
} as const;

/** What every S3 request the contracts model carries: TLS 1.2 (the bucket policies deny less). */
const OVER_TLS = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" };
/** A person's session, assumed with MFA (the people roles' trust policies require it). */
const WITH_MFA = { "aws:MultiFactorAuthPresent": "true" };
/** An object of the auditor's trail (functions/auditor/auditObjects.ts) and a record. */
const TRAIL_OBJECT = "audit/2026/01/01/2026-01-01T00:00:00.000Z-000001-0123456789ab.json";
const RECORD = "messages/2026/01/01/abc.eml";
const viaService = (service: string, region: string) => `${service}.${region}.amazonaws.com`;
const ruleArn = (plan: AwsPlan) => `arn:aws:ses:${plan.region}:${ACCOUNT}:receipt-rule-set/email-journal-${plan.stack}:receipt-rule/journal`;
const trailArn = (plan: AwsPlan) => `arn:aws:cloudtrail:${plan.region}:${ACCOUNT}:trail/email-journal-${plan.stack}`;
const alarmArn = (plan: AwsPlan, name: string) => `arn:aws:cloudwatch:${plan.region}:${ACCOUNT}:alarm:${name}`;

/** One request on the stack key, checked against the planned key policy. */
function onKey(plan: AwsPlan, principal: string, actions: readonly string[], context: AwsRequest["context"], identityPolicies: AwsRequest["identityPolicies"] = []): AwsRequest[] {
  const keyPolicy = plan.keyPolicy();
  if (!keyPolicy) return [];
  return actions.map((action) => ({ principal, action, resource: plan.keyArn, resourceAccount: ACCOUNT, context, identityPolicies, resourcePolicy: keyPolicy }));
}

/** A service principal's request on a resource whose policy must allow it. */
const byService = (principal: string, action: string, resource: string, resourcePolicy: PolicyDocument | undefined, context: AwsRequest["context"]): AwsRequest => ({
  principal,
  action,
  resource,
  resourceAccount: ACCOUNT,
  context,
  identityPolicies: [],
  ...(resourcePolicy ? { resourcePolicy } : {}),
});

/** A role's request, through its planned inline policies, on a resource with its planned policy. */
function byRole(plan: AwsPlan, role: string, action: string, resource: string, resourcePolicy: PolicyDocument | undefined, context: AwsRequest["context"] = {}): AwsRequest[] {
  const found = plan.role(role);
  if (!found) return [];
  return [{ principal: found.arn, action, resource, resourceAccount: ACCOUNT, context, identityPolicies: plan.identityPolicies(role), ...(resourcePolicy ? { resourcePolicy } : {}) }];
}

/** The deploying identity, as sts:GetCallerIdentity answers under the mocks. */
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/deployer`;
/** A deployer that holds `actions` on the stack key in IAM, as the documentation asks: what the key policy must then let count. */
const deployerHolding = (plan: AwsPlan, actions: readonly string[]) => [
  { name: "deployer", policy: { Version: "2012-10-17", Statement: [{ Sid: "AsDocumented", Effect: "Allow", Action: [...actions], Resource: plan.keyArn }] } },
];

export const PERMISSION_CONTRACTS: readonly PermissionContract[] = [
  {
    id: "ses-writes-inbox",
    caller: "Amazon SES (the receipt rule's S3 action)",
    action: "store each received message in the inbox under ses/",
    reference: REF.sesReceiving,
    requests: (plan) =>
      plan.find(T.rule)
        ? [byService("ses.amazonaws.com", "s3:PutObject", `${plan.bucket("inbox").arn}/ses/message-id`, plan.bucketPolicy(plan.bucket("inbox").name), { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": ruleArn(plan), ...OVER_TLS })]
        : [],
  },
  {
    id: "ses-encrypts-inbox",
    caller: "Amazon SES, through S3's default SSE-KMS on the inbox",
    action: "have the message encrypted under the stack key",
    reference: `${REF.sesReceiving}; ${REF.bucketKeys}`,
    requests: (plan) =>
      plan.find(T.rule)
        ? onKey(plan, "ses.amazonaws.com", ["kms:GenerateDataKey"], {
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": ruleArn(plan),
            "kms:ViaService": viaService("s3", plan.region),
            "kms:EncryptionContext:aws:s3:arn": plan.bucket("inbox").arn,
          })
        : [],
  },
  {
    id: "ses-publishes-receipt-notice",
    caller: "Amazon SES (the S3 action's SNS notice)",
    action: "publish the envelope notice to the intake topic",
    reference: REF.sesReceiving,
    requests: (plan) => {
      const topic = plan.topic("intake-topic");
      return plan.find(T.rule) && topic ? [byService("ses.amazonaws.com", "sns:Publish", topic.arn, topic.policy, { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": ruleArn(plan) })] : [];
    },
  },
  {
    id: "ses-encrypts-receipt-notice",
    caller: "Amazon SES, publishing to the encrypted intake topic",
    action: "use the stack key for the topic's messages",
    reference: REF.snsKeys,
    requests: (plan) => {
      const topic = plan.topic("intake-topic");
      return plan.find(T.rule) && topic
        ? onKey(plan, "ses.amazonaws.com", ["kms:GenerateDataKey", "kms:Decrypt"], {
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": ruleArn(plan),
            "kms:ViaService": viaService("sns", plan.region),
            "kms:EncryptionContext:aws:sns:topicArn": topic.arn,
          })
        : [];
    },
  },
  {
    id: "sns-delivers-to-queue",
    caller: "Amazon SNS (the intake topic's SQS subscription)",
    action: "send each notice to the intake queue",
    reference: REF.snsToSqs,
    requests: (plan) => {
      const topic = plan.topic("intake-topic");
      const queue = plan.queue("intake-queue");
      return topic && queue ? [byService("sns.amazonaws.com", "sqs:SendMessage", queue.arn, queue.policy, { "aws:SourceArn": topic.arn, "aws:SourceAccount": ACCOUNT })] : [];
    },
  },
  {
    id: "sns-encrypts-into-queue",
    caller: "Amazon SNS, delivering to the encrypted intake queue",
    action: "use the stack key for the queue's messages",
    reference: REF.sqsKeys,
    requests: (plan) => {
      const topic = plan.topic("intake-topic");
      const queue = plan.queue("intake-queue");
      return topic && queue
        ? onKey(plan, "sns.amazonaws.com", ["kms:GenerateDataKey", "kms:Decrypt"], {
            "aws:SourceArn": topic.arn,
            "aws:SourceAccount": ACCOUNT,
            "kms:ViaService": viaService("sqs", plan.region),
            "kms:EncryptionContext:aws:sqs:arn": queue.arn,
          })
        : [];
    },
  },
  {
    id: "s3-notifies-queue",
    caller: "Amazon S3 (the inbox's event notification for drop/)",
    action: "send object-created events to the intake queue",
    reference: REF.s3Notifications,
    requests: (plan) => {
      const queue = plan.queue("intake-queue");
      return plan.find(T.notification) && queue ? [byService("s3.amazonaws.com", "sqs:SendMessage", queue.arn, queue.policy, { "aws:SourceArn": plan.bucket("inbox").arn, "aws:SourceAccount": ACCOUNT })] : [];
    },
  },
  {
    id: "s3-encrypts-into-queue",
    caller: "Amazon S3, notifying the encrypted intake queue",
    action: "use the stack key for the queue's messages",
    reference: `${REF.s3Notifications}; ${REF.sqsKeys}`,
    requests: (plan) => {
      const queue = plan.queue("intake-queue");
      return plan.find(T.notification) && queue
        ? onKey(plan, "s3.amazonaws.com", ["kms:GenerateDataKey", "kms:Decrypt"], {
            "aws:SourceArn": plan.bucket("inbox").arn,
            "aws:SourceAccount": ACCOUNT,
            "kms:ViaService": viaService("sqs", plan.region),
            "kms:EncryptionContext:aws:sqs:arn": queue.arn,
          })
        : [];
    },
  },
  {
    id: "lambda-polls-queue",
    caller: "AWS Lambda (the event source mapping), as the ingestor's role",
    action: "receive, delete and inspect intake messages",
    reference: REF.lambdaSqs,
    requests: (plan) => {
      const queue = plan.queue("intake-queue");
      return plan.find(T.mapping) && queue ? ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"].flatMap((action) => byRole(plan, "ingestor", action, queue.arn, queue.policy)) : [];
    },
  },
  {
    id: "lambda-decrypts-queue",
    caller: "AWS Lambda, as the ingestor's role, receiving from the encrypted queue",
    action: "decrypt the queue's messages",
    reference: `${REF.lambdaSqs}; ${REF.sqsKeys}`,
    requests: (plan) => {
      const queue = plan.queue("intake-queue");
      const role = plan.role("ingestor");
      return queue && role && plan.find(T.mapping)
        ? onKey(plan, role.arn, ["kms:Decrypt"], { "kms:ViaService": viaService("sqs", plan.region), "kms:EncryptionContext:aws:sqs:arn": queue.arn }, plan.identityPolicies("ingestor"))
        : [];
    },
  },
  {
    id: "lambda-writes-logs",
    caller: "AWS Lambda, as the ingestor's role",
    action: "write the function's log streams in its log group",
    reference: REF.lambdaRole,
    requests: (plan) => {
      const group = plan.find(T.logGroup, "ingestor");
      return group ? ["logs:CreateLogStream", "logs:PutLogEvents"].flatMap((action) => byRole(plan, "ingestor", action, `${plan.logGroupArn(group)}:log-stream:2024/01/01/[$LATEST]abc`, undefined)) : [];
    },
  },
  {
    id: "lambda-sends-traces",
    caller: "AWS Lambda with active tracing, as the ingestor's role",
    action: "upload trace segments and telemetry to X-Ray (CreateFunction checks it)",
    reference: REF.lambdaXray,
    requests: (plan) => (plan.ofType(T.fn).some((f) => f.inputs.tracingConfig?.mode === "Active") ? XRAY_WRITE_ACTIONS.flatMap((action) => byRole(plan, "ingestor", action, "*", undefined)) : []),
  },
  {
    // The guide's statement grants kms:Describe* under the same encryption-context condition, which a
    // DescribeKey request never carries; as written it grants DescribeKey nothing, so only the data
    // actions are contracts here (keys.ts keeps the guide's statement).
    id: "logs-encrypts-log-groups",
    caller: "Amazon CloudWatch Logs",
    action: "encrypt and decrypt each log group's events under the stack key",
    reference: REF.logsKms,
    requests: (plan) =>
      plan
        .ofType(T.logGroup)
        .filter((g) => g.inputs.kmsKeyId)
        .flatMap((group) =>
          onKey(plan, viaService("logs", plan.region), ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], {
            "kms:EncryptionContext:aws:logs:arn": plan.logGroupArn(group),
          }),
        ),
  },
  {
    id: "ingestor-reads-inbox",
    caller: "the ingestor",
    action: "read each message from the inbox and decrypt it",
    reference: `${REF.sseKms}; ${REF.bucketKeys}`,
    requests: (plan) => {
      const role = plan.role("ingestor");
      if (!role || !plan.find(T.fn)) return [];
      const inbox = plan.bucket("inbox");
      return [
        ...byRole(plan, "ingestor", "s3:GetObject", `${inbox.arn}/ses/message-id`, plan.bucketPolicy(inbox.name), OVER_TLS),
        ...onKey(plan, role.arn, ["kms:Decrypt"], { "kms:ViaService": viaService("s3", plan.region), "kms:EncryptionContext:aws:s3:arn": inbox.arn }, plan.identityPolicies("ingestor")),
      ];
    },
  },
  {
    id: "ingestor-writes-archive",
    caller: "the ingestor",
    action: "create archive objects under the stack key (SSE-KMS headers as s3Store sends them) and see whether a sidecar exists",
    reference: `${REF.sseKms}; ${REF.bucketKeys}`,
    requests: (plan) => {
      const role = plan.role("ingestor");
      if (!role || !plan.find(T.fn)) return [];
      const archive = plan.bucket("archive");
      const policy = plan.bucketPolicy(archive.name);
      return [
        ...byRole(plan, "ingestor", "s3:PutObject", `${archive.arn}/messages/2024/01/01/abc.eml`, policy, {
          ...OVER_TLS,
          "s3:x-amz-server-side-encryption": "aws:kms",
          "s3:x-amz-server-side-encryption-aws-kms-key-id": plan.keyArn,
        }),
        ...byRole(plan, "ingestor", "s3:ListBucket", archive.arn, policy, { ...OVER_TLS, "s3:prefix": "meta/2024/01/01/abc.json" }),
        ...onKey(plan, role.arn, ["kms:GenerateDataKey"], { "kms:ViaService": viaService("s3", plan.region), "kms:EncryptionContext:aws:s3:arn": archive.arn }, plan.identityPolicies("ingestor")),
      ];
    },
  },
  {
    id: "auditor-reads-records",
    caller: "an auditor (the auditor role, assumed with MFA)",
    action: "list the archive and read each record with its state: HeadObject with ChecksumMode (s3:GetObject, s3:GetObjectRetention, s3:GetObjectLegalHold, kms:Decrypt through S3)",
    reference: `${REF.headObject}; ${REF.sseKms}`,
    requests: (plan) => {
      const role = plan.role("auditor");
      if (!role) return [];
      const archive = plan.bucket("archive");
      const policy = plan.bucketPolicy(archive.name);
      const asAuditor = (action: string, resource: string, extra: Record<string, string> = {}) => byRole(plan, "auditor", action, resource, policy, { ...OVER_TLS, ...WITH_MFA, ...extra });
      return [
        ...asAuditor("s3:ListBucket", archive.arn, { "s3:prefix": "messages/2026/" }),
        ...["s3:GetObject", "s3:GetObjectRetention", "s3:GetObjectLegalHold"].flatMap((action) => asAuditor(action, `${archive.arn}/${RECORD}`)),
        ...onKey(plan, role.arn, ["kms:Decrypt"], { "kms:ViaService": viaService("s3", plan.region), "kms:EncryptionContext:aws:s3:arn": archive.arn, ...WITH_MFA }, plan.identityPolicies("auditor")),
      ];
    },
  },
  ...(["auditor", "hold-admin"] as const).map(
    (part): PermissionContract => ({
      id: `${part}-writes-trail`,
      caller: `a${part === "auditor" ? "n auditor" : " hold admin"} (the ${part} role, assumed with MFA)`,
      action: "record each act in the archive's trail: create objects under audit/ with the SSE-KMS headers functions/auditor/s3.ts sends, find the stack key from the bucket's default encryption",
      reference: `${REF.sseKms}; ${REF.bucketKeys}; ${REF.bucketEncryption}`,
      requests: (plan) => {
        const role = plan.role(part);
        if (!role) return [];
        const archive = plan.bucket("archive");
        const policy = plan.bucketPolicy(archive.name);
        return [
          ...byRole(plan, part, "s3:PutObject", `${archive.arn}/${TRAIL_OBJECT}`, policy, {
            ...OVER_TLS,
            ...WITH_MFA,
            "s3:x-amz-server-side-encryption": "aws:kms",
            "s3:x-amz-server-side-encryption-aws-kms-key-id": plan.keyArn,
          }),
          ...byRole(plan, part, "s3:GetEncryptionConfiguration", archive.arn, policy, { ...OVER_TLS, ...WITH_MFA }),
          ...onKey(plan, role.arn, ["kms:GenerateDataKey"], { "kms:ViaService": viaService("s3", plan.region), "kms:EncryptionContext:aws:s3:arn": archive.arn, ...WITH_MFA }, plan.identityPolicies(part)),
        ];
      },
    }),
  ),
  {
    id: "hold-admin-holds-records",
    caller: "a hold admin (the hold-admin role, assumed with MFA)",
    action: "set and clear a record's legal hold and read back its hold and retention, finding it by listing (no read of its content)",
    reference: REF.legalHold,
    requests: (plan) => {
      if (!plan.role("hold-admin")) return [];
      const archive = plan.bucket("archive");
      const policy = plan.bucketPolicy(archive.name);
      const asAdmin = (action: string, resource: string, extra: Record<string, string> = {}) => byRole(plan, "hold-admin", action, resource, policy, { ...OVER_TLS, ...WITH_MFA, ...extra });
      return [
        ...asAdmin("s3:ListBucket", archive.arn, { "s3:prefix": RECORD }),
        ...["s3:PutObjectLegalHold", "s3:GetObjectLegalHold", "s3:GetObjectRetention"].flatMap((action) => asAdmin(action, `${archive.arn}/${RECORD}`)),
      ];
    },
  },
  {
    id: "hold-admin-reads-trail",
    caller: "a hold admin (the hold-admin role, assumed with MFA)",
    action: "read the trail back (which case holds which record): list audit/, get its objects and decrypt them through S3",
    reference: `${REF.sseKms}; ${REF.bucketKeys}`,
    requests: (plan) => {
      const role = plan.role("hold-admin");
      if (!role) return [];
      const archive = plan.bucket("archive");
      const policy = plan.bucketPolicy(archive.name);
      return [
        ...byRole(plan, "hold-admin", "s3:ListBucket", archive.arn, policy, { ...OVER_TLS, ...WITH_MFA, "s3:prefix": "audit/" }),
        ...byRole(plan, "hold-admin", "s3:GetObject", `${archive.arn}/${TRAIL_OBJECT}`, policy, { ...OVER_TLS, ...WITH_MFA }),
        ...onKey(plan, role.arn, ["kms:Decrypt"], { "kms:ViaService": viaService("s3", plan.region), "kms:EncryptionContext:aws:s3:arn": archive.arn, ...WITH_MFA }, plan.identityPolicies("hold-admin")),
      ];
    },
  },
  {
    id: "cloudtrail-checks-bucket",
    caller: "AWS CloudTrail (the trail)",
    action: "read the log bucket's ACL",
    reference: REF.trailBucket,
    requests: (plan) => (plan.find(T.trail) ? [byService("cloudtrail.amazonaws.com", "s3:GetBucketAcl", plan.bucket("trail").arn, plan.bucketPolicy(plan.bucket("trail").name), { "aws:SourceArn": trailArn(plan), ...OVER_TLS })] : []),
  },
  {
    id: "cloudtrail-writes-logs",
    caller: "AWS CloudTrail (the trail)",
    action: "write log and digest files, SSE-KMS under the stack key",
    reference: REF.trailBucket,
    requests: (plan) =>
      plan.find(T.trail)
        ? [
            byService("cloudtrail.amazonaws.com", "s3:PutObject", `${plan.bucket("trail").arn}/AWSLogs/${ACCOUNT}/CloudTrail/${plan.region}/2024/01/01/file.json.gz`, plan.bucketPolicy(plan.bucket("trail").name), {
              "aws:SourceArn": trailArn(plan),
              "s3:x-amz-acl": "bucket-owner-full-control",
              "s3:x-amz-server-side-encryption": "aws:kms",
              "s3:x-amz-server-side-encryption-aws-kms-key-id": plan.keyArn,
              ...OVER_TLS,
            }),
          ]
        : [],
  },
  {
    id: "cloudtrail-encrypts-logs",
    caller: "AWS CloudTrail (the trail)",
    action: "generate data keys for log files under the stack key",
    reference: `${REF.trailKms}, "Granting encrypt permissions for trails" ${REF.trailKmsUrl}`,
    requests: (plan) => (plan.find(T.trail) ? onKey(plan, "cloudtrail.amazonaws.com", ["kms:GenerateDataKey"], { "aws:SourceArn": trailArn(plan), "kms:EncryptionContext:aws:cloudtrail:arn": trailArn(plan) }) : []),
  },
  {
    id: "cloudtrail-describes-key",
    caller: "AWS CloudTrail (CreateTrail and UpdateTrail check the key)",
    action: "describe the stack key (a DescribeKey request carries no encryption context)",
    reference: `${REF.trailKms}, "Enable CloudTrail to describe KMS key properties" ${REF.trailKmsUrl}`,
    requests: (plan) => (plan.find(T.trail) ? onKey(plan, "cloudtrail.amazonaws.com", ["kms:DescribeKey"], { "aws:SourceArn": trailArn(plan) }) : []),
  },
  {
    id: "cloudtrail-decrypts-with-bucket-key",
    caller: "AWS CloudTrail, writing into a bucket with an S3 Bucket Key",
    action: "decrypt under the stack key (required to create or update the trail)",
    reference: `${REF.trailKms}, item 2 ("If you are using an existing S3 bucket with an S3 Bucket Key, kms:Decrypt permissions are required") ${REF.trailKmsUrl}`,
    requests: (plan) => {
      const bucketKey = plan.companion(T.encryption, plan.bucket("trail").name)?.inputs.rules?.[0]?.bucketKeyEnabled === true;
      return plan.find(T.trail) && bucketKey ? onKey(plan, "cloudtrail.amazonaws.com", ["kms:Decrypt"], { "aws:SourceArn": trailArn(plan) }) : [];
    },
  },
  {
    id: "cloudtrail-delivers-to-log-group",
    caller: "AWS CloudTrail, as the trail's delivery role",
    action: "assume the role, then create log streams and put events in the trail's log group",
    reference: REF.trailLogs,
    requests: (plan) => {
      const role = plan.role("trail-delivery");
      const group = plan.find(T.logGroup, "trail");
      if (!role || !group || !plan.find(T.trail)) return [];
      return [
        byService("cloudtrail.amazonaws.com", "sts:AssumeRole", role.arn, plan.trustPolicy("trail-delivery"), {}),
        ...["logs:CreateLogStream", "logs:PutLogEvents"].flatMap((action) => byRole(plan, "trail-delivery", action, `${plan.logGroupArn(group)}:log-stream:${ACCOUNT}_CloudTrail_${plan.region}`, undefined)),
      ];
    },
  },
  {
    id: "alarms-publish-alerts",
    caller: "Amazon CloudWatch (each alarm's actions)",
    action: "publish to the alerts topic",
    reference: REF.alarmsSns,
    requests: (plan) => {
      const topic = plan.topic("alerts");
      return topic ? plan.ofType(T.alarm).map((alarm) => byService("cloudwatch.amazonaws.com", "sns:Publish", topic.arn, topic.policy, { "aws:SourceArn": alarmArn(plan, alarm.name), "aws:SourceAccount": ACCOUNT })) : [];
    },
  },
  {
    id: "alarms-encrypt-alerts",
    caller: "Amazon CloudWatch, publishing to the encrypted alerts topic",
    action: "use the stack key for the topic's messages",
    reference: REF.snsKeys,
    requests: (plan) => {
      const topic = plan.topic("alerts");
      return topic && plan.ofType(T.alarm).length > 0
        ? onKey(plan, "cloudwatch.amazonaws.com", ["kms:GenerateDataKey", "kms:Decrypt"], {
            "aws:SourceArn": alarmArn(plan, plan.ofType(T.alarm)[0].name),
            "aws:SourceAccount": ACCOUNT,
            "kms:ViaService": viaService("sns", plan.region),
            "kms:EncryptionContext:aws:sns:topicArn": topic.arn,
          })
        : [];
    },
  },
  {
    id: "deployer-creates-backup-vault",
    caller: "the deploying identity (CreateBackupVault under the stack key)",
    action: "hold CreateGrant, DescribeKey, RetireGrant, Decrypt and GenerateDataKey on the key, through AWS Backup",
    reference: REF.backupVault,
    requests: (plan) =>
      plan.find(T.vault)?.inputs.kmsKeyArn
        ? BACKUP_VAULT_CREATOR_ACTIONS.flatMap((action) =>
            onKey(
              plan,
              DEPLOYER,
              [action],
              { "kms:ViaService": viaService("backup", plan.region), "kms:CallerAccount": ACCOUNT, ...(action === "kms:CreateGrant" ? { "kms:GrantIsForAWSResource": "true" } : {}) },
              deployerHolding(plan, BACKUP_VAULT_CREATOR_ACTIONS),
            ),
          )
        : [],
  },
  {
    id: "deployer-administers-key",
    caller: "the deploying identity (Pulumi creating, reading and updating the key)",
    action: "describe the key, read and replace its policy (the lockout check), rotate, tag and alias it",
    reference: REF.kmsDefaultPolicy,
    requests: (plan) => (plan.find(T.key) ? onKey(plan, DEPLOYER, DEPLOYER_KEY_ADMIN_ACTIONS, { "kms:CallerAccount": ACCOUNT }, deployerHolding(plan, DEPLOYER_KEY_ADMIN_ACTIONS)) : []),
  },
  {
    id: "backup-role-uses-key",
    caller: "AWS Backup, as the backup role",
    action: "assume the role, and use the stack key for the archive's SSE-KMS objects",
    reference: REF.backupS3,
    requests: (plan) => {
      const role = plan.role("backup");
      if (!role || !plan.find(T.selection)) return [];
      return [
        byService("backup.amazonaws.com", "sts:AssumeRole", role.arn, plan.trustPolicy("backup"), {}),
        ...onKey(plan, role.arn, ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], { "kms:ViaService": viaService("s3", plan.region) }),
        ...onKey(plan, role.arn, ["kms:CreateGrant"], { "kms:ViaService": viaService("backup", plan.region), "kms:GrantIsForAWSResource": "true" }),
      ];
    },
  },
  {
    id: "backup-role-reads-archive",
    caller: "AWS Backup, as the backup role (its AWS-managed policy standing in as the documented S3 read actions)",
    action: "read every archive object version: the archive's bucket policy must not deny it",
    reference: REF.backupS3,
    requests: (plan) => {
      const role = plan.role("backup");
      if (!role || !plan.find(T.selection)) return [];
      const archive = plan.bucket("archive");
      const reads = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"];
      const identity = [{ name: "AWSBackupServiceRolePolicyForS3Backup (documented reads)", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [...reads, "s3:ListBucketVersions"], Resource: [archive.arn, `${archive.arn}/*`] }] } }];
      return [
        ...reads.map((action) => ({ principal: role.arn, action, resource: `${archive.arn}/messages/x.eml`, resourceAccount: ACCOUNT, context: OVER_TLS, identityPolicies: identity, resourcePolicy: plan.bucketPolicy(archive.name) })),
        { principal: role.arn, action: "s3:ListBucketVersions", resource: archive.arn, resourceAccount: ACCOUNT, context: OVER_TLS, identityPolicies: identity, resourcePolicy: plan.bucketPolicy(archive.name) },
      ] as AwsRequest[];
    },
  },
  {
    id: "replication-reads-source",
    caller: "Amazon S3 replication, as the replication role",
    action: "assume the role, read the configuration and each source version with its retention and legal hold",
    reference: REF.replicationRole,
    requests: (plan) => {
      const role = plan.role("replication");
      if (!role || !plan.find(T.replication)) return [];
      const archive = plan.bucket("archive");
      const policy = plan.bucketPolicy(archive.name);
      return [
        byService("s3.amazonaws.com", "sts:AssumeRole", role.arn, plan.trustPolicy("replication"), {}),
        ...["s3:GetReplicationConfiguration", "s3:ListBucket"].flatMap((action) => byRole(plan, "replication", action, archive.arn, policy, OVER_TLS)),
        ...["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"].flatMap((action) =>
          byRole(plan, "replication", action, `${archive.arn}/messages/x.eml`, policy, OVER_TLS),
        ),
      ];
    },
  },
  {
    id: "replication-decrypts-source",
    caller: "Amazon S3 replication, as the replication role",
    action: "decrypt source objects under the stack key",
    reference: REF.replicationKms,
    requests: (plan) => {
      const role = plan.role("replication");
      return role && plan.find(T.replication)
        ? onKey(plan, role.arn, ["kms:Decrypt"], { "kms:ViaService": viaService("s3", plan.region), "kms:EncryptionContext:aws:s3:arn": plan.bucket("archive").arn }, plan.identityPolicies("replication"))
        : [];
    },
  },
  {
    id: "replication-writes-replicas",
    caller: "Amazon S3 replication, as the replication role",
    action: "replicate objects and tags into the peer's archive, encrypting under the peer's key (its own policies: the peer stack's contracts)",
    reference: `${REF.replicationRole}; ${REF.replicationKms}`,
    requests: (plan) => {
      const config = plan.find(T.replication);
      const role = plan.role("replication");
      if (!config || !role) return [];
      const destination = config.inputs.rules[0].destination;
      const peerRegion = String(destination.encryptionConfiguration.replicaKmsKeyId).split(":")[3];
      // The peer's key delegates to IAM for this role (its PeerReplicationEncryptsReplicas, checked on the peer's own plan by peer-replication-encrypts).
      const peerKeyPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: "*" }] };
      return [
        ...["s3:ReplicateObject", "s3:ReplicateTags"].flatMap((action) => byRole(plan, "replication", action, `${destination.bucket}/messages/x.eml`, undefined, OVER_TLS)),
        ...["kms:Encrypt", "kms:GenerateDataKey"].map((action) => ({
          principal: role.arn,
          action,
          resource: destination.encryptionConfiguration.replicaKmsKeyId,
          resourceAccount: ACCOUNT,
          context: { "kms:ViaService": viaService("s3", peerRegion), "kms:EncryptionContext:aws:s3:arn": destination.bucket },
          identityPolicies: plan.identityPolicies("replication"),
          resourcePolicy: peerKeyPolicy,
        })),
      ];
    },
  },
  {
    id: "peer-replication-encrypts",
    caller: "the peer stack's replication role (it may not exist yet), holding what its own plan grants it",
    action: "encrypt replicas under this stack's key, through S3",
    reference: REF.replicationKms,
    requests: (plan) => {
      const peer = plan.config.peerStack.split("/").pop()!;
      const peerRole = `arn:aws:iam::${ACCOUNT}:role/email-journal-replication-${peer}`;
      const identity = [{ name: "EncryptReplicas", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: plan.keyArn }] } }];
      return onKey(plan, peerRole, ["kms:Encrypt", "kms:GenerateDataKey"], { "kms:ViaService": viaService("s3", plan.region), "kms:EncryptionContext:aws:s3:arn": plan.bucket("archive").arn }, identity);
    },
  },
  {
    id: "s3-delivers-access-logs",
    caller: "Amazon S3 server access logging (logging.s3.amazonaws.com)",
    action: "write the archive's access logs into the access-log bucket",
    reference: REF.accessLogs,
    requests: (plan) => {
      const logging = plan.companion(T.logging, plan.bucket("archive").name);
      if (!logging) return [];
      return [
        byService("logging.s3.amazonaws.com", "s3:PutObject", `arn:aws:s3:::${logging.inputs.targetBucket}/${logging.inputs.targetPrefix}2024-01-01-00-00-00-ABC`, plan.bucketPolicy(String(logging.inputs.targetBucket)), {
          "aws:SourceArn": plan.bucket("archive").arn,
          "aws:SourceAccount": ACCOUNT,
          ...OVER_TLS,
        }),
      ];
    },
  },
];

const named = (r: { type: string; name: string }) => `${r.name} (${r.type.split(":").pop()})`;

/** `resource` waits for each of `needs` (explicit dependsOn, transitively). */
function waitsForEach(plan: AwsPlan, resource: ReturnType<AwsPlan["find"]>, needs: readonly (ReturnType<AwsPlan["find"]>)[], why: string): string[] {
  if (!resource) return [];
  const waits = plan.waitsFor(resource);
  return needs.filter((n): n is NonNullable<typeof n> => n !== undefined && !waits.has(keyOf(n))).map((n) => `${named(resource)} does not wait for ${named(n)}: ${why}`);
}

const lockedBuckets = (plan: AwsPlan) => plan.ofType(T.bucket).filter((b) => b.inputs.objectLockEnabled === true);
const denies = (policy: PolicyDocument | undefined, action: string) =>
  (policy?.Statement ?? []).some((s) => s.Effect === "Deny" && ([] as unknown[]).concat(s.Action).includes(action));

export const RULE_CONTRACTS: readonly RuleContract[] = [
  {
    id: "locked-policy-after-locked-settings",
    kind: "ordering",
    statement: "a bucket policy that denies s3:PutBucketVersioning and s3:PutBucketObjectLockConfiguration is applied after the bucket's versioning and Object Lock configuration, which it would refuse on the first run otherwise",
    reference: REF.policyLockout,
    applies: (plan) => lockedBuckets(plan).length > 0,
    check: (plan) =>
      lockedBuckets(plan).flatMap((bucket) => {
        const policy = plan.companion(T.bucketPolicy, bucket.inputs.bucket);
        const document = plan.bucketPolicy(bucket.inputs.bucket);
        if (!policy || !denies(document, "s3:PutBucketVersioning")) return [];
        return waitsForEach(plan, policy, [plan.companion(T.versioning, bucket.inputs.bucket), plan.companion(T.objectLock, bucket.inputs.bucket)], "its deny would refuse them");
      }),
  },
  {
    id: "object-lock-after-versioning",
    kind: "ordering",
    statement: "an Object Lock configuration is put after versioning is enabled",
    reference: REF.objectLock,
    applies: (plan) => plan.ofType(T.objectLock).length > 0,
    check: (plan) => plan.ofType(T.objectLock).flatMap((lock) => waitsForEach(plan, lock, [plan.companion(T.versioning, lock.inputs.bucket)], "Object Lock needs versioning")),
  },
  {
    id: "function-after-execution-policy",
    kind: "ordering",
    statement: "the ingestor function and its event source mapping are created after the role's policy: CreateFunction checks X-Ray permissions with active tracing, CreateEventSourceMapping checks the SQS ones",
    reference: `${REF.lambdaXray}; ${REF.lambdaSqs}`,
    applies: (plan) => plan.find(T.fn) !== undefined,
    check: (plan) => {
      const policy = plan.find(T.rolePolicy, "ingestor");
      return [...waitsForEach(plan, plan.find(T.fn), [policy], "Lambda checks the role's permissions when it creates the function"), ...waitsForEach(plan, plan.find(T.mapping), [policy], "Lambda checks the role's SQS permissions when it creates the mapping")];
    },
  },
  {
    id: "receipt-rule-after-permissions",
    kind: "ordering",
    statement: "the SES receipt rule is created after the inbox's bucket policy and the intake topic's policy, which SES checks when the rule is created",
    reference: REF.sesReceiving,
    applies: (plan) => plan.find(T.rule) !== undefined,
    check: (plan) => waitsForEach(plan, plan.find(T.rule), [plan.companion(T.bucketPolicy, plan.bucket("inbox").name), plan.find(T.topicPolicy, "intake")], "SES checks it may write and publish"),
  },
  {
    id: "notification-after-queue-policy",
    kind: "ordering",
    statement: "the inbox's event notification is configured after the queue policy, which S3 checks by sending a test event",
    reference: REF.s3Notifications,
    applies: (plan) => plan.find(T.notification) !== undefined,
    check: (plan) => waitsForEach(plan, plan.find(T.notification), [plan.find(T.queuePolicy, "intake")], "S3 validates the destination"),
  },
  {
    id: "trail-after-permissions",
    kind: "ordering",
    statement: "the trail is created after its bucket policy and its delivery role's policy, which CreateTrail checks",
    reference: `${REF.trailBucket}; ${REF.trailLogs}`,
    applies: (plan) => plan.find(T.trail) !== undefined,
    check: (plan) => waitsForEach(plan, plan.find(T.trail), [plan.companion(T.bucketPolicy, plan.bucket("trail").name), plan.find(T.rolePolicy, "trail-delivery")], "CloudTrail checks them"),
  },
  {
    id: "replication-after-permissions",
    kind: "ordering",
    statement: "replication is configured after the role's policy and the source's versioning",
    reference: REF.replicationRole,
    applies: (plan) => plan.find(T.replication) !== undefined,
    check: (plan) => waitsForEach(plan, plan.find(T.replication), [plan.find(T.rolePolicy, "replication"), plan.companion(T.versioning, plan.bucket("archive").name)], "S3 requires them"),
  },
  {
    id: "locked-versioning-kept-on-destroy",
    kind: "lifecycle",
    statement: "on an Object Lock bucket, BucketVersioning and the Object Lock configuration are kept when the stack lets go of them: deleting them would suspend versioning or remove the lock, which S3 refuses (InvalidBucketState), and `pulumi destroy` would stop there",
    reference: REF.objectLock,
    applies: (plan) => lockedBuckets(plan).length > 0,
    check: (plan) =>
      lockedBuckets(plan).flatMap((bucket) =>
        [plan.companion(T.versioning, bucket.inputs.bucket), plan.companion(T.objectLock, bucket.inputs.bucket)]
          .filter((c): c is NonNullable<typeof c> => c !== undefined && c.options.retainOnDelete !== true)
          .map((c) => `${named(c)} on Object Lock bucket ${bucket.inputs.bucket} is not retainOnDelete`),
      ),
  },
  {
    id: "locked-policy-kept-on-destroy",
    kind: "lifecycle",
    statement: "outside a sandbox, a bucket policy that denies s3:DeleteBucketPolicy is kept with its kept bucket: the deployer cannot delete it (only the root user and break-glass can)",
    reference: REF.policyLockout,
    applies: (plan) => !plan.config.sandbox && lockedBuckets(plan).length > 0,
    check: (plan) =>
      plan.config.sandbox
        ? []
        : lockedBuckets(plan).flatMap((bucket) => {
            const policy = plan.companion(T.bucketPolicy, bucket.inputs.bucket);
            return policy && denies(plan.bucketPolicy(bucket.inputs.bucket), "s3:DeleteBucketPolicy") && policy.options.retainOnDelete !== true ? [`${named(policy)} denies s3:DeleteBucketPolicy but is not retainOnDelete`] : [];
          }),
  },
  {
    id: "access-log-target-accepted",
    kind: "setting",
    statement: "the server access log bucket uses SSE-S3 and has no default Object Lock retention, as S3 requires of a destination",
    reference: REF.accessLogs,
    applies: (plan) => plan.companion(T.logging, plan.bucket("archive").name) !== undefined,
    check: (plan) => {
      const target = String(plan.companion(T.logging, plan.bucket("archive").name)?.inputs.targetBucket);
      const sse = plan.companion(T.encryption, target)?.inputs.rules?.[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm;
      return [
        ...(sse !== "AES256" ? [`access-log bucket ${target} encrypts with ${JSON.stringify(sse)}; S3 delivers server access logs to SSE-S3 buckets only`] : []),
        ...(plan.companion(T.objectLock, target) ? [`access-log bucket ${target} has an Object Lock configuration; S3 refuses such a destination`] : []),
      ];
    },
  },
  {
    id: "backup-source-versioned",
    kind: "setting",
    statement: "the archive AWS Backup protects is versioned, and the backup role has AWSBackupServiceRolePolicyForS3Backup",
    reference: REF.backupS3,
    applies: (plan) => plan.find(T.selection) !== undefined,
    check: (plan) => {
      const versioned = plan.companion(T.versioning, plan.bucket("archive").name)?.inputs.versioningConfiguration?.status === "Enabled";
      const role = plan.role("backup");
      const attached = plan.ofType(T.attachment).some((a) => a.inputs.role === role?.resource.name && String(a.inputs.policyArn).endsWith("/AWSBackupServiceRolePolicyForS3Backup"));
      return [...(versioned ? [] : ["the archive is not versioned; AWS Backup for S3 requires versioning"]), ...(attached ? [] : ["the backup role lacks AWSBackupServiceRolePolicyForS3Backup"])];
    },
  },
  {
    id: "queue-outlasts-function",
    kind: "setting",
    statement: "the intake queue's visibility timeout is at least six times the function's timeout",
    reference: REF.lambdaSqs,
    applies: (plan) => plan.find(T.fn) !== undefined,
    check: (plan) => {
      const fn = plan.find(T.fn)!;
      const queue = plan.queue("intake-queue")?.resource;
      return queue && queue.inputs.visibilityTimeoutSeconds >= 6 * fn.inputs.timeout ? [] : [`${queue?.name ?? "the intake queue"} visibility timeout is below six times ${fn.inputs.timeout} seconds`];
    },
  },
  {
    id: "concurrency-only-when-configured",
    kind: "setting",
    statement: "the ingestor reserves concurrency only when email-journal:reservedConcurrency asks (Lambda refuses a reservation that leaves the account fewer than 100 unreserved)",
    reference: REF.lambdaConcurrency,
    applies: (plan) => plan.find(T.fn) !== undefined,
    check: (plan) => {
      const reserved = plan.find(T.fn)!.inputs.reservedConcurrentExecutions;
      return reserved === plan.config.reservedConcurrency ? [] : [`the ingestor reserves ${JSON.stringify(reserved)} concurrent executions; email-journal:reservedConcurrency is ${JSON.stringify(plan.config.reservedConcurrency)}`];
    },
  },
];

/** What the plan must refuse: each request is one a role must not be able to make. */
export interface RefusalContract {
  readonly id: string;
  readonly statement: string;
  readonly reference: string;
  requests(plan: AwsPlan): AwsRequest[];
}

export const REFUSAL_CONTRACTS: readonly RefusalContract[] = [
  {
    id: "people-write-only-the-trail",
    statement: "the auditor and hold-admin roles create objects under audit/ only, never a record, and never without MFA",
    reference: REF.leastPrivilege,
    requests: (plan) => {
      const archive = plan.bucket("archive");
      const policy = plan.bucketPolicy(archive.name);
      const sse = { "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": plan.keyArn };
      return (["auditor", "hold-admin"] as const).flatMap((part) => [
        ...byRole(plan, part, "s3:PutObject", `${archive.arn}/${RECORD}`, policy, { ...OVER_TLS, ...WITH_MFA, ...sse }),
        ...byRole(plan, part, "s3:PutObject", `${archive.arn}/meta/2026/01/01/abc.json`, policy, { ...OVER_TLS, ...WITH_MFA, ...sse }),
        ...byRole(plan, part, "s3:PutObject", `${archive.arn}/${TRAIL_OBJECT}`, policy, { ...OVER_TLS, "aws:MultiFactorAuthPresent": "false", ...sse }),
      ]);
    },
  },
  {
    id: "hold-admins-read-only-the-trail",
    statement: "a hold admin reads no record: s3:GetObject is theirs under audit/ only, and the key only through S3",
    reference: REF.leastPrivilege,
    requests: (plan) => {
      const role = plan.role("hold-admin");
      if (!role) return [];
      const archive = plan.bucket("archive");
      return [
        ...byRole(plan, "hold-admin", "s3:GetObject", `${archive.arn}/${RECORD}`, plan.bucketPolicy(archive.name), { ...OVER_TLS, ...WITH_MFA }),
        ...onKey(plan, role.arn, ["kms:Decrypt"], { "kms:EncryptionContext:aws:s3:arn": archive.arn, ...WITH_MFA }, plan.identityPolicies("hold-admin")),
      ];
    },
  },
  {
    id: "trail-is-worm",
    statement: "no role may delete an event of the trail or change its retention: the archive policy's denies cover audit/ as every record",
    reference: `${REF.leastPrivilege}; ${REF.objectLock}`,
    requests: (plan) => {
      const archive = plan.bucket("archive");
      const policy = plan.bucketPolicy(archive.name);
      return (["auditor", "hold-admin"] as const).flatMap((part) =>
        ["s3:DeleteObject", "s3:PutObjectRetention", "s3:BypassGovernanceRetention"].flatMap((action) => byRole(plan, part, action, `${archive.arn}/${TRAIL_OBJECT}`, policy, { ...OVER_TLS, ...WITH_MFA })),
      );
    },
  },
];

export interface ContractReport {
  /** Contracts that had something to check in this plan. */
  readonly checked: number;
  readonly problems: string[];
}

/** Checks every contract against the plan; a failed one names its reference. */
export async function checkContracts(plan: AwsPlan, only?: readonly string[]): Promise<ContractReport> {
  const problems: string[] = [];
  let checked = 0;
  for (const contract of PERMISSION_CONTRACTS.filter((c) => !only || only.includes(c.id))) {
    const requests = contract.requests(plan);
    if (requests.length === 0) continue;
    checked++;
    for (const request of requests) {
      const { decision, described } = await evaluateRequest(request);
      if (decision !== "Allowed") problems.push(`${contract.id}: ${contract.caller} must ${contract.action}, but ${described} is ${decision} by the plan; required by ${contract.reference}`);
    }
  }
  for (const contract of REFUSAL_CONTRACTS.filter((c) => !only || only.includes(c.id))) {
    const requests = contract.requests(plan);
    if (requests.length === 0) continue;
    checked++;
    for (const request of requests) {
      const { decision, described } = await evaluateRequest(request);
      if (decision === "Allowed") problems.push(`${contract.id}: ${described} is Allowed by the plan; ${contract.statement} (${contract.reference})`);
    }
  }
  for (const contract of RULE_CONTRACTS.filter((c) => !only || only.includes(c.id))) {
    if (!contract.applies(plan)) continue;
    checked++;
    for (const found of contract.check(plan)) problems.push(`${contract.id}: ${found}; ${contract.statement} (${contract.reference})`);
  }
  return { checked, problems };
}
