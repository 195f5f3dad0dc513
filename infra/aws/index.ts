// The whole journaling archive on AWS, as one component: the AWS column of DESIGN.md's
// capability matrix. Every child is parented to it and created through one provider that
// pins the region and tags every resource with stack, role and data classification.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PeerOutputs } from "../peer";
import { resourceTags, type StackConfig } from "../config";
import { auditorStatements, holdAdminStatements, ingestorStatements, role, trustPolicy } from "./access";
import { alerts } from "./alerts";
import { archiveBackup, backupRole } from "./backup";
import { intake, intakeQueueName, receiptRuleArn } from "./ingest";
import { archiveKey } from "./keys";
import { LOCKED_SETTINGS_OUTPUT, lockedSettingsOf } from "./lockedSettings";
import { accessLogBucket, auditLogging, auditLogRetentionDays, trailArn } from "./logging";
import { policyJson } from "./policy";
import { peerArchive, replicateToPeer, replicationRole, replicationRoleName } from "./replication";
import { archiveBucket, archivePolicyStatements, bucketName, bucketPolicy } from "./storage";
import { archiveSearch } from "./search";

export { checkLockedSettings } from "./lockedSettings";

export interface JournalArchiveAwsArgs {
  /** The stack's checked configuration (infra/config.ts). */
  readonly config: StackConfig;
  /** A primary's peer outputs (infra/peer.ts), read before anything is built; absent on a standby. */
  readonly peer?: PeerOutputs;
}

export class JournalArchiveAws extends pulumi.ComponentResource {
  readonly region: string;
  readonly archiveBucketName: pulumi.Output<string>;
  readonly archiveBucketArn: pulumi.Output<string>;
  readonly archiveKmsKeyArn: pulumi.Output<string>;
  readonly inboxBucketName: pulumi.Output<string>;
  readonly trailBucketName: pulumi.Output<string>;
  readonly accessLogBucketName: pulumi.Output<string>;
  readonly intakeAddresses: readonly string[];
  readonly ingestorRoleArn: pulumi.Output<string>;
  readonly auditorRoleArn: pulumi.Output<string>;
  readonly holdAdminRoleArn: pulumi.Output<string>;
  readonly queueUrl: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly ingestorFunctionName: pulumi.Output<string>;
  readonly receiptRuleSetName: pulumi.Output<string>;
  readonly trailArn: pulumi.Output<string>;
  readonly alertTopicArn: pulumi.Output<string>;
  readonly backupVaultName: pulumi.Output<string>;
  /** Everything the stack exports: the peer reads archiveBucketArn and archiveKmsKeyArn. */
  readonly outputs: Record<string, pulumi.Input<unknown>>;

  constructor(name: string, args: JournalArchiveAwsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("email-journal:aws:JournalArchive", name, {}, opts);
    const { config } = args;
    const stack = config.stack;
    const provider = new aws.Provider(`${name}-provider`, { region: config.region as aws.Region, defaultTags: { tags: resourceTags(config) } }, { parent: this });
    const o: pulumi.CustomResourceOptions = { parent: this, provider };
    const accountId = aws.getCallerIdentityOutput({}, { parent: this, provider }).accountId;

    // Names fixed up front, so that the key and bucket policies can name what they protect without a cycle.
    const names = {
      archive: bucketName("archive", accountId, config.region, stack),
      inbox: bucketName("inbox", accountId, config.region, stack),
      trail: bucketName("trail", accountId, config.region, stack),
      accessLogs: bucketName("access", accountId, config.region, stack),
      ruleSet: `email-journal-${stack}`,
      rule: "journal",
      trailName: `email-journal-${stack}`,
      ingestor: `email-journal-ingest-${stack}`,
    };
    const arnOf = (bucket: pulumi.Output<string>) => pulumi.interpolate`arn:aws:s3:::${bucket}`;
    // The ingestor's audit lines go to its log group: it is kept as long as the archive.
    const auditLogDays = auditLogRetentionDays(config.retention.minimumDays);

    // Roles first: the key policy names them.
    const ingestor = role(`${name}-ingestor`, trustPolicy({ Service: "lambda.amazonaws.com" }, false), undefined, o);
    const auditor = role(`${name}-auditor`, trustPolicy({ AWS: [...config.auditors] }, true), undefined, o);
    const holdAdmin = role(`${name}-hold-admin`, trustPolicy({ AWS: [...config.holdAdmins] }, true), undefined, o);
    const replication = replicationRole(name, stack, o);
    const backupServiceRole = backupRole(name, o);

    const key = archiveKey(
      `${name}-key`,
      {
        stack,
        sandbox: config.sandbox,
        accountId,
        region: config.region,
        ingestorRoleArn: ingestor.role.arn,
        auditorRoleArns: [auditor.role.arn],
        auditTrailRoleArns: [auditor.role.arn, holdAdmin.role.arn],
        replicationRoleArn: replication.arn,
        peerReplicationRoleArn: pulumi.interpolate`arn:aws:iam::${accountId}:role/${replicationRoleName(config.peerStack.split("/").pop()!)}`,
        backupRoleArn: backupServiceRole.arn,
        inboxBucketArn: arnOf(names.inbox),
        receiptRuleArn: receiptRuleArn(config.region, accountId, names.ruleSet, names.rule),
        trailArn: trailArn(config.region, accountId, names.trailName),
        ...(config.breakGlass ? { breakGlassArn: config.breakGlass } : {}),
      },
      o,
    );

    const accessLogs = accessLogBucket(name, { accessLogBucketName: names.accessLogs, accountId, config }, arnOf(names.archive), o);
    const archive = archiveBucket(`${name}-archive`, { bucketName: names.archive, config, kmsKeyArn: key.arn, accessLogBucket: accessLogs.name }, o);
    // The policy protects the kept archive: kept with it (its own deny refuses DeleteBucketPolicy to the deployer anyway).
    bucketPolicy(`${name}-archive-policy`, archive, archivePolicyStatements({ bucketArn: archive.arn, kmsKeyArn: key.arn, breakGlassArn: config.breakGlass }), o, config.sandbox ? {} : { retainOnDelete: true });

    // The ingestor's permissions exist before its function and event source do: Lambda checks them
    // when it creates both. ARNs are built from names, which are fixed up front.
    const ingestorPolicy = new aws.iam.RolePolicy(
      `${name}-ingestor-policy`,
      {
        role: ingestor.role.id,
        policy: policyJson(
          ingestorStatements({
            inboxBucketArn: arnOf(names.inbox),
            archiveBucketArn: archive.arn,
            kmsKeyArn: key.arn,
            queueArn: pulumi.interpolate`arn:aws:sqs:${config.region}:${accountId}:${intakeQueueName(stack)}`,
            logGroupArn: pulumi.interpolate`arn:aws:logs:${config.region}:${accountId}:log-group:/aws/lambda/${names.ingestor}`,
          }),
        ),
      },
      o,
    );
    const intakeParts = intake(
      name,
      {
        config,
        accountId,
        inboxBucketName: names.inbox,
        kmsKeyArn: key.arn,
        archiveBucketName: archive.name,
        ingestorRoleArn: ingestor.role.arn,
        ruleSetName: names.ruleSet,
        ruleName: names.rule,
        functionName: names.ingestor,
        logRetentionDays: auditLogDays,
        executionPolicy: ingestorPolicy,
      },
      o,
    );
    new aws.iam.RolePolicy(`${name}-auditor-policy`, { role: auditor.role.id, policy: policyJson(auditorStatements(archive.arn, key.arn)) }, o);
    new aws.iam.RolePolicy(`${name}-hold-admin-policy`, { role: holdAdmin.role.id, policy: policyJson(holdAdminStatements(archive.arn)) }, o);
    // Athena over the sidecars, for the auditor role alone (search.ts).
    const search = archiveSearch(name, { config, accountId, kmsKeyArn: key.arn, archiveBucketName: archive.name, archiveBucketArn: archive.arn, auditorRoleId: auditor.role.id, auditorRoleArn: auditor.role.arn }, o);

    const logging = auditLogging(
      name,
      {
        config,
        accountId,
        kmsKeyArn: key.arn,
        trailName: names.trailName,
        trailBucketName: names.trail,
        accessLogBucketName: names.accessLogs,
        archiveBucketArn: archive.arn,
        inboxBucketArn: intakeParts.inbox.arn,
      },
      o,
    );
    const alerting = alerts(
      name,
      {
        region: config.region,
        accountId,
        email: config.alertEmail,
        kmsKeyArn: key.arn,
        deadLetterQueueName: intakeParts.deadLetters.name,
        functionName: intakeParts.ingestor.name,
        trailLogGroupName: logging.logGroup.name,
        archiveBucketName: archive.name,
      },
      o,
    );
    const backup = archiveBackup(name, { config, kmsKeyArn: key.arn, archiveBucketArn: archive.arn, roleArn: backupServiceRole.arn }, o);

    // A primary copies everything to its peer; a standby receives, and replicates nothing of its own.
    if (args.peer) {
      replicateToPeer(name, { role: replication, sourceBucket: archive, sourceKeyArn: key.arn, peer: peerArchive(args.peer), dependsOn: [archive.versioning] }, o);
    }

    this.region = config.region;
    this.archiveBucketName = archive.name;
    this.archiveBucketArn = archive.arn;
    this.archiveKmsKeyArn = key.arn;
    this.inboxBucketName = intakeParts.inbox.name;
    this.trailBucketName = logging.logBucket.name;
    this.accessLogBucketName = accessLogs.name;
    this.intakeAddresses = config.intake.addresses;
    this.ingestorRoleArn = ingestor.role.arn;
    this.auditorRoleArn = auditor.role.arn;
    this.holdAdminRoleArn = holdAdmin.role.arn;
    this.queueUrl = intakeParts.queue.url;
    this.deadLetterQueueUrl = intakeParts.deadLetters.url;
    this.ingestorFunctionName = intakeParts.ingestor.name;
    this.receiptRuleSetName = intakeParts.ruleSet.ruleSetName;
    this.trailArn = logging.trail.arn;
    this.alertTopicArn = alerting.topic.arn;
    this.backupVaultName = backup.vault.name;
    this.outputs = {
      // The auditor's command line (functions/auditor/target.ts) reads the region with the archive and the roles.
      region: this.region,
      archiveBucketArn: this.archiveBucketArn,
      archiveKmsKeyArn: this.archiveKmsKeyArn,
      archiveBucketName: this.archiveBucketName,
      inboxBucketName: this.inboxBucketName,
      trailBucketName: this.trailBucketName,
      accessLogBucketName: this.accessLogBucketName,
      ingestorRoleArn: this.ingestorRoleArn,
      auditorRoleArn: this.auditorRoleArn,
      holdAdminRoleArn: this.holdAdminRoleArn,
      queueUrl: this.queueUrl,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      ingestorFunctionName: this.ingestorFunctionName,
      receiptRuleSetName: this.receiptRuleSetName,
      trailArn: this.trailArn,
      alertTopicArn: this.alertTopicArn,
      backupVaultName: this.backupVaultName,
      ...search.outputs,
      // What the locked buckets' policies refuse to change to all but break-glass, for the next run to compare (lockedSettings.ts).
      [LOCKED_SETTINGS_OUTPUT]: lockedSettingsOf(config),
    };
    this.registerOutputs(this.outputs);
  }
}
