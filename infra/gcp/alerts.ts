// Alerts to people: ingestor errors, dead-lettered inbox notifications, and denied requests to
// the archive, each an alert policy on an email notification channel.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface AlertArgs {
  readonly project: string;
  readonly stack: string;
  readonly email: string;
  readonly functionNames: readonly string[];
  readonly deliverySubscription: pulumi.Input<string>;
  readonly archiveBucket: pulumi.Input<string>;
}

/** gRPC PERMISSION_DENIED, as Cloud Audit Logs record a refused request. */
const PERMISSION_DENIED = 7;

export function alerts(name: string, args: AlertArgs, opts: pulumi.CustomResourceOptions) {
  const channel = new gcp.monitoring.NotificationChannel(
    `${name}-alert-email`,
    { project: args.project, displayName: `email-journal on-call (${args.stack})`, type: "email", labels: { email_address: args.email } },
    opts,
  );
  const channels = [channel.name];
  // Log-match alerts notify at most every 5 minutes and close after a quiet day.
  const logAlert = (id: string, displayName: string, filter: pulumi.Input<string>, documentation: string) =>
    new gcp.monitoring.AlertPolicy(
      `${name}-${id}`,
      {
        project: args.project,
        displayName: `email-journal ${displayName} (${args.stack})`,
        combiner: "OR",
        conditions: [{ displayName, conditionMatchedLog: { filter } }],
        alertStrategy: { notificationRateLimit: { period: "300s" }, autoClose: "86400s" },
        notificationChannels: channels,
        documentation: { content: documentation, mimeType: "text/markdown" },
        severity: "ERROR",
      },
      opts,
    );
  const services = args.functionNames.map((n) => `"${n}"`).join(" OR ");
  const failures = logAlert(
    "ingestor-failures",
    "ingestor failures",
    `resource.type="cloud_run_revision" AND resource.labels.service_name=(${services}) AND severity>=ERROR`,
    "The journal ingestor failed. HTTP senders were told to retry; inbox notifications are retried, then dead-lettered. See the function's logs.",
  );
  const denied = logAlert(
    "denied-archive-access",
    "denied archive access",
    pulumi.interpolate`logName:"cloudaudit.googleapis.com" AND resource.type="gcs_bucket" AND resource.labels.bucket_name="${args.archiveBucket}" AND protoPayload.status.code=${PERMISSION_DENIED}`,
    "A request to the archive bucket was denied: someone or something tried what its role does not allow.",
  );
  const deadLetters = new gcp.monitoring.AlertPolicy(
    `${name}-dead-letters`,
    {
      project: args.project,
      displayName: `email-journal dead-lettered inbox notifications (${args.stack})`,
      combiner: "OR",
      conditions: [
        {
          displayName: "dead_letter_message_count > 0",
          conditionThreshold: {
            filter: pulumi.interpolate`resource.type="pubsub_subscription" AND resource.labels.subscription_id="${args.deliverySubscription}" AND metric.type="pubsub.googleapis.com/subscription/dead_letter_message_count"`,
            comparison: "COMPARISON_GT",
            thresholdValue: 0,
            duration: "0s",
            aggregations: [{ alignmentPeriod: "300s", perSeriesAligner: "ALIGN_SUM" }],
          },
        },
      ],
      notificationChannels: channels,
      documentation: { content: "Inbox notifications were dead-lettered: the dropped messages are still in the inbox bucket; redeliver them from the dead-letter subscription.", mimeType: "text/markdown" },
      severity: "CRITICAL",
    },
    opts,
  );
  return { channel, failures, denied, deadLetters };
}
