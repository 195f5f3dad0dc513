// The buckets: the WORM archive, the SES inbox, the CloudTrail log bucket, and the
// server-access-log bucket. Every one private, owner-enforced and TLS-only.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { archiveMarks } from "../../policies/shared/conventions";
import { LOCKED_BUCKET_ACTIONS, LOCKED_OBJECT_ACTIONS } from "../../policies/shared/awsLockedActions";
import { policyJson, type Statement } from "./policy";

const ALL_PUBLIC_ACCESS_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

/** Denies every request to the bucket without TLS, or with TLS below 1.2. */
export function transportStatements(bucketArn: pulumi.Input<string>): Statement[] {
  const resources = [bucketArn, pulumi.interpolate`${bucketArn}/*`];
  return [
    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: ["s3:*"], Resource: resources, Condition: { Bool: { "aws:SecureTransport": "false" } } },
    { Sid: "DenyTlsBelow12", Effect: "Deny", Principal: "*", Action: ["s3:*"], Resource: resources, Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } },
  ];
}

/** What a bucket policy must come after: public access blocked, and the settings a deny policy would then refuse. */
export interface PolicyTarget {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly access: aws.s3.BucketPublicAccessBlock;
  readonly versioning: aws.s3.BucketVersioning;
  readonly lock?: aws.s3.BucketObjectLockConfiguration;
}

/**
 * A bucket's policy: TLS-only always, plus `statements`. Applied after public access is blocked,
 * and after versioning and Object Lock are configured: a policy that denies
 * s3:PutBucketVersioning or s3:PutBucketObjectLockConfiguration would refuse them if it came first.
 */
export function bucketPolicy(name: string, parts: PolicyTarget, statements: Statement[], opts: pulumi.CustomResourceOptions, policyOpts: pulumi.CustomResourceOptions = {}) {
  const after = [parts.access, parts.versioning, ...(parts.lock ? [parts.lock] : [])];
  return new aws.s3.BucketPolicy(name, { bucket: parts.name, policy: policyJson([...transportStatements(parts.arn), ...statements]) }, { ...opts, ...policyOpts, dependsOn: after });
}

export interface BucketArgs {
  /** The bucket's global name: deterministic, so that policies can name it before it exists. */
  readonly bucketName: pulumi.Input<string>;
  /** SSE-KMS under this key, with S3 bucket keys; SSE-S3 when omitted (S3 access-log targets accept only that). */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** Object Lock default retention; the bucket is created with Object Lock enabled when set. */
  readonly lock?: { readonly mode: "COMPLIANCE" | "GOVERNANCE"; readonly days: number };
  /** Tags beyond the provider's default tags. */
  readonly tags?: Record<string, string>;
  /** Let `pulumi destroy` empty the bucket first (a sandbox's buckets only). */
  readonly forceDestroy?: boolean;
}

/** A private, versioned, encrypted bucket; Object Lock when asked. Children of `parent`. */
export function privateBucket(name: string, args: BucketArgs, opts: pulumi.CustomResourceOptions, bucketOpts: pulumi.CustomResourceOptions = {}) {
  const bucket = new aws.s3.Bucket(name, { bucket: args.bucketName, objectLockEnabled: args.lock !== undefined, forceDestroy: args.forceDestroy ?? false, ...(args.tags ? { tags: args.tags } : {}) }, { ...opts, ...bucketOpts });
  // Companions and policies refer to the bucket by its name, known at preview (its id and arn are
  // not), so that the policy pack can match them to the bucket before anything is created.
  const bucketName = bucket.bucket;
  const arn = pulumi.interpolate`arn:aws:s3:::${bucketName}`;
  const access = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, { bucket: bucketName, ...ALL_PUBLIC_ACCESS_BLOCKED }, opts);
  const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
  // Deleting a BucketVersioning suspends versioning, which S3 refuses on an Object Lock bucket
  // (Amazon S3 User Guide, "Object Lock considerations": "After you enable Object Lock on a bucket,
  // you can't disable Object Lock or suspend versioning for that bucket"), and the lock itself
  // cannot be removed: on such a bucket both are left in place when the stack lets go of them.
  const lockedCompanion: pulumi.CustomResourceOptions = args.lock ? { ...opts, retainOnDelete: true } : opts;
  const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucketName, versioningConfiguration: { status: "Enabled" } }, lockedCompanion);
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: bucketName,
      rules: [
        args.kmsKeyArn
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    },
    opts,
  );
  const lock = args.lock
    ? new aws.s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        { bucket: bucketName, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: args.lock.mode, days: args.lock.days } } },
        { ...lockedCompanion, dependsOn: [versioning] },
      )
    : undefined;
  return { bucket, name: bucketName, arn, access, ownership, versioning, encryption, lock };
}

export interface ArchiveBucketArgs {
  readonly bucketName: pulumi.Input<string>;
  readonly config: StackConfig;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly accessLogBucket: pulumi.Input<string>;
}

export type LockMode = "COMPLIANCE" | "GOVERNANCE";

/** The archive's default Object Lock retention: the configured mode, for the configured minimum. */
export function archiveLock(config: StackConfig): { readonly mode: LockMode; readonly days: number } {
  return { mode: config.retention.mode === "compliance" ? "COMPLIANCE" : "GOVERNANCE", days: config.retention.minimumDays };
}

/**
 * What Pulumi does with a store on `pulumi destroy`: a real stack's outlives it (protected, and
 * kept if the stack is destroyed); a sandbox's is destroyed with it, emptied first.
 */
export function storeLifetime(config: StackConfig): { readonly opts: pulumi.CustomResourceOptions; readonly forceDestroy: boolean } {
  return config.sandbox ? { opts: {}, forceDestroy: true } : { opts: { protect: true, retainOnDelete: true }, forceDestroy: false };
}

/** The archive: WORM at the configured retention, tiered, deleted only after the configured maximum. */
export function archiveBucket(name: string, args: ArchiveBucketArgs, opts: pulumi.CustomResourceOptions) {
  const lifetime = storeLifetime(args.config);
  const parts = privateBucket(
    name,
    {
      bucketName: args.bucketName,
      kmsKeyArn: args.kmsKeyArn,
      lock: archiveLock(args.config),
      // Explicit (the role is a default tag too) so the policy pack finds the archive on its own inputs.
      tags: archiveMarks(args.config),
      forceDestroy: lifetime.forceDestroy,
    },
    opts,
    lifetime.opts,
  );
  const lifecycle = new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    { bucket: parts.name, rules: archiveLifecycleRules(args.config) },
    { ...opts, dependsOn: [parts.versioning] },
  );
  const logging = new aws.s3.BucketLogging(`${name}-access-logs`, { bucket: parts.name, targetBucket: args.accessLogBucket, targetPrefix: "archive/" }, opts);
  return { ...parts, lifecycle, logging };
}

/** Cost tiers, and deletion after the maximum retention (never before the locked minimum). */
export function archiveLifecycleRules(config: StackConfig): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  const { tiers, retention } = config;
  const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
    {
      id: "cost-tiers",
      status: "Enabled",
      filter: {},
      transitions: [
        { days: tiers.coolAfterDays, storageClass: "STANDARD_IA" },
        { days: tiers.coldAfterDays, storageClass: "GLACIER_IR" },
        { days: tiers.archiveAfterDays, storageClass: "DEEP_ARCHIVE" },
      ],
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ];
  if (retention.maximumDays !== undefined) {
    rules.push({
      id: "delete-after-maximum-retention",
      status: "Enabled",
      filter: {},
      expiration: { days: retention.maximumDays },
      // The expired version becomes noncurrent; S3 removes it a day later, and Object Lock refuses while it is locked.
      noncurrentVersionExpiration: { noncurrentDays: 1 },
    });
  }
  return rules;
}

export interface ArchivePolicyArgs {
  readonly bucketArn: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly breakGlassArn?: string;
}

/** Uploads only under the stack key, and the denies of a locked bucket (TLS-only comes with bucketPolicy). */
export function archivePolicyStatements(args: ArchivePolicyArgs): Statement[] {
  const objects = pulumi.interpolate`${args.bucketArn}/*`;
  return [
    {
      Sid: "DenyUploadsWithoutKms",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: objects,
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
    },
    {
      Sid: "DenyUploadsUnderAnotherKey",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject"],
      Resource: objects,
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": args.kmsKeyArn } },
    },
    ...lockedBucketStatements(args.bucketArn, args.breakGlassArn),
  ];
}

/** The denies of a locked bucket (the archive, the trail's log bucket), to everyone but the break-glass role. */
export function lockedBucketStatements(bucketArn: pulumi.Input<string>, breakGlassArn?: string): Statement[] {
  const exceptBreakGlass = breakGlassArn ? { Condition: { ArnNotEquals: { "aws:PrincipalArn": breakGlassArn } } } : {};
  return [
    { Sid: "DenyDeletesAndRetentionChanges", Effect: "Deny", Principal: "*", Action: LOCKED_OBJECT_ACTIONS, Resource: pulumi.interpolate`${bucketArn}/*`, ...exceptBreakGlass },
    { Sid: "DenyLockAndPolicyChanges", Effect: "Deny", Principal: "*", Action: LOCKED_BUCKET_ACTIONS, Resource: bucketArn, ...exceptBreakGlass },
  ];
}

/** `ej-<part>-<account>-<region>-<stack>`: unique across AWS, and known before the bucket exists. */
export function bucketName(part: string, accountId: pulumi.Input<string>, region: string, stack: string): pulumi.Output<string> {
  return pulumi.interpolate`ej-${part}-${accountId}-${region}-${stack}`.apply((name) => name.toLowerCase().slice(0, 63));
}
