import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";

// AES256 (SSE-S3) stays allowed: S3 delivers server access logs only to SSE-S3 buckets. The
// archive itself must be under the stack's own key: aws-archive-customer-key checks that.
const ALGORITHMS = ["aws:kms", "aws:kms:dsse", "AES256"];

export const bucketEncrypted = resourceRule({
  name: "aws-s3-default-encryption",
  description: "Every bucket encrypts by default; SSE-KMS names a customer key, not the AWS-managed aws/s3 key",
  controls: SERVES.confidentiality,
  types: ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"],
  check: (props, report) => {
    const rules: any[] = props.rules ?? [];
    if (rules.length === 0) return report(problem("rules", props.rules, "set one rule with applyServerSideEncryptionByDefault"));
    for (const [i, rule] of rules.entries()) {
      const byDefault = rule.applyServerSideEncryptionByDefault;
      if (!ALGORITHMS.includes(byDefault?.sseAlgorithm)) report(problem(`rules[${i}].applyServerSideEncryptionByDefault.sseAlgorithm`, byDefault?.sseAlgorithm, `use one of ${ALGORITHMS.join(", ")}`));
      else if (byDefault.sseAlgorithm !== "AES256" && !namesCustomerKey(() => byDefault.kmsMasterKeyId, "alias/aws/s3"))
        report(problem(`rules[${i}].applyServerSideEncryptionByDefault.kmsMasterKeyId`, read(() => byDefault.kmsMasterKeyId), "name the stack's customer-managed KMS key"));
    }
  },
});
