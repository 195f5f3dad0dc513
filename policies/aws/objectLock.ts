import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const objectLockRetention = resourceRule({
  name: "aws-s3-object-lock-retention",
  description: "S3 Object Lock default retention is COMPLIANCE mode (where a chosen framework needs it) for at least the minimum retention, so nobody can shorten or remove it",
  controls: SERVES.worm,
  types: ["aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"],
  check: (props, report, settings) => {
    if (props.objectLockEnabled !== undefined && props.objectLockEnabled !== "Enabled") report(problem("objectLockEnabled", props.objectLockEnabled, 'set "Enabled"'));
    const retention = props.rule?.defaultRetention;
    if (!retention) return report(problem("rule.defaultRetention", retention, `set { mode: "COMPLIANCE", days: ${settings.minimumRetentionDays} }`));
    if (settings.requiresComplianceMode && retention.mode !== "COMPLIANCE") report(problem("rule.defaultRetention.mode", retention.mode, `set "COMPLIANCE": ${settings.frameworks.join(", ")} require records nobody can alter`));
    const days = retention.days ?? (retention.years ?? 0) * 365;
    if (days < settings.minimumRetentionDays) report(problem("rule.defaultRetention.days", retention.days ?? retention.years, `set at least ${settings.minimumRetentionDays} days`));
  },
});
