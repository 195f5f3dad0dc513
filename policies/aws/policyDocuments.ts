import { SERVES } from "../controls";
import { resourceRule } from "../rule";
import { policyProblems } from "./documents";

/** Every resource type that carries an IAM-language document, and the property holding it. */
export const DOCUMENT_PROPERTIES: Readonly<Record<string, string>> = {
  "aws:iam/role:Role": "assumeRolePolicy",
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:iam/policy:Policy": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:kms/key:Key": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
};

export const noWildcardsOrAnonymous = resourceRule({
  name: "aws-policy-no-wildcards",
  description: "No IAM, bucket, key, topic or queue policy allows a wildcard action or an anonymous principal",
  controls: SERVES.confidentiality,
  types: Object.keys(DOCUMENT_PROPERTIES),
  check: (props, report, _settings, args) => {
    const property = DOCUMENT_PROPERTIES[args.type];
    if (props[property] === undefined) return;
    for (const found of policyProblems(props[property])) report(`${property}: ${found}`);
  },
});
