import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const PUBLIC = ["allUsers", "allAuthenticatedUsers"];
// Primitive and admin roles: each grants deletes or access management on everything it touches.
const BROAD = /^roles\/(owner|editor|storage\.admin|storage\.objectAdmin|cloudkms\.admin|iam\.securityAdmin|logging\.admin|resourcemanager\.projectIamAdmin)$/;

export const IAM_MEMBER_TYPES = [
  "gcp:projects/iAMMember:IAMMember",
  "gcp:projects/iAMBinding:IAMBinding",
  "gcp:storage/bucketIAMMember:BucketIAMMember",
  "gcp:storage/bucketIAMBinding:BucketIAMBinding",
  "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
  "gcp:cloudfunctionsv2/functionIamMember:FunctionIamMember",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  "gcp:pubsub/topicIAMMember:TopicIAMMember",
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
  "gcp:secretmanager/secretIamMember:SecretIamMember",
  "gcp:serviceaccount/iAMMember:IAMMember",
];

export const iamNoPublicOrBroad = resourceRule({
  name: "gcp-iam-no-public-or-broad-roles",
  description: "No IAM grant of the stack names allUsers or allAuthenticatedUsers, or a primitive or admin role (owner, editor, storage.admin, storage.objectAdmin, …)",
  controls: SERVES.confidentiality,
  types: IAM_MEMBER_TYPES,
  check: (props, report) => {
    const members = ([] as string[]).concat(props.member ?? [], props.members ?? []);
    const anonymous = members.filter((m) => PUBLIC.includes(m));
    if (anonymous.length > 0) report(problem("member", anonymous, "grant named identities only (the relay's service account, auditors' group)"));
    if (BROAD.test(String(props.role))) report(problem("role", props.role, "grant the stack's custom role or a narrow predefined one"));
  },
});
