import type { PolicyResource } from "@pulumi/policy";
import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { AZURE_METRIC_ALERT, ofType } from "./stores";

type Report = (message: string, urn?: string) => void;

// A message that fails every retry must wait somewhere (a dead letter), and someone must be told.
function aws(resources: readonly PolicyResource[], report: Report) {
  const queues = ofType(resources, "aws:sqs/queue:Queue");
  const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
  for (const mapping of ofType(resources, "aws:lambda/eventSourceMapping:EventSourceMapping")) {
    const sourceName = String(mapping.props.eventSourceArn).split(":").pop();
    const queue = queues.find((q) => q.props.name === sourceName);
    if (!String(mapping.props.eventSourceArn).startsWith("arn:aws:sqs:") || !queue) continue;
    const redrive = queue.props.redrivePolicy ? (JSON.parse(queue.props.redrivePolicy) as { deadLetterTargetArn?: string }) : {};
    const deadLetters = redrive.deadLetterTargetArn?.split(":").pop();
    if (!deadLetters) {
      report(`${queue.name}: redrivePolicy is not set; give the ingestor's queue a dead-letter queue (deadLetterTargetArn, maxReceiveCount)`, queue.urn);
      continue;
    }
    const alarmed = alarms.some((a) => a.props.namespace === "AWS/SQS" && a.props.dimensions?.QueueName === deadLetters && ((a.props.alarmActions ?? []) as unknown[]).length > 0);
    if (!alarmed) report(`${queue.name}: no alarm with an action watches its dead-letter queue ${deadLetters}; alarm on ApproximateNumberOfMessagesVisible > 0`, queue.urn);
  }
}

function azure(resources: readonly PolicyResource[], report: Report) {
  const subscriptions = ofType(resources, "azure-native:eventgrid:EventSubscription", "azure-native:eventgrid:SystemTopicEventSubscription");
  for (const subscription of subscriptions) {
    if (!subscription.props.deadLetterDestination && !subscription.props.deadLetterWithResourceIdentity)
      report(`${subscription.name}: deadLetterDestination is not set; dead-letter undeliverable events to a storage container`, subscription.urn);
  }
  const alerted = ofType(resources, ...AZURE_METRIC_ALERT).some(
    (a) => JSON.stringify(a.props.criteria ?? {}).includes("DeadLetteredCount") && ((a.props.actions ?? []) as unknown[]).length > 0,
  );
  if (alerted) return;
  for (const subscription of subscriptions) report(`${subscription.name}: no metric alert with an action group watches DeadLetteredCount of its topic; add one`, subscription.urn);
}

function gcp(resources: readonly PolicyResource[], report: Report) {
  const subscriptions = ofType(resources, "gcp:pubsub/subscription:Subscription");
  // A subscription that holds dead letters is where they wait; it needs none of its own.
  const deadLetterTopics = new Set(subscriptions.map((s) => s.props.deadLetterPolicy?.deadLetterTopic).filter(Boolean));
  const holdsDeadLetters = (s: PolicyResource) => [...deadLetterTopics].some((topic) => String(topic).endsWith(`/${s.props.topic}`) || topic === s.props.topic);
  for (const subscription of subscriptions) {
    if (!subscription.props.deadLetterPolicy?.deadLetterTopic && !holdsDeadLetters(subscription))
      report(`${subscription.name}: deadLetterPolicy is not set; send undeliverable messages to a dead-letter topic`, subscription.urn);
  }
  for (const fn of ofType(resources, "gcp:cloudfunctionsv2/function:Function")) {
    const trigger = fn.props.eventTrigger;
    if (trigger && trigger.retryPolicy !== "RETRY_POLICY_RETRY") report(`${fn.name}: eventTrigger.retryPolicy is ${JSON.stringify(trigger.retryPolicy)}; set "RETRY_POLICY_RETRY" so a failed delivery is retried, then dead-lettered`, fn.urn);
  }
  const alerted = ofType(resources, "gcp:monitoring/alertPolicy:AlertPolicy").some(
    (a) => JSON.stringify(a.props.conditions ?? []).includes("dead_letter_message_count") && ((a.props.notificationChannels ?? []) as unknown[]).length > 0,
  );
  if (alerted) return;
  for (const subscription of subscriptions.filter((s) => s.props.deadLetterPolicy?.deadLetterTopic)) {
    report(`${subscription.name}: no alert policy with a notification channel watches dead_letter_message_count; add one`, subscription.urn);
  }
}

export const ingestorDeadLetters = stackRule({
  name: "ingestor-dead-letter-alerted",
  description: "Every ingestor's event source has a dead letter, and an alert with a recipient fires when anything lands there",
  controls: SERVES.availability,
  check: (resources, report) => {
    aws(resources, report);
    azure(resources, report);
    gcp(resources, report);
  },
});
