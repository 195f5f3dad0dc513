import { LOCKED_OBJECT_ACTIONS } from "../shared/awsLockedActions";
import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { statementsOf } from "./documents";
import { ofType } from "../stack/stores";

// The audit trail is only evidence if nobody can rewrite it: its log bucket is Object-Locked and
// its policy refuses deletes (aws-s3-object-lock-retention checks the lock's mode and period).
export const trailBucketLocked = stackRule({
  name: "aws-cloudtrail-bucket-locked",
  description: "Every trail writes into a bucket of the stack with Object Lock default retention, whose policy denies deleting objects or changing their retention to everyone but one break-glass role",
  controls: SERVES.audit,
  check: (resources, report) => {
    for (const trail of ofType(resources, "aws:cloudtrail/trail:Trail")) {
      const bucket = trail.props.s3BucketName;
      const lock = ofType(resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").find((l) => l.props.bucket === bucket);
      if (!lock?.props.rule?.defaultRetention) report(`${trail.name}: its log bucket ${bucket} has no Object Lock default retention; create the bucket with Object Lock and a BucketObjectLockConfiguration`, trail.urn);
      const policy = ofType(resources, "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.props.bucket === bucket);
      const denied = new Set((policy ? statementsOf(policy.props.policy) : []).filter((s) => s.Effect === "Deny" && s.principals.includes("*")).flatMap((s) => s.Action));
      const missing = LOCKED_OBJECT_ACTIONS.filter((a) => !denied.has(a));
      if (missing.length > 0) report(`${trail.name}: its log bucket ${bucket}'s policy does not deny ${missing.join(", ")}; add the denies of infra/aws/storage.ts lockedBucketStatements`, trail.urn);
    }
  },
});
