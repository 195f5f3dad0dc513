// Audit logging: a CloudTrail trail with S3 data events on the archive and inbox and every
// management event (KMS included), file validation on, encrypted, into an Object-Locked log
// bucket and a CloudWatch log group; and S3 server access logs for the archive.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { SANDBOX_TAG } from "../../policies/shared/conventions";
import { trustPolicy } from "./access";
import { policyJson, type Statement } from "./policy";
import { bucketPolicy, type LockMode, lockedBucketStatements, privateBucket, storeLifetime } from "./storage";

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The shortest allowed log retention that covers `days`, capped at ten years. */
export function logRetentionDays(days: number): number {
  return LOG_RETENTION_DAYS.find((allowed) => allowed >= days) ?? 3653;
}

/** Audit logs are kept at least a year (the pack's default floor), and as long as the archive's minimum. */
export const MINIMUM_AUDIT_LOG_DAYS = 365;
export function auditLogRetentionDays(minimumDays: number): number {
  return logRetentionDays(Math.max(minimumDays, MINIMUM_AUDIT_LOG_DAYS));
}

/** The trail bucket's default Object Lock retention: compliance mode, except in a sandbox (which `pulumi destroy` must be able to empty). */
export function trailLock(config: StackConfig): { readonly mode: LockMode; readonly days: number } {
  return { mode: config.sandbox ? "GOVERNANCE" : "COMPLIANCE", days: config.retention.minimumDays };
}

export interface TrailBucketPolicyArgs {
  readonly bucketArn: pulumi.Input<string>;
  readonly trailArn: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
  readonly breakGlassArn?: string;
}

/** CloudTrail checks the ACL and writes under AWSLogs/<account>/, for this trail only; and the denies of a locked bucket. */
export function trailBucketStatements(args: TrailBucketPolicyArgs): Statement[] {
  const fromTrail = { StringEquals: { "aws:SourceArn": args.trailArn } };
  return [
    { Sid: "CloudTrailChecksAcl", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: ["s3:GetBucketAcl"], Resource: args.bucketArn, Condition: fromTrail },
    {
      Sid: "CloudTrailWritesLogs",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: ["s3:PutObject"],
      Resource: pulumi.interpolate`${args.bucketArn}/AWSLogs/${args.accountId}/*`,
      Condition: fromTrail,
    },
    ...lockedBucketStatements(args.bucketArn, args.breakGlassArn),
  ];
}

export function trailArn(region: string, accountId: pulumi.Input<string>, trailName: string): pulumi.Output<string> {
  return pulumi.interpolate`arn:aws:cloudtrail:${region}:${accountId}:trail/${trailName}`;
}

export interface AuditLoggingArgs {
  readonly config: StackConfig;
  readonly accountId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly trailName: string;
  readonly trailBucketName: pulumi.Input<string>;
  readonly accessLogBucketName: pulumi.Input<string>;
  readonly archiveBucketArn: pulumi.Input<string>;
  readonly inboxBucketArn: pulumi.Input<string>;
}

export function accessLogBucket(name: string, args: Pick<AuditLoggingArgs, "accessLogBucketName" | "accountId" | "config">, archiveBucketArn: pulumi.Input<string>, opts: pulumi.CustomResourceOptions) {
  // S3 server access logs can only be delivered to a bucket with SSE-S3 and no default Object Lock retention.
  const parts = privateBucket(`${name}-access-logs`, { bucketName: args.accessLogBucketName, forceDestroy: args.config.sandbox }, opts);
  bucketPolicy(
    `${name}-access-logs-policy`,
    parts,
    [
      {
        Sid: "S3DeliversAccessLogs",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: ["s3:PutObject"],
        Resource: pulumi.interpolate`${parts.arn}/*`,
        Condition: { ArnLike: { "aws:SourceArn": archiveBucketArn }, StringEquals: { "aws:SourceAccount": args.accountId } },
      },
    ],
    opts,
  );
  const { retention } = args.config;
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-access-logs-lifecycle`,
    { bucket: parts.name, rules: [{ id: "keep-for-retention", status: "Enabled", filter: {}, expiration: { days: retention.maximumDays ?? retention.minimumDays } }] },
    { ...opts, dependsOn: [parts.versioning] },
  );
  return parts;
}

export function auditLogging(name: string, args: AuditLoggingArgs, opts: pulumi.CustomResourceOptions) {
  const { config } = args;
  const arn = trailArn(config.region, args.accountId, args.trailName);
  const lifetime = storeLifetime(config);
  const logBucket = privateBucket(
    `${name}-trail-logs`,
    { bucketName: args.trailBucketName, kmsKeyArn: args.kmsKeyArn, lock: trailLock(config), forceDestroy: lifetime.forceDestroy, ...(config.sandbox ? { tags: { [SANDBOX_TAG]: "true" } } : {}) },
    opts,
    lifetime.opts,
  );
  // The policy protects the kept bucket: kept with it (its own deny refuses DeleteBucketPolicy to the deployer anyway).
  const logBucketPolicy = bucketPolicy(
    `${name}-trail-logs-policy`,
    logBucket,
    trailBucketStatements({ bucketArn: logBucket.arn, trailArn: arn, accountId: args.accountId, breakGlassArn: config.breakGlass }),
    opts,
    config.sandbox ? {} : { retainOnDelete: true },
  );

  const logGroup = new aws.cloudwatch.LogGroup(`${name}-trail`, { name: `/aws/cloudtrail/${args.trailName}`, retentionInDays: auditLogRetentionDays(config.retention.minimumDays), kmsKeyId: args.kmsKeyArn }, opts);
  const deliveryRole = new aws.iam.Role(`${name}-trail-delivery`, { assumeRolePolicy: trustPolicy({ Service: "cloudtrail.amazonaws.com" }, false) }, opts);
  const deliveryPolicy = new aws.iam.RolePolicy(
    `${name}-trail-delivery-policy`,
    { role: deliveryRole.id, policy: policyJson([{ Sid: "DeliverTrailEvents", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` }]) },
    opts,
  );

  const trail = new aws.cloudtrail.Trail(
    `${name}-trail`,
    {
      name: args.trailName,
      s3BucketName: logBucket.name,
      kmsKeyId: args.kmsKeyArn,
      enableLogFileValidation: true,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: true,
      cloudWatchLogsGroupArn: pulumi.interpolate`${logGroup.arn}:*`,
      cloudWatchLogsRoleArn: deliveryRole.arn,
      advancedEventSelectors: [
        // Every management event: key use and policy changes (KMS), bucket and role changes.
        { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
        {
          name: "Every read and write of archive and inbox objects",
          fieldSelectors: [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::S3::Object"] },
            { field: "resources.ARN", startsWiths: [pulumi.interpolate`${args.archiveBucketArn}/`, pulumi.interpolate`${args.inboxBucketArn}/`] },
          ],
        },
      ],
    },
    { ...opts, dependsOn: [logBucketPolicy, deliveryPolicy] },
  );
  return { logBucket, logGroup, trail };
}
