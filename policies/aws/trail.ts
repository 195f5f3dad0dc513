import { SERVES } from "../controls";
import { namesCustomerKey, problem, read, resourceRule } from "../rule";

/** Whether the trail records every management event, read and write (KMS key use and policy changes among them). */
function recordsManagementEvents(props: Record<string, any>): boolean {
  const advanced = props.advancedEventSelectors as any[] | undefined;
  if (advanced && advanced.length > 0) {
    return advanced.some((s) => {
      const fields = (s.fieldSelectors ?? []) as any[];
      return fields.some((f) => f.field === "eventCategory" && (f.equals ?? []).includes("Management")) && !fields.some((f) => f.field === "readOnly");
    });
  }
  // Without selectors, CloudTrail records all management events; basic selectors may turn them off.
  return ((props.eventSelectors ?? []) as any[]).every((s) => s.includeManagementEvents !== false && (s.readWriteType ?? "All") === "All");
}

export const trailIntegrity = resourceRule({
  name: "aws-cloudtrail-integrity",
  description: "CloudTrail logs in every region, records every management event, validates its log files (digest chain), is encrypted under a customer key and is never paused",
  controls: SERVES.audit,
  types: ["aws:cloudtrail/trail:Trail"],
  check: (props, report) => {
    if (props.enableLogFileValidation !== true) report(problem("enableLogFileValidation", props.enableLogFileValidation, "set true"));
    if (!namesCustomerKey(() => props.kmsKeyId)) report(problem("kmsKeyId", read(() => props.kmsKeyId), "name the stack's KMS key"));
    if (props.isMultiRegionTrail !== true) report(problem("isMultiRegionTrail", props.isMultiRegionTrail, "set true"));
    if (props.enableLogging === false) report(problem("enableLogging", props.enableLogging, "remove it or set true"));
    if (!recordsManagementEvents(props)) report(problem("advancedEventSelectors", "without a selector of every management event", 'add { fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }: key use and policy changes are management events'));
  },
});
