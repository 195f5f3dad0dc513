// Alerts to people: dead letters, ingestor errors and throttles, and denied access to the archive.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyJson } from "./policy";

export interface AlertArgs {
  readonly region: string;
  readonly accountId: pulumi.Input<string>;
  readonly email: string;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly deadLetterQueueName: pulumi.Input<string>;
  readonly functionName: pulumi.Input<string>;
  readonly trailLogGroupName: pulumi.Input<string>;
  readonly archiveBucketName: pulumi.Input<string>;
}

export const DENIED_ACCESS_METRIC = { namespace: "EmailJournal", name: "ArchiveAccessDenied" };

export function alerts(name: string, args: AlertArgs, opts: pulumi.CustomResourceOptions) {
  const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: args.kmsKeyArn }, opts);
  // CloudWatch publishes the alarms of this account and region, and nobody else does. (The topic's
  // key lets cloudwatch.amazonaws.com use it: keys.ts, ServicesPublishToEncryptedTopicsAndQueues.)
  const topicPolicy = new aws.sns.TopicPolicy(
    `${name}-alerts-policy`,
    {
      arn: topic.arn,
      policy: policyJson([
        {
          Sid: "CloudWatchPublishesAlarms",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: ["sns:Publish"],
          Resource: topic.arn,
          Condition: { ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:aws:cloudwatch:${args.region}:${args.accountId}:alarm:*` }, StringEquals: { "aws:SourceAccount": args.accountId } },
        },
      ]),
    },
    opts,
  );
  new aws.sns.TopicSubscription(`${name}-alerts-email`, { topic: topic.arn, protocol: "email", endpoint: args.email }, opts);
  const alarm = (id: string, description: string, metric: Partial<aws.cloudwatch.MetricAlarmArgs>) =>
    new aws.cloudwatch.MetricAlarm(
      `${name}-${id}`,
      {
        alarmDescription: description,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: 1,
        period: 300,
        statistic: "Sum",
        treatMissingData: "notBreaching",
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        ...metric,
      } as aws.cloudwatch.MetricAlarmArgs,
      { ...opts, dependsOn: [topicPolicy] },
    );
  const deniedFilter = new aws.cloudwatch.LogMetricFilter(
    `${name}-denied-access`,
    {
      logGroupName: args.trailLogGroupName,
      pattern: pulumi.interpolate`{ ($.errorCode = "AccessDenied") && ($.eventSource = "s3.amazonaws.com") && ($.requestParameters.bucketName = "${args.archiveBucketName}") }`,
      metricTransformation: { name: DENIED_ACCESS_METRIC.name, namespace: DENIED_ACCESS_METRIC.namespace, value: "1", defaultValue: "0" },
    },
    opts,
  );
  return {
    topic,
    topicPolicy,
    deniedFilter,
    alarms: [
      alarm("dead-letters", "Journal messages in the dead-letter queue: they failed every retry and wait for an operator", {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: args.deadLetterQueueName },
        statistic: "Maximum",
      }),
      alarm("ingestor-errors", "The journal ingestor failed invocations", { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: args.functionName } }),
      alarm("ingestor-throttles", "The journal ingestor was throttled (the account's or its reserved concurrency was reached)", { namespace: "AWS/Lambda", metricName: "Throttles", dimensions: { FunctionName: args.functionName } }),
      alarm("archive-access-denied", "Someone was denied access to the archive bucket", { namespace: DENIED_ACCESS_METRIC.namespace, metricName: DENIED_ACCESS_METRIC.name }),
    ],
  };
}
