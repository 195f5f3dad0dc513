import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const logAnalyticsRetained = resourceRule({
  name: "azure-log-analytics-retained",
  description: "The Log Analytics workspace keeps audit logs at least minimumLogRetentionDays (the immutable export keeps them for the full retention)",
  controls: SERVES.audit,
  causes: [
    { names: "retentionInDays", thresholds: ["minimumLogRetentionDays"] },
  ],
  types: ["azure-native:operationalinsights:Workspace"],
  check: (props, report, settings) => {
    if ((props.retentionInDays ?? 30) < settings.minimumLogRetentionDays) report(problem("retentionInDays", props.retentionInDays, `set at least ${settings.minimumLogRetentionDays}`));
  },
});
