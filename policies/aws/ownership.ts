import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const bucketOwnerEnforced = resourceRule({
  name: "aws-s3-owner-enforced",
  description: "S3 object ownership is BucketOwnerEnforced, so ACLs are off and no object can be shared outside the bucket policy",
  controls: SERVES.confidentiality,
  types: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
  check: (props, report) => {
    if (props.rule?.objectOwnership !== "BucketOwnerEnforced") report(problem("rule.objectOwnership", props.rule?.objectOwnership, 'set "BucketOwnerEnforced"'));
  },
});
