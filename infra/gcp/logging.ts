// Audit logging: data-access audit logs (every read and write) for Cloud Storage and Cloud KMS,
// routed with the ingestor's own audit lines into a locked log bucket kept for the retention period.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** Cloud Logging keeps a bucket's logs at most 3650 days. */
export const MAX_LOG_RETENTION_DAYS = 3650;
/** Audit logs are kept at least a year, however short the records' retention (the pack's minimumLogRetentionDays default). */
export const MIN_LOG_RETENTION_DAYS = 365;
const AUDITED_SERVICES = ["storage.googleapis.com", "cloudkms.googleapis.com"];

export interface LoggingArgs {
  readonly project: string;
  readonly region: string;
  readonly logBucketId: string;
  readonly retentionDays: number;
  readonly buckets: readonly pulumi.Input<string>[];
  readonly functionNames: readonly string[];
  /** A sandbox's log bucket is not locked: a locked log bucket "may only be deleted if empty" (Cloud Logging API, LogBucket.locked). */
  readonly sandbox: boolean;
}

export function auditLogging(name: string, args: LoggingArgs, opts: pulumi.CustomResourceOptions) {
  // Project-wide per service: a stack should have its project to itself (the README says why).
  for (const service of AUDITED_SERVICES) {
    new gcp.projects.IAMAuditConfig(
      `${name}-audit-${service.split(".")[0]}`,
      { project: args.project, service, auditLogConfigs: [{ logType: "ADMIN_READ" }, { logType: "DATA_READ" }, { logType: "DATA_WRITE" }] },
      opts,
    );
  }
  const logBucket = new gcp.logging.ProjectBucketConfig(
    `${name}-audit-log-bucket`,
    {
      project: args.project,
      location: args.region,
      bucketId: args.logBucketId,
      retentionDays: Math.min(Math.max(args.retentionDays, MIN_LOG_RETENTION_DAYS), MAX_LOG_RETENTION_DAYS),
      // Locked: the retention cannot be shortened, nor the bucket deleted while it holds logs, by anyone.
      locked: !args.sandbox,
      description: "email-journal audit logs: archive data access, key use, ingestor audit lines",
    },
    args.sandbox ? opts : { ...opts, protect: true, retainOnDelete: true },
  );
  const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(" OR ");
  const filter = pulumi
    .all([...args.buckets])
    .apply((buckets) =>
      [
        `(logName:"cloudaudit.googleapis.com" AND resource.type="gcs_bucket" AND resource.labels.bucket_name=(${quoted(buckets)}))`,
        `(logName:"cloudaudit.googleapis.com" AND resource.type="cloudkms_cryptokey")`,
        `(resource.type="cloud_run_revision" AND resource.labels.service_name=(${quoted(args.functionNames)}) AND jsonPayload.type="audit")`,
      ].join(" OR "),
    );
  // A sink into a log bucket of its own project needs no grant: such a sink "does not have a writer
  // identity and no additional permissions are required" (Cloud Logging API, LogSink.writerIdentity).
  const sink = new gcp.logging.ProjectSink(
    `${name}-audit-sink`,
    { project: args.project, name: `${args.logBucketId}-sink`, destination: pulumi.interpolate`logging.googleapis.com/projects/${args.project}/locations/${args.region}/buckets/${args.logBucketId}`, filter, uniqueWriterIdentity: true },
    { ...opts, dependsOn: [logBucket] },
  );
  return { logBucket, sink };
}
