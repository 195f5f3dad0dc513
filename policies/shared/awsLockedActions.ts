// What the locked buckets' (the archive's and the trail log bucket's) policies refuse to everyone but
// the break-glass role. Plain data: the program (infra/aws/storage.ts) builds the policies from it, and the
// pack checks them; it lives in the pack's folder, which `pulumi policy publish` ships alone.

/** What nobody but break-glass may do to a locked bucket's objects: delete them, or shorten or bypass their retention. */
export const LOCKED_OBJECT_ACTIONS = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention"];

/**
 * The settings of a locked bucket that nobody but break-glass may change once they are set: the
 * stack creates them once, and every later change needs the break-glass role. S3's only exception
 * is narrower: "the root principal in a bucket owner's account can perform the GetBucketPolicy,
 * PutBucketPolicy, and DeleteBucketPolicy API actions, even if their bucket policy explicitly denies
 * the root principal's access" (Amazon S3 API Reference, PutBucketPolicy). Versioning and Object
 * Lock changes have no such exception.
 */
export const LOCKED_BUCKET_ACTIONS = ["s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:DeleteBucket", "s3:PutBucketVersioning"];
