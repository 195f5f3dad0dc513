// The Pulumi program: read and check the stack's config once, build the chosen cloud's
// archive, and export what the DR peer, governance and operators need.
import { loadStackConfig, resourceTags } from "./config";
import { JournalArchiveAws } from "./aws";

const config = loadStackConfig();

function build() {
  switch (config.cloud) {
    case "aws":
      return new JournalArchiveAws("journal", { config });
    default:
      // Config accepts every cloud; the program must say plainly which ones it can build yet.
      throw new Error(`email-journal:cloud = "${config.cloud}": this version builds the archive on aws only; azure and gcp components are not in it yet`);
  }
}

const archive = build();

export const cloud = config.cloud;
export const region = config.region;
export const role = config.role;
export const peerStack = config.peerStack;
export const peerRegion = config.peerRegion;
export const retention = config.retention;
export const frameworks = config.frameworks;
export const tags = resourceTags(config);
export const intakeAddresses = archive.intakeAddresses;
// The peer stack reads these two through its StackReference.
export const archiveBucketArn = archive.archiveBucketArn;
export const archiveKmsKeyArn = archive.archiveKmsKeyArn;
export const archiveBucketName = archive.archiveBucketName;
export const inboxBucketName = archive.inboxBucketName;
export const trailBucketName = archive.trailBucketName;
export const accessLogBucketName = archive.accessLogBucketName;
export const ingestorRoleArn = archive.ingestorRoleArn;
export const auditorRoleArn = archive.auditorRoleArn;
export const holdAdminRoleArn = archive.holdAdminRoleArn;
export const queueUrl = archive.queueUrl;
export const deadLetterQueueUrl = archive.deadLetterQueueUrl;
export const ingestorFunctionName = archive.ingestorFunctionName;
export const receiptRuleSetName = archive.receiptRuleSetName;
export const trailArn = archive.trailArn;
export const alertTopicArn = archive.alertTopicArn;
export const backupVaultName = archive.backupVaultName;
