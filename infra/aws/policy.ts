// IAM policy documents as plain data, and the checks every document in this stack passes.
import * as pulumi from "@pulumi/pulumi";

export type Condition = Record<string, Record<string, pulumi.Input<string> | readonly pulumi.Input<string>[] | boolean>>;

export interface Statement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: pulumi.Input<Record<string, pulumi.Input<string | pulumi.Input<string>[]>> | "*">;
  readonly NotPrincipal?: never;
  readonly Action: readonly string[];
  /** Absent only in trust policies. */
  readonly Resource?: pulumi.Input<string> | readonly pulumi.Input<string>[];
  readonly Condition?: Condition;
}

/** A policy document as the JSON string IAM, S3, KMS and SNS take. */
export function policyJson(statements: readonly Statement[]): pulumi.Output<string> {
  return pulumi.output({ Version: "2012-10-17", Statement: statements }).apply((doc) => JSON.stringify(doc));
}

/** The MFA condition every statement for people carries. */
export const MFA: Condition = { Bool: { "aws:MultiFactorAuthPresent": "true" } };

interface PlainStatement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Principal?: unknown;
  Resource?: string | string[];
}

/**
 * Problems with a policy document that no stack of this project may have: an Allow with
 * a wildcard action (`*` or `service:*`), or an Allow to an anonymous principal. A Deny
 * may name `s3:*` (e.g. no access at all without TLS): there a wildcard takes away, it
 * grants nothing. A plain function, tested as such, and reused by the policy pack.
 */
export function policyProblems(json: string): string[] {
  const doc = JSON.parse(json) as { Statement: PlainStatement | PlainStatement[] };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const problems: string[] = [];
  for (const [i, statement] of statements.entries()) {
    const name = statement.Sid ?? `statement ${i}`;
    const actions = statement.Effect === "Allow" ? ([] as string[]).concat(statement.Action ?? []) : [];
    for (const action of actions) {
      if (action === "*" || action.endsWith(":*")) problems.push(`${name}: wildcard action "${action}"; list the actions it needs`);
    }
    const principal = statement.Principal;
    const anonymous = principal === "*" || (typeof principal === "object" && principal !== null && (principal as Record<string, unknown>).AWS === "*");
    if (statement.Effect === "Allow" && anonymous) problems.push(`${name}: allows any principal ("*")`);
  }
  return problems;
}
