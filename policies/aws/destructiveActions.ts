import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { statementsOf } from "./documents";

// Nothing the stack grants may delete records, shorten their retention, or switch off the
// lock, the key or the audit trail. Only the break-glass role, outside the stack, can.
const DESTRUCTIVE = new Set([
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutObjectRetention",
  "s3:BypassGovernanceRetention",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:DeleteBucket",
  "s3:PutBucketVersioning",
  "kms:ScheduleKeyDeletion",
  "kms:DisableKey",
  "kms:PutKeyPolicy",
  "cloudtrail:StopLogging",
  "cloudtrail:DeleteTrail",
  "cloudtrail:UpdateTrail",
  "logs:DeleteLogGroup",
  "backup:DeleteBackupVault",
  "backup:DeleteRecoveryPoint",
]);

export const noDestructiveActions = resourceRule({
  name: "aws-iam-no-destructive-actions",
  description: "No role of the stack (the ingestor, auditors, hold admins, services) may delete records, change retention, lock, key or trail",
  controls: [...SERVES.worm, ...SERVES.audit.slice(0, 1)],
  types: ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"],
  check: (props, report) => {
    for (const [i, s] of statementsOf(props.policy).entries()) {
      if (s.Effect !== "Allow") continue;
      const granted = s.Action.filter((a) => DESTRUCTIVE.has(a));
      if (granted.length > 0) report(problem(`policy ${s.Sid ?? `statement ${i}`} Action`, granted, "remove these actions: records and their protections change only through the break-glass role"));
    }
  },
});
