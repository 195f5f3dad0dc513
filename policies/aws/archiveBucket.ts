import { ARCHIVE_STORE, STORE_TAG } from "../../infra/conventions";
import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const archiveBucketProtected = resourceRule({
  name: "aws-s3-archive-bucket-protected",
  description: "The archive bucket is created with Object Lock (which legal holds need too) and cannot be force-destroyed (archive-store-worm-and-key checks its lock, key and protection)",
  controls: SERVES.worm,
  types: ["aws:s3/bucket:Bucket"],
  check: (props, report) => {
    if (props.tags?.[STORE_TAG] !== ARCHIVE_STORE) return;
    if (props.objectLockEnabled !== true) report(problem("objectLockEnabled", props.objectLockEnabled, "set true: Object Lock can only be enabled when the bucket is created"));
    if (props.forceDestroy === true) report(problem("forceDestroy", props.forceDestroy, "set false"));
  },
});
