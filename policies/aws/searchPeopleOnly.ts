import { SERVES } from "../controls";
import { problem, read, resourceRule, UNKNOWN_AT_PREVIEW } from "../rule";
import { statementsOf } from "./documents";

// Searching reads every sidecar: who sent what to whom. Athena and the Glue catalog are granted only
// with MFA, which only people's sessions carry (aws-iam-people-need-mfa makes their roles demand it):
// no service of the stack, and no one without a second factor, can search.
const SEARCH = /^(athena|glue):/;

export const searchPeopleOnly = resourceRule({
  name: "aws-search-people-with-mfa",
  description: "Athena and Glue catalog actions are granted only with aws:MultiFactorAuthPresent (people's roles, the auditor's), never to a service role",
  controls: [...SERVES.confidentiality, SERVES.audit[0]],
  types: ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"],
  check: (props, report) => {
    const policy = read(() => props.policy);
    if (policy === UNKNOWN_AT_PREVIEW || typeof policy !== "string") return;
    for (const [i, s] of statementsOf(policy).entries()) {
      if (s.Effect !== "Allow" || !s.Action.some((a) => SEARCH.test(a) || a === "*")) continue;
      const mfa = s.Condition?.Bool?.["aws:MultiFactorAuthPresent"];
      if (String(mfa) !== "true") report(problem(`policy ${s.Sid ?? `statement ${i}`} Condition.Bool["aws:MultiFactorAuthPresent"]`, mfa, 'grant Athena and Glue to the auditor role only, with Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } }'));
    }
  },
});
