// The stack's customer key, and a key policy that says exactly who may encrypt and decrypt
// with it. In a key policy `Resource: "*"` means "this key": it is the one place AWS requires it.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SANDBOX_TAG } from "../../policies/shared/conventions";
import { BACKUP_VAULT_CREATOR_ACTIONS } from "./deployer";
import { MFA, policyJson, type Statement } from "./policy";

export interface KeyPolicyArgs {
  readonly accountId: pulumi.Input<string>;
  readonly region: string;
  /** May encrypt archive objects and decrypt inbox objects, through S3 only. */
  readonly ingestorRoleArn: pulumi.Input<string>;
  /** May decrypt archive objects, with MFA. */
  readonly auditorRoleArns: readonly pulumi.Input<string>[];
  /**
   * May write the audit trail (encrypt, through S3) and read it back (decrypt, through S3), with MFA: the
   * auditor and hold-admin roles. What they may read or write at all is their IAM policies' (access.ts):
   * a hold admin's s3:GetObject is confined to audit/.
   */
  readonly auditTrailRoleArns?: readonly pulumi.Input<string>[];
  /** May decrypt source objects for replication, through S3 only. */
  readonly replicationRoleArn: pulumi.Input<string>;
  /** The peer stack's replication role, which encrypts its replicas here; named, as it may not exist yet. */
  readonly peerReplicationRoleArn: pulumi.Input<string>;
  /** May use the key for the backup vault, through AWS Backup only. */
  readonly backupRoleArn: pulumi.Input<string>;
  readonly inboxBucketArn: pulumi.Input<string>;
  /** The receipt rule SES stores mail with (an ARN built from names, to avoid a cycle). */
  readonly receiptRuleArn: pulumi.Input<string>;
  /** The trail's ARN, built from its name for the same reason. */
  readonly trailArn: pulumi.Input<string>;
  /** Role exempt from nothing here except that it alone may disable or delete the key. */
  readonly breakGlassArn?: string;
}

/** Administration without data access: no Decrypt, no Encrypt, and no way to destroy the key. */
const ADMIN_ACTIONS = [
  "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ListKeyPolicies", "kms:GetKeyRotationStatus",
  "kms:EnableKeyRotation", "kms:RotateKeyOnDemand", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
  "kms:UpdateKeyDescription", "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases",
  "kms:ListGrants", "kms:RevokeGrant",
];

export function keyPolicyStatements(args: KeyPolicyArgs): Statement[] {
  const account = args.accountId;
  const root = pulumi.interpolate`arn:aws:iam::${account}:root`;
  const viaS3 = `s3.${args.region}.amazonaws.com`;
  const statements: Statement[] = [
    // Delegates administration to IAM in this account (the deploying role needs it); data access is not delegated.
    { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: root }, Action: ADMIN_ACTIONS, Resource: "*" },
    {
      Sid: "IngestorEncryptsArchiveThroughS3",
      Effect: "Allow",
      Principal: { AWS: args.ingestorRoleArn },
      Action: ["kms:GenerateDataKey", "kms:Encrypt"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": viaS3 } },
    },
    {
      Sid: "IngestorDecryptsInboxOnly",
      Effect: "Allow",
      Principal: { AWS: args.ingestorRoleArn },
      Action: ["kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": viaS3 }, StringLike: { "kms:EncryptionContext:aws:s3:arn": [args.inboxBucketArn, pulumi.interpolate`${args.inboxBucketArn}/*`] } },
    },
    {
      // The intake queue is encrypted under this key: receiving from it needs Decrypt through SQS.
      Sid: "IngestorReadsIntakeQueue",
      Effect: "Allow",
      Principal: { AWS: args.ingestorRoleArn },
      Action: ["kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": `sqs.${args.region}.amazonaws.com` } },
    },
    {
      Sid: "AuditorsDecryptWithMfa",
      Effect: "Allow",
      Principal: { AWS: [...args.auditorRoleArns] },
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Resource: "*",
      Condition: { ...MFA, StringEquals: { "kms:ViaService": viaS3 } },
    },
    ...(args.auditTrailRoleArns && args.auditTrailRoleArns.length > 0
      ? [
          {
            // Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)": uploading under SSE-KMS needs
            // kms:GenerateDataKey, downloading kms:Decrypt. With S3 Bucket Keys the context is the bucket's ARN, not the
            // object's, so the key cannot tell audit/ from the records: IAM does (access.ts).
            Sid: "AuditTrailThroughS3WithMfa",
            Effect: "Allow" as const,
            Principal: { AWS: [...args.auditTrailRoleArns] },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: { ...MFA, StringEquals: { "kms:ViaService": viaS3 } },
          },
        ]
      : []),
    {
      Sid: "ReplicationDecryptsSource",
      Effect: "Allow",
      Principal: { AWS: args.replicationRoleArn },
      Action: ["kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": viaS3 } },
    },
    {
      // A condition rather than a principal: the peer's role may not exist yet (the standby is deployed first).
      Sid: "PeerReplicationEncryptsReplicas",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: ["kms:Encrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": args.peerReplicationRoleArn }, StringEquals: { "kms:ViaService": viaS3 } },
    },
    {
      // AWS Backup Developer Guide, "Backup vault creation and deletion", required permissions
      // (https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault.html): whoever creates a
      // vault under this key needs CreateGrant, DescribeKey, RetireGrant, Decrypt and GenerateDataKey on it.
      // Delegated to IAM in this account (the deploying role must hold them too), and only through AWS
      // Backup, so that holding them never lets an administrator decrypt archive objects directly. The guide
      // does not say whether Backup's calls carry kms:ViaService; the KMS Developer Guide defines it for
      // requests an AWS service makes on a principal's behalf, which this is.
      Sid: "DeployerCreatesBackupVault",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: BACKUP_VAULT_CREATOR_ACTIONS,
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": `backup.${args.region}.amazonaws.com` } },
    },
    {
      Sid: "BackupUsesKeyThroughBackup",
      Effect: "Allow",
      Principal: { AWS: args.backupRoleArn },
      Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"],
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": [`backup.${args.region}.amazonaws.com`, viaS3] } },
    },
    {
      Sid: "SesEncryptsInbox",
      Effect: "Allow",
      Principal: { Service: "ses.amazonaws.com" },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": account, "aws:SourceArn": args.receiptRuleArn } },
    },
    // CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail", required KMS key policy
    // elements for trails (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html):
    // (1) encrypt, conditioned on the trail's encryption context; (3) "Enable CloudTrail to describe
    // KMS key properties": DescribeKey requests carry no encryption context, so it is its own statement;
    // (2) "If you are using an existing S3 bucket with an S3 Bucket Key, kms:Decrypt permissions are
    // required to create or update a trail with SSE-KMS encryption enabled". The page does not say whose
    // Decrypt; CloudTrail's is the one its CreateTrail check exercises (InsufficientEncryptionPolicyException
    // otherwise), so it is granted to CloudTrail, for this trail only.
    {
      Sid: "CloudTrailEncryptsLogs",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: ["kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceArn": args.trailArn },
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:aws:cloudtrail:*:${account}:trail/*` },
      },
    },
    { Sid: "CloudTrailDescribesKey", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: ["kms:DescribeKey"], Resource: "*", Condition: { StringEquals: { "aws:SourceArn": args.trailArn } } },
    { Sid: "CloudTrailDecryptsWithBucketKey", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: ["kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "aws:SourceArn": args.trailArn } } },
    {
      Sid: "CloudWatchLogsEncryptsLogGroups",
      Effect: "Allow",
      Principal: { Service: `logs.${args.region}.amazonaws.com` },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: "*",
      Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:${args.region}:${account}:log-group:*` } },
    },
    {
      // Encrypted SNS topics and SQS queues: the services that publish to them need the data key.
      Sid: "ServicesPublishToEncryptedTopicsAndQueues",
      Effect: "Allow",
      Principal: { Service: ["sns.amazonaws.com", "cloudwatch.amazonaws.com", "s3.amazonaws.com"] },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": account } },
    },
  ];
  if (args.breakGlassArn) {
    statements.push({ Sid: "BreakGlassMayDisableOrDeleteKey", Effect: "Allow", Principal: { AWS: args.breakGlassArn }, Action: ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:EnableKey"], Resource: "*", Condition: MFA });
  }
  return statements;
}

export interface ArchiveKeyArgs extends KeyPolicyArgs {
  readonly stack: string;
  /** A sandbox's key is destroyed with the stack (scheduled for deletion, by break-glass); a real stack's outlives it. */
  readonly sandbox: boolean;
}

/** The customer key: yearly rotation, protected, kept if the stack is ever deleted (except in a sandbox). */
export function archiveKey(name: string, args: ArchiveKeyArgs, opts: pulumi.CustomResourceOptions): aws.kms.Key {
  const key = new aws.kms.Key(
    name,
    {
      description: `email-journal archive key (${args.stack})`,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: 30,
      policy: policyJson(keyPolicyStatements(args)),
      ...(args.sandbox ? { tags: { [SANDBOX_TAG]: "true" } } : {}),
    },
    { ...opts, ...(args.sandbox ? {} : { protect: true, retainOnDelete: true }) },
  );
  new aws.kms.Alias(`${name}-alias`, { name: `alias/email-journal-${args.stack}`, targetKeyId: key.keyId }, opts);
  return key;
}
