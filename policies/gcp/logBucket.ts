import { SERVES } from "../controls";
import { problem, stackRule } from "../rule";
import { ofType } from "../stack/stores";
import { isSandbox } from "./sandbox";

// A locked log bucket "may only be deleted if empty" (Cloud Logging API, LogBucket.locked): a sandbox,
// which `pulumi destroy` must remove, keeps its audit logs just as long but unlocked.
export const logBucketLocked = stackRule({
  name: "gcp-log-bucket-locked",
  description: "The Cloud Logging bucket that receives the audit sink is locked (unless the stack is a sandbox) and keeps logs at least minimumLogRetentionDays",
  controls: SERVES.audit,
  causes: [
    // The log bucket keeps retention.minimumDays, within Cloud Logging's bounds (infra/gcp/logging.ts).
    { names: "retentionDays", stackKey: "email-journal:retention.minimumDays", thresholds: ["minimumLogRetentionDays"] },
  ],
  check: (resources, report, settings) => {
    const sandbox = ofType(resources, "gcp:storage/bucket:Bucket").some((b) => isSandbox(b.props));
    for (const bucket of ofType(resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig")) {
      const props = bucket.props;
      if (props.locked !== true && !sandbox) report(`${bucket.name}: ${problem("locked", props.locked, "set true, so the retention cannot be shortened nor the bucket deleted")}`, bucket.urn);
      if ((props.retentionDays ?? 30) < settings.minimumLogRetentionDays) report(`${bucket.name}: ${problem("retentionDays", props.retentionDays, `set at least ${settings.minimumLogRetentionDays}`)}`, bucket.urn);
    }
  },
});
