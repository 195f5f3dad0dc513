// The AWS rules of the pack, one per file: resource rules, and the stack rules that need to see
// more than one resource (a bucket's tags, its policy, its companions).
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { archiveAccessLogged } from "./accessLogging";
import { archiveBucketProtected } from "./archiveBucket";
import { archiveBucketPolicy } from "./archiveBucketPolicy";
import { athenaWorkgroupEnforced } from "./athenaWorkgroup";
import { backupCoversArchive } from "./backupSelection";
import { backupVaultLocked } from "./backupVaultLock";
import { bucketEncrypted } from "./bucketEncryption";
import { bucketTlsOnly } from "./bucketTls";
import { noDestructiveActions } from "./destructiveActions";
import { functionUrlAuthenticated } from "./functionUrl";
import { keyAdminsNoData } from "./keyPolicy";
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
import { trailBucketLocked } from "./trailBucket";
import { versioningEnabled } from "./versioning";
import { searchPeopleOnly } from "./searchPeopleOnly";
import { resourceWildcardOnlyWhereRequired } from "./wildcardResources";

export const awsPolicies: ResourceValidationPolicy[] = [
  archiveBucketProtected,
  versioningEnabled,
  keyRotation,
  keyAdminsNoData,
  bucketEncrypted,
  queueEncrypted,
  topicEncrypted,
  bucketTlsOnly,
  sesReceiptSecure,
  publicAccessBlocked,
  bucketOwnerEnforced,
  functionUrlAuthenticated,
  noWildcardsOrAnonymous,
  resourceWildcardOnlyWhereRequired,
  noDestructiveActions,
  noBroadManagedPolicies,
  peopleNeedMfa,
  trailIntegrity,
  logGroupProtected,
  lambdaHardened,
  athenaWorkgroupEnforced,
  searchPeopleOnly,
];

export const awsStackPolicies: StackValidationPolicy[] = [objectLockRetention, archiveBucketPolicy, trailBucketLocked, archiveAccessLogged, backupVaultLocked, backupCoversArchive];
