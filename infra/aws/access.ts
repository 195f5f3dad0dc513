// Roles: the ingestor (create-only), auditors (read with MFA), hold admins (legal hold with MFA).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MFA, policyJson, type Statement } from "./policy";

/** A trust policy: who may assume the role (people only with MFA). Trust policies name no Resource. */
export function trustPolicy(principal: Record<string, pulumi.Input<string> | pulumi.Input<string>[]>, withMfa: boolean): pulumi.Output<string> {
  return policyJson([{ Sid: "AssumeRole", Effect: "Allow", Principal: principal, Action: ["sts:AssumeRole"], ...(withMfa ? { Condition: MFA } : {}) }]);
}

export interface IngestorPolicyArgs {
  readonly inboxBucketArn: pulumi.Input<string>;
  readonly archiveBucketArn: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly queueArn: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
}

/** What Lambda's active tracing needs of the execution role. */
export const XRAY_WRITE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] as const;

/** Read the inbox, create archive objects, and nothing else: no archive read, no delete, no retention or lock change. */
export function ingestorStatements(args: IngestorPolicyArgs): Statement[] {
  return [
    { Sid: "ReadInbox", Effect: "Allow", Action: ["s3:GetObject"], Resource: pulumi.interpolate`${args.inboxBucketArn}/*` },
    { Sid: "CreateArchiveObjects", Effect: "Allow", Action: ["s3:PutObject"], Resource: pulumi.interpolate`${args.archiveBucketArn}/*` },
    // The duplicate check asks whether a sidecar exists: a listing confined to meta/, never a read.
    { Sid: "SeeWhetherSidecarsExist", Effect: "Allow", Action: ["s3:ListBucket"], Resource: args.archiveBucketArn, Condition: { StringLike: { "s3:prefix": "meta/*" } } },
    { Sid: "UseStackKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.kmsKeyArn },
    { Sid: "ConsumeIntakeQueue", Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"], Resource: args.queueArn },
    { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${args.logGroupArn}:*` },
    // Active tracing: "Your function needs permission to upload trace data to X-Ray" (AWS Lambda Developer
    // Guide, "Visualize Lambda function invocations using AWS X-Ray"); without it CreateFunction fails.
    // Neither action has a resource type (Service Authorization Reference, "Actions, resources, and condition
    // keys for AWS X-Ray"), so "*" is the only Resource IAM accepts; aws-iam-resource-wildcard-only-where-required
    // allows "*" for such actions alone.
    { Sid: "SendTraces", Effect: "Allow", Action: [...XRAY_WRITE_ACTIONS], Resource: "*" },
  ];
}

/** The auditor's own trail in the archive (functions/auditor/auditObjects.ts): the one prefix people may write to. */
export const AUDIT_TRAIL_PREFIX = "audit/";

/**
 * Writing the trail: create objects under audit/ only, and read the bucket's default encryption (to
 * find the stack key when only the bucket is named). Each upload names the stack key, as the archive
 * policy demands; the key policy lets these roles use it through S3 (keys.ts). Object Lock's default
 * retention makes each event WORM, and the archive policy's denies keep it so (storage.ts).
 */
function trailWriterStatements(archiveBucketArn: pulumi.Input<string>): Statement[] {
  return [
    { Sid: "WriteAuditTrail", Effect: "Allow", Action: ["s3:PutObject"], Resource: pulumi.interpolate`${archiveBucketArn}/${AUDIT_TRAIL_PREFIX}*`, Condition: MFA },
    { Sid: "ReadArchiveEncryption", Effect: "Allow", Action: ["s3:GetEncryptionConfiguration"], Resource: archiveBucketArn, Condition: MFA },
  ];
}

/** List and read the archive, and add to its audit trail, only with MFA. */
export function auditorStatements(archiveBucketArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>): Statement[] {
  return [
    { Sid: "ListArchive", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketVersions"], Resource: archiveBucketArn, Condition: MFA },
    {
      Sid: "ReadArchive",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectRetention", "s3:GetObjectLegalHold", "s3:GetObjectAttributes"],
      Resource: pulumi.interpolate`${archiveBucketArn}/*`,
      Condition: MFA,
    },
    // GenerateDataKey for the trail's uploads under SSE-KMS ("Using server-side encryption with AWS KMS keys", permissions).
    { Sid: "DecryptArchive", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"], Resource: kmsKeyArn, Condition: MFA },
    ...trailWriterStatements(archiveBucketArn),
  ];
}

/**
 * Set and clear legal holds, only with MFA; no read of records. A hold admin sees a record's retention
 * and hold (GetObjectRetention, GetObjectLegalHold, the listing), reads the trail (which case holds
 * what is read back from it) and adds to it: s3:GetObject only under audit/.
 */
export function holdAdminStatements(archiveBucketArn: pulumi.Input<string>): Statement[] {
  return [
    { Sid: "ListArchive", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketVersions"], Resource: archiveBucketArn, Condition: MFA },
    { Sid: "ManageLegalHolds", Effect: "Allow", Action: ["s3:PutObjectLegalHold", "s3:GetObjectLegalHold", "s3:GetObjectRetention"], Resource: pulumi.interpolate`${archiveBucketArn}/*`, Condition: MFA },
    { Sid: "ReadAuditTrail", Effect: "Allow", Action: ["s3:GetObject"], Resource: pulumi.interpolate`${archiveBucketArn}/${AUDIT_TRAIL_PREFIX}*`, Condition: MFA },
    ...trailWriterStatements(archiveBucketArn),
  ];
}

/** A role with one inline policy. */
export function role(name: string, assumeRolePolicy: pulumi.Input<string>, statements: readonly Statement[] | undefined, opts: pulumi.CustomResourceOptions) {
  const created = new aws.iam.Role(name, { assumeRolePolicy, maxSessionDuration: 3600 }, opts);
  const policy = statements ? new aws.iam.RolePolicy(`${name}-policy`, { role: created.id, policy: policyJson(statements) }, opts) : undefined;
  return { role: created, policy };
}
