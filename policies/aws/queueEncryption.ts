import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";

export const queueEncrypted = resourceRule({
  name: "aws-sqs-customer-key",
  description: "Every SQS queue (the intake and its dead letters carry message locations) is encrypted under a customer-managed KMS key",
  controls: SERVES.confidentiality,
  types: ["aws:sqs/queue:Queue"],
  check: (props, report) => {
    if (!namesCustomerKey(() => props.kmsMasterKeyId, "alias/aws/sqs")) report(problem("kmsMasterKeyId", read(() => props.kmsMasterKeyId), "name the stack's KMS key"));
  },
});
