import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";

export const trailIntegrity = resourceRule({
  name: "aws-cloudtrail-integrity",
  description: "CloudTrail logs in every region, validates its log files (digest chain), is encrypted under a customer key and is never paused",
  controls: SERVES.audit,
  types: ["aws:cloudtrail/trail:Trail"],
  check: (props, report) => {
    if (props.enableLogFileValidation !== true) report(problem("enableLogFileValidation", props.enableLogFileValidation, "set true"));
    if (!namesCustomerKey(() => props.kmsKeyId)) report(problem("kmsKeyId", read(() => props.kmsKeyId), "name the stack's KMS key"));
    if (props.isMultiRegionTrail !== true) report(problem("isMultiRegionTrail", props.isMultiRegionTrail, "set true"));
    if (props.enableLogging === false) report(problem("enableLogging", props.enableLogging, "remove it or set true"));
  },
});
