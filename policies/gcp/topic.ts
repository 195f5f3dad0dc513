import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";

export const topicCustomerKey = resourceRule({
  name: "gcp-pubsub-customer-key",
  description: "Every Pub/Sub topic (intake events, dead letters) is encrypted under the stack's Cloud KMS key",
  controls: SERVES.confidentiality,
  types: ["gcp:pubsub/topic:Topic"],
  check: (props, report) => {
    if (!namesCustomerKey(() => props.kmsKeyName)) report(problem("kmsKeyName", read(() => props.kmsKeyName), "name the stack's Cloud KMS key"));
  },
});
