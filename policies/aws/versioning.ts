import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const versioningEnabled = resourceRule({
  name: "aws-s3-versioning-enabled",
  description: "S3 versioning is on: Object Lock and replication need it, and no write replaces a stored version",
  controls: SERVES.worm,
  types: ["aws:s3/bucketVersioning:BucketVersioning"],
  check: (props, report) => {
    const status = props.versioningConfiguration?.status;
    if (status !== "Enabled") report(problem("versioningConfiguration.status", status, 'set "Enabled"'));
  },
});
