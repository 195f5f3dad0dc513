// Alerts to people: dead-lettered inbox events, ingestor failures, and denied requests to the
// archive, to an action group that mails the configured address.
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";

export interface AlertArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly stack: string;
  readonly email: string;
  readonly eventTopicId: pulumi.Input<string>;
  readonly workspaceId: pulumi.Input<string>;
  readonly archiveAccountName: pulumi.Input<string>;
  readonly tags: Record<string, string>;
}

export function alerts(name: string, args: AlertArgs, opts: pulumi.CustomResourceOptions) {
  const group = new azure.monitor.ActionGroup(
    `${name}-alerts`,
    {
      actionGroupName: `email-journal-${args.stack}`,
      groupShortName: "ejournal",
      resourceGroupName: args.resourceGroupName,
      location: "Global",
      enabled: true,
      emailReceivers: [{ name: "on-call", emailAddress: args.email, useCommonAlertSchema: true }],
      tags: args.tags,
    },
    opts,
  );
  const deadLetters = new azure.monitor.MetricAlert(
    `${name}-dead-letters`,
    {
      resourceGroupName: args.resourceGroupName,
      location: "global",
      description: "Inbox events were dead-lettered: messages wait in the dead-letters container for an operator",
      severity: 1,
      enabled: true,
      scopes: [args.eventTopicId],
      evaluationFrequency: "PT5M",
      windowSize: "PT5M",
      criteria: {
        odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
        allOf: [{ criterionType: "StaticThresholdCriterion", name: "dead-lettered", metricName: "DeadLetteredCount", metricNamespace: "Microsoft.EventGrid/systemTopics", operator: "GreaterThan", threshold: 0, timeAggregation: "Total" }],
      },
      actions: [{ actionGroupId: group.id }],
      tags: args.tags,
    },
    opts,
  );
  const logAlert = (id: string, description: string, query: pulumi.Input<string>) =>
    new azure.monitor.ScheduledQueryRule(
      `${name}-${id}`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        description,
        severity: 1,
        enabled: true,
        scopes: [args.workspaceId],
        evaluationFrequency: "PT5M",
        windowSize: "PT5M",
        criteria: { allOf: [{ query, timeAggregation: "Count", operator: "GreaterThan", threshold: 0, failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 } }] },
        actions: { actionGroups: [group.id] },
        tags: args.tags,
      },
      opts,
    );
  const failures = logAlert("ingestor-failures", "The journal ingestor failed invocations", "FunctionAppLogs | where Level == 'Error' or isnotempty(ExceptionMessage)");
  const denied = logAlert(
    "archive-access-denied",
    "Someone was denied access to the archive account",
    pulumi.interpolate`StorageBlobLogs | where AccountName == '${args.archiveAccountName}' and StatusCode in (401, 403)`,
  );
  return { group, deadLetters, failures, denied };
}
