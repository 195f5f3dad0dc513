// Search at archive scale on AWS: Athena over the sidecars under meta/, for the stack's auditors only.
//  - a Glue database and table over s3://<archive>/meta/ (Ion SerDe, partition projection on the day
//    path: infra/aws/sidecarTable.ts);
//  - an Athena workgroup that enforces its own settings: results in a bucket of this stack (never the
//    archive, whose Object Lock would keep every result for years), encrypted SSE-KMS under the stack
//    key, a cap on the bytes one query may scan;
//  - the results bucket: private, TLS-only, uploads only under the stack key, readable and writable by
//    the auditor role alone, results expired after a day;
//  - the auditor role's permissions to run queries there, with MFA; nobody else is granted any.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { MFA, policyJson, type Statement } from "./policy";
import { DAY_COLUMN, projectionParameters, serdeParameters, SIDECAR_COLUMNS, SIDECAR_SERDE } from "./sidecarTable";
import { bucketName, bucketPolicy, privateBucket } from "./storage";

/** The most one query may scan: 1 TiB, $5 at Athena's $5 per TB scanned (https://aws.amazon.com/athena/pricing/). */
export const BYTES_SCANNED_CUTOFF = 1024 ** 4;
/** Query results are read by the command line at once; a day is left for a retry. */
export const RESULTS_EXPIRY_DAYS = 1;
export const SIDECAR_TABLE = "sidecars";

/** The names the stack's search resources get, known before they exist (policies name them). */
export function searchNames(stack: string) {
  return { workgroup: `email-journal-${stack}`, database: `email_journal_${stack.toLowerCase().replace(/[^a-z0-9]/g, "_")}`, table: SIDECAR_TABLE };
}

export interface ArchiveSearchArgs {
  readonly config: StackConfig;
  readonly accountId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly archiveBucketName: pulumi.Input<string>;
  readonly archiveBucketArn: pulumi.Input<string>;
  /** The auditor role: the only identity that may search. */
  readonly auditorRoleId: pulumi.Input<string>;
  readonly auditorRoleArn: pulumi.Input<string>;
}

export interface SearchArns {
  readonly workgroup: pulumi.Input<string>;
  readonly catalog: pulumi.Input<string>;
  readonly database: pulumi.Input<string>;
  readonly table: pulumi.Input<string>;
  readonly resultsBucket: pulumi.Input<string>;
  readonly archiveBucket: pulumi.Input<string>;
  readonly key: pulumi.Input<string>;
}

/**
 * What the auditor role needs to search, with MFA, on these resources only:
 *  - Athena: start, follow, read and stop its queries in the workgroup (Service Authorization Reference,
 *    "Actions, resources, and condition keys for Amazon Athena": all four take the workgroup resource);
 *  - Glue: read the database and the table's definition (Athena User Guide, "Fine-grained access to
 *    databases and tables in the AWS Glue Data Catalog": the catalog, the database and the table ARNs);
 *    GetPartitions only for engines that read partitions from the catalog, as projection does not;
 *  - S3: Athena reads and writes with the caller's own permissions ("Control access to Amazon S3 from
 *    Athena": "users must have permission to access Amazon S3 buckets in order to query them"), so the
 *    role needs GetBucketLocation on both buckets (AWS Knowledge Center, "athena-output-bucket-error"),
 *    and on the results bucket list, read, write and multipart clean-up; it already reads meta/ (access.ts);
 *  - KMS: results are written under SSE-KMS, which needs kms:GenerateDataKey, and read back, kms:Decrypt
 *    (Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)", permissions),
 *    through S3 only. The key policy must let the role use the key through S3 too (keys.ts).
 */
export function searchStatements(arns: SearchArns, region: string): Statement[] {
  return [
    {
      Sid: "RunSearchQueries",
      Effect: "Allow",
      Action: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"],
      Resource: arns.workgroup,
      Condition: MFA,
    },
    { Sid: "ReadSidecarTable", Effect: "Allow", Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"], Resource: [arns.catalog, arns.database, arns.table], Condition: MFA },
    { Sid: "LocateSearchBuckets", Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [arns.archiveBucket, arns.resultsBucket], Condition: MFA },
    { Sid: "ListSearchResults", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: arns.resultsBucket, Condition: MFA },
    {
      Sid: "WriteAndReadSearchResults",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      Resource: pulumi.interpolate`${arns.resultsBucket}/*`,
      Condition: MFA,
    },
    {
      Sid: "EncryptSearchResults",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: arns.key,
      Condition: { ...MFA, StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
    },
  ];
}

/**
 * The results bucket's own denies, beside TLS-only: uploads only under the stack key (as the archive's),
 * and no read or write of results by anyone but the auditor role. Athena writes them as the caller
 * (forward access sessions carry the caller's identity: IAM User Guide, "Forward access sessions"), so
 * aws:PrincipalArn is the auditor role's.
 */
export function resultsPolicyStatements(bucketArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>, auditorRoleArn: pulumi.Input<string>): Statement[] {
  const objects = pulumi.interpolate`${bucketArn}/*`;
  return [
    { Sid: "DenyUploadsWithoutKms", Effect: "Deny", Principal: "*", Action: ["s3:PutObject"], Resource: objects, Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } } },
    { Sid: "DenyUploadsUnderAnotherKey", Effect: "Deny", Principal: "*", Action: ["s3:PutObject"], Resource: objects, Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn } } },
    { Sid: "DenyResultsToAllButAuditors", Effect: "Deny", Principal: "*", Action: ["s3:GetObject", "s3:PutObject"], Resource: objects, Condition: { ArnNotEquals: { "aws:PrincipalArn": auditorRoleArn } } },
  ];
}

export function archiveSearch(name: string, args: ArchiveSearchArgs, opts: pulumi.CustomResourceOptions) {
  const { config } = args;
  const names = searchNames(config.stack);
  const arn = (service: string, resource: string) => pulumi.interpolate`arn:aws:${service}:${config.region}:${args.accountId}:${resource}`;

  const results = privateBucket(`${name}-search-results`, { bucketName: bucketName("search", args.accountId, config.region, config.stack), kmsKeyArn: args.kmsKeyArn, forceDestroy: true }, opts);
  bucketPolicy(`${name}-search-results-policy`, results, resultsPolicyStatements(results.arn, args.kmsKeyArn, args.auditorRoleArn), opts);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-search-results-lifecycle`,
    {
      bucket: results.name,
      rules: [
        {
          id: "expire-search-results",
          status: "Enabled",
          filter: {},
          expiration: { days: RESULTS_EXPIRY_DAYS },
          noncurrentVersionExpiration: { noncurrentDays: 1 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    { ...opts, dependsOn: [results.versioning] },
  );

  const database = new aws.glue.CatalogDatabase(`${name}-search-database`, { name: names.database, description: `email-journal sidecars of ${config.stack}, for its auditors' searches` }, opts);
  const table = new aws.glue.CatalogTable(
    `${name}-search-table`,
    {
      name: names.table,
      databaseName: database.name,
      tableType: "EXTERNAL_TABLE",
      description: "One row per message sidecar (meta/YYYY/MM/DD/<sha256>.json)",
      // Projection's properties are the table's own parameters; its location template names the archive.
      parameters: pulumi.output(args.archiveBucketName).apply((bucket) => ({ EXTERNAL: "TRUE", classification: "ion", ...projectionParameters(bucket) })),
      partitionKeys: [{ name: DAY_COLUMN, type: "string", comment: "YYYY/MM/DD of the sidecar's path" }],
      storageDescriptor: {
        location: pulumi.interpolate`s3://${args.archiveBucketName}/meta/`,
        inputFormat: SIDECAR_SERDE.inputFormat,
        outputFormat: SIDECAR_SERDE.outputFormat,
        serDeInfo: { serializationLibrary: SIDECAR_SERDE.serializationLibrary, parameters: serdeParameters() },
        columns: SIDECAR_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
      },
    },
    opts,
  );

  const workgroup = new aws.athena.Workgroup(
    `${name}-search-workgroup`,
    {
      name: names.workgroup,
      description: `email-journal auditors' searches of ${config.stack}`,
      state: "ENABLED",
      // A sandbox's workgroup goes with it, its saved queries and history too.
      forceDestroy: config.sandbox,
      configuration: {
        // "Workgroup settings override client-side settings": a query cannot name another result location or no encryption
        // (Athena User Guide, "Override client-side settings", https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html).
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: pulumi.interpolate`s3://${results.name}/results/`,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: args.kmsKeyArn },
          expectedBucketOwner: args.accountId,
        },
      },
    },
    opts,
  );

  const arns: SearchArns = {
    workgroup: arn("athena", `workgroup/${names.workgroup}`),
    catalog: arn("glue", "catalog"),
    database: arn("glue", `database/${names.database}`),
    table: arn("glue", `table/${names.database}/${names.table}`),
    resultsBucket: results.arn,
    archiveBucket: args.archiveBucketArn,
    key: args.kmsKeyArn,
  };
  const policy = new aws.iam.RolePolicy(`${name}-auditor-search-policy`, { role: args.auditorRoleId, policy: policyJson(searchStatements(arns, config.region)) }, opts);

  return {
    workgroup,
    database,
    table,
    results,
    policy,
    /** What the auditor's command line reads (functions/auditor/target.ts). */
    outputs: { searchWorkgroup: names.workgroup, searchDatabase: names.database, searchTable: names.table, searchResultsBucketName: results.name },
  };
}
