// The DR copy: a primary replicates every new archive object to its peer's archive in the
// other region, with Replication Time Control (99.99% within 15 minutes), re-encrypted under
// the peer's own key. Object Lock retention and legal holds travel with each replica; the
// peer's bucket has Object Lock too. Delete markers are not replicated: nothing is deleted
// on one side by the other. Only the source side is configured, so no provider for the peer region is needed.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { trustPolicy } from "./access";
import { policyJson, type Statement } from "./policy";

export interface PeerArchive {
  readonly bucketArn: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
}

/** The peer's archive, from its stack's outputs (infra/peer.ts). */
export function peerArchive(outputs: Readonly<Record<string, string>>): PeerArchive {
  return { bucketArn: outputs.archiveBucketArn, kmsKeyArn: outputs.archiveKmsKeyArn };
}

/** Named by its stack, so that the peer's key policy can admit it before it exists. */
export function replicationRoleName(stack: string): string {
  return `email-journal-replication-${stack}`;
}

export function replicationRole(name: string, stack: string, opts: pulumi.CustomResourceOptions) {
  return new aws.iam.Role(`${name}-replication`, { name: replicationRoleName(stack), assumeRolePolicy: trustPolicy({ Service: "s3.amazonaws.com" }, false) }, opts);
}

export function replicationStatements(sourceBucketArn: pulumi.Input<string>, sourceKeyArn: pulumi.Input<string>, peer: PeerArchive): Statement[] {
  return [
    { Sid: "ReadReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: sourceBucketArn },
    {
      Sid: "ReadSourceVersions",
      Effect: "Allow",
      Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
      Resource: pulumi.interpolate`${sourceBucketArn}/*`,
    },
    { Sid: "WriteReplicas", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateTags"], Resource: pulumi.interpolate`${peer.bucketArn}/*` },
    { Sid: "DecryptSource", Effect: "Allow", Action: ["kms:Decrypt"], Resource: sourceKeyArn },
    { Sid: "EncryptReplicas", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: peer.kmsKeyArn },
  ];
}

export interface ReplicationArgs {
  readonly role: aws.iam.Role;
  readonly sourceBucket: { readonly name: pulumi.Output<string>; readonly arn: pulumi.Output<string> };
  readonly sourceKeyArn: pulumi.Input<string>;
  readonly peer: PeerArchive;
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export function replicateToPeer(name: string, args: ReplicationArgs, opts: pulumi.CustomResourceOptions) {
  const policy = new aws.iam.RolePolicy(`${name}-replication-policy`, { role: args.role.id, policy: policyJson(replicationStatements(args.sourceBucket.arn, args.sourceKeyArn, args.peer)) }, opts);
  return new aws.s3.BucketReplicationConfig(
    `${name}-replication`,
    {
      bucket: args.sourceBucket.name,
      role: args.role.arn,
      rules: [
        {
          id: "archive-to-peer",
          status: "Enabled",
          filter: {},
          deleteMarkerReplication: { status: "Disabled" },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
          destination: {
            bucket: args.peer.bucketArn,
            encryptionConfiguration: { replicaKmsKeyId: args.peer.kmsKeyArn },
            replicationTime: { status: "Enabled", time: { minutes: 15 } },
            metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
          },
        },
      ],
    },
    { ...opts, dependsOn: [policy, ...args.dependsOn] },
  );
}
