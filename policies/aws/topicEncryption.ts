import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";

export const topicEncrypted = resourceRule({
  name: "aws-sns-customer-key",
  description: "Every SNS topic (intake notifications, alerts) is encrypted under a customer-managed KMS key",
  controls: SERVES.confidentiality,
  types: ["aws:sns/topic:Topic"],
  check: (props, report) => {
    if (!namesCustomerKey(() => props.kmsMasterKeyId, "alias/aws/sns")) report(problem("kmsMasterKeyId", read(() => props.kmsMasterKeyId), "name the stack's KMS key"));
  },
});
