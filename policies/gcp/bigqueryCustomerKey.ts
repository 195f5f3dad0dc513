import { SERVES } from "../controls";
import { problem, read, resourceRule } from "../rule";

// The search dataset's tables, and each search's results, under the stack's own key.
export const bigQueryCustomerKey = resourceRule({
  name: "gcp-bigquery-customer-key",
  description: "Every BigQuery dataset encrypts its tables under a Cloud KMS key of the stack (defaultEncryptionConfiguration)",
  controls: SERVES.confidentiality,
  types: ["gcp:bigquery/dataset:Dataset"],
  check: (props, report) => {
    const key = read(() => props.defaultEncryptionConfiguration?.kmsKeyName);
    if (key === undefined || key === "") report(problem("defaultEncryptionConfiguration.kmsKeyName", key, "name the stack's Cloud KMS key (in the dataset's location)"));
  },
});
