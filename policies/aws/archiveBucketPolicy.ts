import type { PolicyResource } from "@pulumi/policy";
import { LOCKED_BUCKET_ACTIONS, LOCKED_OBJECT_ACTIONS } from "../shared/awsLockedActions";
import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { type DocumentStatement, statementsOf } from "./documents";
import { archiveStores, ofType } from "../stack/stores";

/** A Deny to everyone, excepting at most one role through aws:PrincipalArn. */
const deniesEveryone = (s: DocumentStatement) => {
  if (s.Effect !== "Deny" || !s.principals.includes("*")) return false;
  const operators = Object.entries(s.Condition ?? {});
  return operators.every(([operator, keys]) => operator === "ArnNotEquals" && Object.keys(keys ?? {}).every((k) => k === "aws:PrincipalArn"));
};
const conditionedOn = (s: DocumentStatement, key: string) => Object.values(s.Condition ?? {}).some((keys) => Object.keys(keys ?? {}).includes(key));

/** What the archive's bucket policy must refuse, and to whom. */
function gaps(statements: DocumentStatement[]): string[] {
  const found: string[] = [];
  const unexcepted = statements.filter(deniesEveryone);
  const denied = new Set(unexcepted.flatMap((s) => s.Action));
  const missing = [...LOCKED_OBJECT_ACTIONS, ...LOCKED_BUCKET_ACTIONS].filter((a) => !denied.has(a) && !denied.has("s3:*"));
  if (missing.length > 0) found.push(`does not deny ${missing.join(", ")} to everyone (but the break-glass role); add the denies of infra/aws/storage.ts lockedBucketStatements`);
  const uploads = statements.filter((s) => s.Effect === "Deny" && s.principals.includes("*") && s.Action.includes("s3:PutObject"));
  if (!uploads.some((s) => conditionedOn(s, "s3:x-amz-server-side-encryption"))) found.push("does not deny uploads without SSE-KMS (s3:x-amz-server-side-encryption)");
  if (!uploads.some((s) => conditionedOn(s, "s3:x-amz-server-side-encryption-aws-kms-key-id"))) found.push("does not deny uploads under another key (s3:x-amz-server-side-encryption-aws-kms-key-id)");
  return found;
}

// The archive's own bucket policy is what keeps records from being deleted, re-locked or
// re-encrypted by anyone the account's IAM lets in: the stack's roles, administrators, the deployer.
export const archiveBucketPolicy = stackRule({
  name: "aws-s3-archive-bucket-policy",
  description: "Every AWS archive bucket's policy denies uploads not under the stack key, and deleting objects, bypassing or changing retention, and changing versioning, Object Lock or the policy, to everyone but one break-glass role",
  controls: [...SERVES.worm, ...SERVES.confidentiality],
  check: (resources, report) => {
    const policies = ofType(resources, "aws:s3/bucketPolicy:BucketPolicy");
    for (const store of archiveStores(resources).filter((s) => s.cloud === "aws")) {
      const policy: PolicyResource | undefined = policies.find((p) => p.props.bucket === store.name);
      if (!policy) {
        report(`${store.resource.name}: bucket ${store.name} has no bucket policy; add the archive's (infra/aws/storage.ts archivePolicyStatements)`, store.resource.urn);
        continue;
      }
      for (const gap of gaps(statementsOf(policy.props.policy))) report(`${policy.name}: policy ${gap}`, policy.urn);
    }
  },
});
