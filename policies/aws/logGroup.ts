import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";

export const logGroupProtected = resourceRule({
  name: "aws-logs-encrypted-retained",
  description: "Every CloudWatch log group (the ingestor's audit lines, the trail) is encrypted under a customer key and kept at least minimumLogRetentionDays",
  controls: SERVES.audit,
  causes: [
    // The audit log groups keep the larger of retention.minimumDays and a year (infra/aws/logging.ts).
    { names: "retentionInDays", stackKey: "email-journal:retention.minimumDays", thresholds: ["minimumLogRetentionDays"] },
  ],
  types: ["aws:cloudwatch/logGroup:LogGroup"],
  check: (props, report, settings) => {
    if (!namesCustomerKey(() => props.kmsKeyId)) report(problem("kmsKeyId", read(() => props.kmsKeyId), "name the stack's KMS key"));
    // 0 or unset keeps events forever.
    const days = props.retentionInDays ?? 0;
    if (days !== 0 && days < settings.minimumLogRetentionDays) report(problem("retentionInDays", days, `set at least ${settings.minimumLogRetentionDays}`));
  },
});
