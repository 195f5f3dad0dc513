import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

/** Cloud Storage's own minimum when soft delete is on (7 days); 0 turns it off. */
const MINIMUM_SECONDS = 7 * 86_400;

// On GCP the backup of the capability matrix is soft delete plus the second-region copy: a bucket
// that turns soft delete off loses the window in which a deleted object can still be restored.
export const bucketSoftDelete = resourceRule({
  name: "gcp-storage-soft-delete",
  description: "Every Cloud Storage bucket keeps deleted objects restorable (soft delete on, at least 7 days)",
  controls: SERVES.availability,
  types: ["gcp:storage/bucket:Bucket"],
  check: (props, report) => {
    const seconds = props.softDeletePolicy?.retentionDurationSeconds;
    // Unset is Cloud Storage's default, 7 days.
    if (seconds !== undefined && Number(seconds) < MINIMUM_SECONDS) report(problem("softDeletePolicy.retentionDurationSeconds", seconds, `set at least ${MINIMUM_SECONDS} (7 days); 0 turns soft delete off`));
  },
});
