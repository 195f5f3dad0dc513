import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const logBucketLocked = resourceRule({
  name: "gcp-log-bucket-locked",
  description: "The Cloud Logging bucket that receives the audit sink is locked and keeps logs at least minimumLogRetentionDays",
  controls: SERVES.audit,
  types: ["gcp:logging/projectBucketConfig:ProjectBucketConfig"],
  check: (props, report, settings) => {
    if (props.locked !== true) report(problem("locked", props.locked, "set true, so the retention cannot be shortened nor the bucket deleted"));
    if ((props.retentionDays ?? 30) < settings.minimumLogRetentionDays) report(problem("retentionDays", props.retentionDays, `set at least ${settings.minimumLogRetentionDays}`));
  },
});
