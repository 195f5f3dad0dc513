import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";

// Athena's results hold what auditors searched for and found: encrypted under a customer key, in the
// location the workgroup names, whatever a client asks ("Override client-side settings"), and capped.
const ENCRYPTED = ["SSE_KMS", "CSE_KMS"];

export const athenaWorkgroupEnforced = resourceRule({
  name: "aws-athena-workgroup-enforced",
  description: "Every Athena workgroup enforces its own settings: results in a set location, encrypted under a customer KMS key, and a cap on the bytes one query may scan",
  controls: SERVES.confidentiality,
  types: ["aws:athena/workgroup:Workgroup"],
  check: (props, report) => {
    const configuration = props.configuration ?? {};
    if (configuration.enforceWorkgroupConfiguration !== true) report(problem("configuration.enforceWorkgroupConfiguration", configuration.enforceWorkgroupConfiguration, "set true, so that no query can choose its own result location or encryption"));
    const result = configuration.resultConfiguration ?? {};
    if (read(() => result.outputLocation) === undefined) report(problem("configuration.resultConfiguration.outputLocation", undefined, "name the stack's results bucket (never the archive: Object Lock would keep every result)"));
    const encryption = result.encryptionConfiguration ?? {};
    if (!ENCRYPTED.includes(encryption.encryptionOption)) report(problem("configuration.resultConfiguration.encryptionConfiguration.encryptionOption", encryption.encryptionOption, `use ${ENCRYPTED.join(" or ")}`));
    else if (!namesCustomerKey(() => encryption.kmsKeyArn, "alias/aws/s3")) report(problem("configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn", read(() => encryption.kmsKeyArn), "name the stack's customer-managed KMS key"));
    if (!(Number(configuration.bytesScannedCutoffPerQuery) > 0)) report(problem("configuration.bytesScannedCutoffPerQuery", configuration.bytesScannedCutoffPerQuery, "cap the bytes one query may scan"));
  },
});
