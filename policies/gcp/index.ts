// The GCP rules of the pack, one per file.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { gcpAlerts } from "./alerts";
import { bigQueryAuditorOnly } from "./bigqueryAuditorOnly";
import { bigQueryCustomerKey } from "./bigqueryCustomerKey";
import { bucketHardened } from "./bucket";
import { functionHardened } from "./cloudFunction";
import { cryptoKeyRotation } from "./cryptoKey";
import { cryptoKeyProtection } from "./cryptoKeyProtection";
import { cryptoKeyUsers } from "./cryptoKeyUsers";
import { customRoleLeastPrivilege } from "./customRole";
import { functionBuildAccount } from "./functionBuildAccount";
import { inboxFunctionInternal } from "./functionIngress";
import { iamNoPublicOrBroad } from "./iamMembers";
import { logBucketLocked } from "./logBucket";
import { bucketSoftDelete } from "./softDelete";
import { subscriptionNeverExpires } from "./subscriptionExpiry";
import { topicCustomerKey } from "./topic";
import { transferNeverOverwritesOrDeletes } from "./transferJob";

export const gcpPolicies: ResourceValidationPolicy[] = [
  bucketHardened,
  cryptoKeyRotation,
  cryptoKeyProtection,
  cryptoKeyUsers,
  iamNoPublicOrBroad,
  customRoleLeastPrivilege,
  functionHardened,
  functionBuildAccount,
  inboxFunctionInternal,
  topicCustomerKey,
  subscriptionNeverExpires,
  bucketSoftDelete,
  transferNeverOverwritesOrDeletes,
  bigQueryCustomerKey,
  bigQueryAuditorOnly,
];

/** GCP rules that read the whole stack. */
export const gcpStackPolicies: StackValidationPolicy[] = [logBucketLocked, gcpAlerts];
