import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { namesAccount, ofType } from "./stores";

// What no resource rule can see alone: a bucket created without its public access guard, or an
// Azure container in an account that allows public blobs. Public settings on a resource itself
// (a bucket policy to "*", allUsers, a public container) are the resource rules' to catch.
export const nothingAnonymous = stackRule({
  name: "nothing-reachable-anonymously",
  description: "Every S3 bucket has a full public access block and owner-enforced ownership; every Azure container lives in an account without public blob access",
  controls: SERVES.confidentiality,
  check: (resources, report) => {
    const guarded = (type: string) => new Set(ofType(resources, type).map((r) => r.props.bucket));
    const blocked = guarded("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    const owned = guarded("aws:s3/bucketOwnershipControls:BucketOwnershipControls");
    for (const bucket of ofType(resources, "aws:s3/bucket:Bucket")) {
      if (!blocked.has(bucket.props.bucket)) report(`${bucket.name}: bucket ${bucket.props.bucket} has no BucketPublicAccessBlock; add one with all four settings true`, bucket.urn);
      if (!owned.has(bucket.props.bucket)) report(`${bucket.name}: bucket ${bucket.props.bucket} has no BucketOwnershipControls; add one with BucketOwnerEnforced`, bucket.urn);
    }
    const accounts = ofType(resources, "azure-native:storage:StorageAccount");
    for (const container of ofType(resources, "azure-native:storage:BlobContainer")) {
      const account = accounts.find((a) => namesAccount(container.props.accountName, String(a.props.accountName)));
      if (account && account.props.allowBlobPublicAccess !== false)
        report(`${container.name}: its account ${account.props.accountName} has allowBlobPublicAccess ${JSON.stringify(account.props.allowBlobPublicAccess)}; set false`, container.urn);
    }
  },
});
