// Alerts to people: dead letters, ingestor errors and throttles, and denied access to the archive.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AlertArgs {
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
      opts,
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
    deniedFilter,
    alarms: [
      alarm("dead-letters", "Journal messages in the dead-letter queue: they failed every retry and wait for an operator", {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: args.deadLetterQueueName },
        statistic: "Maximum",
      }),
      alarm("ingestor-errors", "The journal ingestor failed invocations", { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: args.functionName } }),
      alarm("ingestor-throttles", "The journal ingestor was throttled (reserved concurrency reached)", { namespace: "AWS/Lambda", metricName: "Throttles", dimensions: { FunctionName: args.functionName } }),
      alarm("archive-access-denied", "Someone was denied access to the archive bucket", { namespace: DENIED_ACCESS_METRIC.namespace, metricName: DENIED_ACCESS_METRIC.name }),
    ],
  };
}
