import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { statementsOf } from "./documents";

/**
 * Actions of the stack's roles that have no resource type, for which IAM accepts only
 * `Resource: "*"` (Service Authorization Reference, "Actions, resources, and condition keys for
 * AWS X-Ray"): what Lambda's active tracing needs of the ingestor's role.
 */
export const WILDCARD_ONLY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

export const resourceWildcardOnlyWhereRequired = resourceRule({
  name: "aws-iam-resource-wildcard-only-where-required",
  description: 'An identity policy allows Resource "*" only for actions that have no resource type (X-Ray\'s trace uploads); every other action names its resources',
  controls: SERVES.confidentiality,
  types: ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"],
  check: (props, report) => {
    for (const [i, s] of statementsOf(props.policy).entries()) {
      if (s.Effect !== "Allow" || !s.Resource.includes("*")) continue;
      const named = s.Action.filter((a) => !WILDCARD_ONLY_ACTIONS.includes(a));
      if (named.length > 0) report(problem(`policy ${s.Sid ?? `statement ${i}`} Action with Resource "*"`, named, "name the resources these actions act on; keep \"*\" for actions without a resource type"));
    }
  },
});
