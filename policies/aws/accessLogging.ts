import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { archiveStores, ofType } from "../stack/stores";

// S3 server access logs record requests CloudTrail's data events may not (anonymous and denied ones among them).
export const archiveAccessLogged = stackRule({
  name: "aws-s3-archive-access-logged",
  description: "Every AWS archive bucket delivers S3 server access logs to another bucket of the stack",
  controls: SERVES.audit,
  check: (resources, report) => {
    const buckets = new Set(ofType(resources, "aws:s3/bucket:Bucket").map((b) => b.props.bucket));
    for (const store of archiveStores(resources).filter((s) => s.cloud === "aws")) {
      const logging = ofType(resources, "aws:s3/bucketLogging:BucketLogging").find((l) => l.props.bucket === store.name);
      if (!logging) report(`${store.resource.name}: bucket ${store.name} has no BucketLogging; deliver its server access logs to the stack's access-log bucket`, store.resource.urn);
      else if (logging.props.targetBucket === store.name || !buckets.has(logging.props.targetBucket))
        report(`${logging.name}: targetBucket is ${JSON.stringify(logging.props.targetBucket)}; deliver to another bucket of this stack`, logging.urn);
    }
  },
});
