import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { statementsOf } from "./documents";

export const peopleNeedMfa = resourceRule({
  name: "aws-iam-people-need-mfa",
  description: "A role that people (IAM principals, not AWS services) assume requires aws:MultiFactorAuthPresent",
  controls: [...SERVES.confidentiality, SERVES.audit[0]],
  types: ["aws:iam/role:Role"],
  check: (props, report) => {
    for (const [i, s] of statementsOf(props.assumeRolePolicy).entries()) {
      if (s.Effect !== "Allow" || !s.principalKinds.some((kind) => kind === "AWS" || kind === "*")) continue;
      const mfa = s.Condition?.Bool?.["aws:MultiFactorAuthPresent"];
      if (String(mfa) !== "true")
        report(problem(`assumeRolePolicy ${s.Sid ?? `statement ${i}`} Condition.Bool["aws:MultiFactorAuthPresent"]`, mfa, 'add Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } }'));
    }
  },
});
