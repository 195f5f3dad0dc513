// AWS policy documents (identity, trust, bucket, key, topic and queue policies) as the
// rules read them: parsed JSON with Action, Resource and Principal normalised to arrays.

export interface DocumentStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: string[];
  /** `"*"`, or the principal values of every kind (AWS, Service, Federated). */
  readonly principals: string[];
  readonly principalKinds: string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const list = (value: unknown): string[] => (value === undefined ? [] : ([] as unknown[]).concat(value).map(String));

export function statementsOf(json: string): DocumentStatement[] {
  const doc = JSON.parse(json) as { Statement?: unknown };
  return ([] as Record<string, any>[]).concat((doc.Statement as Record<string, any>[] | undefined) ?? []).map((s) => {
    const principal = s.Principal;
    const anonymous = principal === "*";
    return {
      Sid: s.Sid,
      Effect: s.Effect,
      Action: list(s.Action),
      Resource: list(s.Resource),
      principals: anonymous ? ["*"] : Object.values((principal ?? {}) as Record<string, unknown>).flatMap(list),
      principalKinds: anonymous ? ["*"] : Object.keys((principal ?? {}) as object),
      Condition: s.Condition,
    };
  });
}

const nameOf = (s: DocumentStatement, i: number) => s.Sid ?? `statement ${i}`;

/**
 * Problems no document of this project may have: an Allow with a wildcard action (`*` or
 * `service:*`), or an Allow to an anonymous principal. A Deny may name `s3:*` (no access at
 * all without TLS): there a wildcard takes away, it grants nothing.
 */
export function policyProblems(json: string): string[] {
  const problems: string[] = [];
  for (const [i, s] of statementsOf(json).entries()) {
    if (s.Effect !== "Allow") continue;
    for (const action of s.Action) if (action === "*" || action.endsWith(":*")) problems.push(`${nameOf(s, i)}: wildcard action "${action}"; list the actions it needs`);
    if (s.principals.includes("*")) problems.push(`${nameOf(s, i)}: allows any principal ("*"); name the principals`);
  }
  return problems;
}
