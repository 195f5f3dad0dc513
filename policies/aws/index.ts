// The AWS resource rules of the pack, one per file.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { archiveBucketProtected } from "./archiveBucket";
import { backupVaultLocked } from "./backupVaultLock";
import { bucketEncrypted } from "./bucketEncryption";
import { bucketTlsOnly } from "./bucketTls";
import { noDestructiveActions } from "./destructiveActions";
import { functionUrlAuthenticated } from "./functionUrl";
import { keyRotation } from "./keyRotation";
import { lambdaHardened } from "./lambda";
import { logGroupProtected } from "./logGroup";
import { noBroadManagedPolicies } from "./managedPolicies";
import { objectLockRetention } from "./objectLock";
import { bucketOwnerEnforced } from "./ownership";
import { peopleNeedMfa } from "./peopleMfa";
import { noWildcardsOrAnonymous } from "./policyDocuments";
import { publicAccessBlocked } from "./publicAccess";
import { queueEncrypted } from "./queueEncryption";
import { sesReceiptSecure } from "./sesReceipt";
import { topicEncrypted } from "./topicEncryption";
import { trailIntegrity } from "./trail";
import { versioningEnabled } from "./versioning";

export const awsPolicies: ResourceValidationPolicy[] = [
  objectLockRetention,
  archiveBucketProtected,
  versioningEnabled,
  keyRotation,
  bucketEncrypted,
  queueEncrypted,
  topicEncrypted,
  bucketTlsOnly,
  sesReceiptSecure,
  publicAccessBlocked,
  bucketOwnerEnforced,
  functionUrlAuthenticated,
  noWildcardsOrAnonymous,
  noDestructiveActions,
  noBroadManagedPolicies,
  peopleNeedMfa,
  trailIntegrity,
  logGroupProtected,
  backupVaultLocked,
  lambdaHardened,
];
