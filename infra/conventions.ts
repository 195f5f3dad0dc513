// Markers the program sets and the policy pack reads, on every cloud.

/** The tag (a label on GCP) naming what a store holds; the archive store is `archive`. */
export const STORE_TAG = "journal-store";
export const ARCHIVE_STORE = "archive";
/** The tag naming the stack's role, `primary` or `standby`. */
export const ROLE_TAG = "role";
/** On Azure: the tag that marks retention created Unlocked by the bootstrap run, which the next `pulumi up` locks. */
export const LOCK_PENDING_TAG = "journal-lock";
