import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const publicAccessBlocked = resourceRule({
  name: "aws-s3-public-access-blocked",
  description: "Every S3 public access block setting is on",
  controls: SERVES.confidentiality,
  types: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  check: (props, report) => {
    for (const setting of SETTINGS) if (props[setting] !== true) report(problem(setting, props[setting], "set true"));
  },
});
