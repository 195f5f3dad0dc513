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

/** List and read the archive, only with MFA. */
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
    { Sid: "DecryptArchive", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: kmsKeyArn, Condition: MFA },
  ];
}

/** Set and clear legal holds, only with MFA; no read of content. */
export function holdAdminStatements(archiveBucketArn: pulumi.Input<string>): Statement[] {
  return [
    { Sid: "ListArchive", Effect: "Allow", Action: ["s3:ListBucket", "s3:ListBucketVersions"], Resource: archiveBucketArn, Condition: MFA },
    { Sid: "ManageLegalHolds", Effect: "Allow", Action: ["s3:PutObjectLegalHold", "s3:GetObjectLegalHold"], Resource: pulumi.interpolate`${archiveBucketArn}/*`, Condition: MFA },
  ];
}

/** A role with one inline policy. */
export function role(name: string, assumeRolePolicy: pulumi.Input<string>, statements: readonly Statement[] | undefined, opts: pulumi.CustomResourceOptions) {
  const created = new aws.iam.Role(name, { assumeRolePolicy, maxSessionDuration: 3600 }, opts);
  const policy = statements ? new aws.iam.RolePolicy(`${name}-policy`, { role: created.id, policy: policyJson(statements) }, opts) : undefined;
  return { role: created, policy };
}
