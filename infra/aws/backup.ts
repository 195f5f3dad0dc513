// AWS Backup of the archive bucket into a vault locked in compliance mode: a second,
// independently immutable copy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { SANDBOX_TAG } from "../../policies/shared/conventions";
import { trustPolicy } from "./access";

/** AWS Backup's own managed policies for S3 (AWS requires them; they are scoped by AWS). */
const S3_BACKUP_POLICIES = ["arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup", "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore"];

export function backupRole(name: string, opts: pulumi.CustomResourceOptions) {
  const role = new aws.iam.Role(`${name}-backup`, { assumeRolePolicy: trustPolicy({ Service: "backup.amazonaws.com" }, false) }, opts);
  S3_BACKUP_POLICIES.forEach((arn, i) => new aws.iam.RolePolicyAttachment(`${name}-backup-${i}`, { role: role.name, policyArn: arn }, opts));
  return role;
}

export interface BackupArgs {
  readonly config: StackConfig;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly archiveBucketArn: pulumi.Input<string>;
  readonly roleArn: pulumi.Input<string>;
}

/** The vault's name: fixed per stack, so that the pack can match the vault lock to its vault before either exists. */
export function vaultName(stack: string): string {
  return `email-journal-${stack}`;
}

export function archiveBackup(name: string, args: BackupArgs, opts: pulumi.CustomResourceOptions) {
  const { retention, sandbox } = args.config;
  const named = vaultName(args.config.stack);
  const keepDays = retention.maximumDays ?? retention.minimumDays;
  // The deployer creates the vault under the stack key: the key policy's DeployerCreatesBackupVault (keys.ts).
  const vault = new aws.backup.Vault(
    `${name}-vault`,
    { name: named, kmsKeyArn: args.kmsKeyArn, ...(sandbox ? { forceDestroy: true, tags: { [SANDBOX_TAG]: "true" } } : {}) },
    { ...opts, ...(sandbox ? {} : { protect: true, retainOnDelete: true }) },
  );
  // Compliance mode: after the 3-day grace period nobody, root included, can shorten or remove the lock.
  // A sandbox's lock is in governance mode (no changeableForDays), as its archive's is, so that it can be destroyed.
  const lock = new aws.backup.VaultLockConfiguration(
    `${name}-vault-lock`,
    { backupVaultName: named, ...(sandbox ? {} : { changeableForDays: 3 }), minRetentionDays: retention.minimumDays, maxRetentionDays: keepDays },
    { ...opts, dependsOn: [vault] },
  );
  const plan = new aws.backup.Plan(
    `${name}-plan`,
    { rules: [{ ruleName: "daily-archive", targetVaultName: named, schedule: "cron(0 5 * * ? *)", lifecycle: { deleteAfter: keepDays } }] },
    { ...opts, dependsOn: [vault] },
  );
  const selection = new aws.backup.Selection(`${name}-selection`, { planId: plan.id, iamRoleArn: args.roleArn, resources: [args.archiveBucketArn] }, opts);
  return { vault, lock, plan, selection };
}
