import { SERVES } from "../controls";
import { problem, stackRule } from "../rule";
import type { Settings } from "../settings";
import { ofType, sandboxed } from "../stack/stores";

function problems(props: Record<string, any>, settings: Settings): string[] {
  const found: string[] = [];
  if (props.objectLockEnabled !== undefined && props.objectLockEnabled !== "Enabled") found.push(problem("objectLockEnabled", props.objectLockEnabled, 'set "Enabled"'));
  const retention = props.rule?.defaultRetention;
  if (!retention) return [...found, problem("rule.defaultRetention", retention, `set { mode: "COMPLIANCE", days: ${settings.minimumRetentionDays} }`)];
  if (settings.requiresComplianceMode && retention.mode !== "COMPLIANCE") found.push(problem("rule.defaultRetention.mode", retention.mode, `set "COMPLIANCE": ${settings.frameworks.join(", ")} require records nobody can alter`));
  const days = retention.days ?? (retention.years ?? 0) * 365;
  if (days < settings.minimumRetentionDays) found.push(problem("rule.defaultRetention.days", retention.days ?? retention.years, `set at least ${settings.minimumRetentionDays} days`));
  return found;
}

// A stack rule only to read the bucket's tags: a sandbox's buckets (SANDBOX_TAG) keep short,
// governance-mode retention by design, and sandbox-not-for-records reports them instead.
export const objectLockRetention = stackRule({
  name: "aws-s3-object-lock-retention",
  description: "S3 Object Lock default retention is COMPLIANCE mode (where a chosen framework needs it) for at least the minimum retention, so nobody can shorten or remove it (a sandbox's buckets excepted)",
  controls: SERVES.worm,
  causes: [
    { names: "rule.defaultRetention.mode", stackKey: "email-journal:retention.mode", thresholds: ["frameworks"] },
    { names: "rule.defaultRetention.days", stackKey: "email-journal:retention.minimumDays", thresholds: ["frameworks", "minimumRetentionDays"] },
  ],
  check: (resources, report, settings) => {
    const buckets = ofType(resources, "aws:s3/bucket:Bucket");
    for (const lock of ofType(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")) {
      const bucket = buckets.find((b) => b.props.bucket === lock.props.bucket);
      if (bucket && sandboxed(bucket.props)) continue;
      for (const found of problems(lock.props, settings)) report(`${lock.name}: ${found}`, lock.urn);
    }
  },
});
