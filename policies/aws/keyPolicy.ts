import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { type DocumentStatement, statementsOf } from "./documents";

/** Actions that use a key's material, or let someone else use it. */
const USES_KEY = /^kms:(Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*|CreateGrant)$/;
/** Actions that end the key, and with it every record encrypted under it. */
const ENDS_KEY = ["kms:DisableKey", "kms:ScheduleKeyDeletion"];
const ACCOUNT_ROOT = /^(arn:aws:iam::\d{12}:root|\d{12})$/;

const throughService = (s: DocumentStatement) => Object.values(s.Condition ?? {}).some((keys) => Object.keys(keys ?? {}).some((k) => k.toLowerCase() === "kms:viaservice"));
const withMfa = (s: DocumentStatement) => String(s.Condition?.Bool?.["aws:MultiFactorAuthPresent"]) === "true";

// Delegating a key to the account's IAM policies (a root principal) makes every administrator with a
// broad IAM policy a user of the key. Administration is delegated; use only through an AWS service.
export const keyAdminsNoData = resourceRule({
  name: "aws-kms-key-admins-no-data",
  description: "A key policy lets the account's IAM policies use the key only through an AWS service (kms:ViaService), never disable or delete it, and lets no one disable or delete it without MFA",
  controls: SERVES.confidentiality,
  types: ["aws:kms/key:Key"],
  check: (props, report) => {
    for (const [i, s] of statementsOf(props.policy).entries()) {
      if (s.Effect !== "Allow") continue;
      const name = s.Sid ?? `statement ${i}`;
      const delegated = s.principals.some((p) => p === "*" || ACCOUNT_ROOT.test(p));
      const uses = s.Action.filter((a) => USES_KEY.test(a));
      if (delegated && uses.length > 0 && !throughService(s)) report(problem(`policy ${name} Action`, uses, "grant these to the account only with a kms:ViaService condition, or name the role that needs them"));
      const ends = s.Action.filter((a) => ENDS_KEY.includes(a));
      if (ends.length > 0 && delegated) report(problem(`policy ${name} Action`, ends, "grant disabling or deleting the key to the break-glass role only, never to the account"));
      else if (ends.length > 0 && !withMfa(s)) report(problem(`policy ${name} Condition.Bool["aws:MultiFactorAuthPresent"]`, s.Condition?.Bool?.["aws:MultiFactorAuthPresent"], 'add Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } }'));
    }
  },
});
