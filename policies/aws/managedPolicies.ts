import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

// AWS-managed policies too broad for any role of an archive: they grant every action of a service.
const BROAD = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess|[A-Za-z0-9]*FullAccess)$/;

export const noBroadManagedPolicies = resourceRule({
  name: "aws-iam-no-broad-managed-policies",
  description: "No role of the stack has AdministratorAccess, PowerUserAccess or a *FullAccess managed policy",
  controls: SERVES.confidentiality,
  types: ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"],
  check: (props, report) => {
    if (BROAD.test(String(props.policyArn))) report(problem("policyArn", props.policyArn, "write an inline policy with the actions the role needs"));
  },
});
