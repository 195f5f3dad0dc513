import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";
import { isSandbox } from "./sandbox";

export const bucketHardened = resourceRule({
  name: "gcp-storage-bucket-hardened",
  description: "Every Cloud Storage bucket has uniform bucket-level access, enforced public access prevention, a customer-managed default key, and cannot be force-destroyed (a sandbox's can)",
  controls: SERVES.confidentiality,
  types: ["gcp:storage/bucket:Bucket"],
  check: (props, report) => {
    if (props.uniformBucketLevelAccess !== true) report(problem("uniformBucketLevelAccess", props.uniformBucketLevelAccess, "set true: object ACLs bypass IAM"));
    if (props.publicAccessPrevention !== "enforced") report(problem("publicAccessPrevention", props.publicAccessPrevention, 'set "enforced"'));
    if (props.forceDestroy === true && !isSandbox(props)) report(problem("forceDestroy", props.forceDestroy, "set false"));
    if (!namesCustomerKey(() => props.encryption?.defaultKmsKeyName)) report(problem("encryption.defaultKmsKeyName", read(() => props.encryption?.defaultKmsKeyName), "name the stack's Cloud KMS key"));
  },
});
