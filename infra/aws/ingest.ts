// Intake: SES receipt rule → inbox bucket (+ SNS notice with the envelope) → SQS (with a
// dead-letter queue) → the Lambda ingestor. Objects dropped into the inbox by other tools
// under `drop/` notify the queue directly; SES writes under `ses/`, so nothing is ingested twice.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { bundleArchive } from "../bundle";
import { policyJson, type Statement } from "./policy";
import { bucketPolicy, privateBucket } from "./storage";

/** Long enough for a 40 MB message: fetch, parse, hash, upload. */
export const INGESTOR_TIMEOUT_SECONDS = 300;
/** A 40 MB message is held about three times over (bytes, decode buffers, upload): 2 GB leaves room and buys CPU. */
export const INGESTOR_MEMORY_MB = 2048;
/** The current Node.js Lambda runtime, and the esbuild target that matches it. */
export const LAMBDA_RUNTIME = aws.lambda.Runtime.NodeJS24dX;
export const BUNDLE_TARGET = "node24";

export interface IntakeArgs {
  readonly config: StackConfig;
  readonly accountId: pulumi.Input<string>;
  readonly inboxBucketName: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly archiveBucketName: pulumi.Input<string>;
  readonly ingestorRoleArn: pulumi.Input<string>;
  readonly ruleSetName: string;
  readonly ruleName: string;
  readonly functionName: string;
  readonly logRetentionDays: number;
  /**
   * The ingestor role's inline policy. Lambda checks the role when the function and its event
   * source mapping are created, so both wait for it: "The provided execution role does not have
   * permissions to call PutTraceSegments on XRAY" (tracing) or "... ReceiveMessage on SQS" otherwise.
   */
  readonly executionPolicy: aws.iam.RolePolicy;
}

/** The intake queue's name: fixed per stack, so that the ingestor's policy can name it before it exists. */
export function intakeQueueName(stack: string): string {
  return `email-journal-intake-${stack}`;
}

export function receiptRuleArn(region: string, accountId: pulumi.Input<string>, ruleSetName: string, ruleName: string): pulumi.Output<string> {
  return pulumi.interpolate`arn:aws:ses:${region}:${accountId}:receipt-rule-set/${ruleSetName}:receipt-rule/${ruleName}`;
}

export function intake(name: string, args: IntakeArgs, opts: pulumi.CustomResourceOptions) {
  const { config } = args;
  const ruleArn = receiptRuleArn(config.region, args.accountId, args.ruleSetName, args.ruleName);

  const inbox = privateBucket(`${name}-inbox`, { bucketName: args.inboxBucketName, kmsKeyArn: args.kmsKeyArn, forceDestroy: config.sandbox }, opts);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-inbox-lifecycle`,
    // The archive holds the copy; the inbox is a staging area, emptied after a month.
    { bucket: inbox.name, rules: [{ id: "expire-processed", status: "Enabled", filter: {}, expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 1 } }] },
    { ...opts, dependsOn: [inbox.versioning] },
  );
  const inboxPolicy = bucketPolicy(
    `${name}-inbox-policy`,
    inbox,
    [
      {
        Sid: "SesStoresJournalMail",
        Effect: "Allow",
        Principal: { Service: "ses.amazonaws.com" },
        Action: ["s3:PutObject"],
        Resource: pulumi.interpolate`${inbox.arn}/ses/*`,
        Condition: { StringEquals: { "aws:SourceAccount": args.accountId, "aws:SourceArn": ruleArn } },
      },
    ],
    opts,
  );

  const topic = new aws.sns.Topic(`${name}-intake-topic`, { kmsMasterKeyId: args.kmsKeyArn }, opts);
  const topicPolicy = new aws.sns.TopicPolicy(
    `${name}-intake-topic-policy`,
    {
      arn: topic.arn,
      policy: policyJson([
        { Sid: "SesPublishesReceipts", Effect: "Allow", Principal: { Service: "ses.amazonaws.com" }, Action: ["sns:Publish"], Resource: topic.arn, Condition: { StringEquals: { "aws:SourceAccount": args.accountId, "aws:SourceArn": ruleArn } } },
      ]),
    },
    opts,
  );

  // Named queues, and ARNs built from their names: known at preview, so the policy pack can
  // follow event source, queue, dead letters and alarm before anything exists.
  const queueArn = (queue: aws.sqs.Queue) => pulumi.interpolate`arn:aws:sqs:${args.config.region}:${args.accountId}:${queue.name}`;
  const deadLetters = new aws.sqs.Queue(
    `${name}-intake-dlq`,
    { name: `email-journal-intake-dlq-${args.config.stack}`, kmsMasterKeyId: args.kmsKeyArn, messageRetentionSeconds: 14 * 24 * 3600 },
    opts,
  );
  const queue = new aws.sqs.Queue(
    `${name}-intake-queue`,
    {
      name: intakeQueueName(args.config.stack),
      kmsMasterKeyId: args.kmsKeyArn,
      // AWS's guidance for Lambda sources: at least six times the function timeout.
      visibilityTimeoutSeconds: 6 * INGESTOR_TIMEOUT_SECONDS,
      messageRetentionSeconds: 14 * 24 * 3600,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: queueArn(deadLetters), maxReceiveCount: 5 }),
    },
    opts,
  );
  const queueStatements: Statement[] = [
    { Sid: "IntakeTopicDelivers", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: ["sqs:SendMessage"], Resource: queue.arn, Condition: { ArnEquals: { "aws:SourceArn": topic.arn } } },
    {
      Sid: "InboxDropsNotify",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: ["sqs:SendMessage"],
      Resource: queue.arn,
      Condition: { ArnEquals: { "aws:SourceArn": inbox.arn }, StringEquals: { "aws:SourceAccount": args.accountId } },
    },
  ];
  const queuePolicy = new aws.sqs.QueuePolicy(`${name}-intake-queue-policy`, { queueUrl: queue.url, policy: policyJson(queueStatements) }, opts);
  new aws.sns.TopicSubscription(`${name}-intake-subscription`, { topic: topic.arn, protocol: "sqs", endpoint: queue.arn }, { ...opts, dependsOn: [queuePolicy] });
  new aws.s3.BucketNotification(
    `${name}-inbox-drops`,
    { bucket: inbox.name, queues: [{ queueArn: queue.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "drop/" }] },
    { ...opts, dependsOn: [queuePolicy] },
  );

  const ruleSet = new aws.ses.ReceiptRuleSet(`${name}-rule-set`, { ruleSetName: args.ruleSetName }, opts);
  const rule = new aws.ses.ReceiptRule(
    `${name}-rule`,
    {
      name: args.ruleName,
      ruleSetName: ruleSet.ruleSetName,
      recipients: [...config.intake.addresses],
      enabled: true,
      scanEnabled: true,
      tlsPolicy: "Require",
      // Stored with the inbox's default SSE-KMS encryption: the action's kmsKeyArn would mean client-side encryption.
      s3Actions: [{ bucketName: inbox.name, objectKeyPrefix: "ses/", topicArn: topic.arn, position: 1 }],
    },
    // SES checks that it may write to the bucket and publish to the topic when the rule is created.
    { ...opts, dependsOn: [inboxPolicy, topicPolicy] },
  );
  // Only the primary receives mail; a standby's rule set stays inactive until it is promoted.
  const active = config.role === "primary" ? new aws.ses.ActiveReceiptRuleSet(`${name}-active-rule-set`, { ruleSetName: ruleSet.ruleSetName }, { ...opts, dependsOn: [rule] }) : undefined;

  const logGroup = new aws.cloudwatch.LogGroup(`${name}-ingestor-logs`, { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn }, opts);
  const ingestor = new aws.lambda.Function(
    `${name}-ingestor`,
    {
      name: args.functionName,
      runtime: LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      code: bundleArchive("aws/handler.ts", BUNDLE_TARGET),
      role: args.ingestorRoleArn,
      memorySize: INGESTOR_MEMORY_MB,
      timeout: INGESTOR_TIMEOUT_SECONDS,
      // Unreserved unless configured: "You can reserve up to the Unreserved account concurrency value
      // that is shown, minus 100 for functions that don't have reserved concurrency" (AWS Lambda Developer
      // Guide, "Configuring reserved concurrency for a function"), and new accounts' quotas are often lower.
      ...(config.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: config.reservedConcurrency } : {}),
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      // Active tracing: the role must allow xray:PutTraceSegments and xray:PutTelemetryRecords (access.ts).
      tracingConfig: { mode: "Active" },
      environment: {
        variables: {
          ARCHIVE_BUCKET: args.archiveBucketName,
          ARCHIVE_KMS_KEY_ARN: args.kmsKeyArn,
          INBOX_BUCKET: inbox.name,
          RETENTION_DAYS: String(config.retention.minimumDays),
          MAX_MESSAGE_BYTES: String(config.intake.maxMessageBytes),
          DETECTORS: config.detectors.join(","),
          LOG_LEVEL: "info",
          // Whose SES deliveries are trusted senders (functions/aws/events.ts): unset trusts none.
          ...(config.intake.allowedSenders.length > 0 ? { ALLOWED_SENDERS: config.intake.allowedSenders.join(",") } : {}),
        },
      },
    },
    { ...opts, dependsOn: [args.executionPolicy] },
  );
  const mapping = new aws.lambda.EventSourceMapping(
    `${name}-ingestor-source`,
    { eventSourceArn: queueArn(queue), functionName: ingestor.arn, batchSize: 5, functionResponseTypes: ["ReportBatchItemFailures"] },
    { ...opts, dependsOn: [args.executionPolicy] },
  );
  return { inbox, topic, queue, deadLetters, ruleSet, rule, active, logGroup, ingestor, mapping };
}
