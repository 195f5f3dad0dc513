import { ARCHIVE_STORE, STORE_TAG } from "../shared/conventions";
import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { sandboxed } from "../stack/stores";

export const archiveBucketProtected = resourceRule({
  name: "aws-s3-archive-bucket-protected",
  description: "The archive bucket is created with Object Lock (which legal holds need too) and cannot be force-destroyed, except a sandbox's (archive-store-worm-and-key checks its lock, key and protection)",
  controls: SERVES.worm,
  types: ["aws:s3/bucket:Bucket"],
  check: (props, report) => {
    if (props.tags?.[STORE_TAG] !== ARCHIVE_STORE) return;
    if (props.objectLockEnabled !== true) report(problem("objectLockEnabled", props.objectLockEnabled, "set true: Object Lock can only be enabled when the bucket is created"));
    // A sandbox's archive is emptied and deleted with its stack, by design.
    if (props.forceDestroy === true && !sandboxed(props)) report(problem("forceDestroy", props.forceDestroy, "set false"));
  },
});
