// The GCP resource rules of the pack, one per file.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { bucketHardened } from "./bucket";
import { functionHardened } from "./cloudFunction";
import { cryptoKeyRotation } from "./cryptoKey";
import { customRoleLeastPrivilege } from "./customRole";
import { iamNoPublicOrBroad } from "./iamMembers";
import { logBucketLocked } from "./logBucket";
import { bucketSoftDelete } from "./softDelete";
import { topicCustomerKey } from "./topic";

export const gcpPolicies: ResourceValidationPolicy[] = [bucketHardened, cryptoKeyRotation, iamNoPublicOrBroad, customRoleLeastPrivilege, functionHardened, topicCustomerKey, logBucketLocked, bucketSoftDelete];
