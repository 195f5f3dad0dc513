// Markers the program sets and the policy pack reads, on every cloud. They live in the pack's folder
// because `pulumi policy publish` ships that folder alone; the program imports them from here.

/** The tag (a label on GCP) naming what a store holds; the archive store is `archive`. */
export const STORE_TAG = "journal-store";
export const ARCHIVE_STORE = "archive";
/** The tag naming the stack's role, `primary` or `standby`. */
export const ROLE_TAG = "role";
/** On Azure: the tag that marks retention created Unlocked by the bootstrap run, which the next `pulumi up` locks. */
export const LOCK_PENDING_TAG = "journal-lock";
/** The tag that marks a primary's replication suspended while its peer's region is lost (`peerLost`). */
export const REPLICATION_TAG = "journal-replication";

/** The tag that marks a sandbox stack's store (`sandbox: true`): for trying the platform, never for records. */
export const SANDBOX_TAG = "journal-sandbox";

/** The marks every archive store carries: what it is, the stack's role, a suspended replication, a sandbox. */
export function archiveMarks(config: { readonly role: string; readonly peerLost: boolean; readonly sandbox?: boolean }): Record<string, string> {
  return {
    [STORE_TAG]: ARCHIVE_STORE,
    [ROLE_TAG]: config.role,
    ...(config.peerLost ? { [REPLICATION_TAG]: "suspended" } : {}),
    ...(config.sandbox ? { [SANDBOX_TAG]: "true" } : {}),
  };
}
