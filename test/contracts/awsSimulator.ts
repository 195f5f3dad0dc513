// Evaluates one AWS request against planned policies with a real IAM policy engine: identity
// policies, a resource policy (bucket, key, topic, queue or trust policy), and the engine's own
// service semantics (a KMS key policy must allow the account before IAM policies count for it).
//
// @cloud-copilot/iam-simulate is AGPL-3.0: it is a devDependency used by these tests only, and
// nothing of it ships with the program or the policy pack.
//
// Two limits of iam-simulate 0.1.173 are handled here, explicitly:
// - It drops every request context key it does not find among the action's documented keys, and
//   it matches templated keys only when they are "/"-separated (aws:PrincipalTag/<key>). So
//   `kms:EncryptionContext:<key>` keys would be dropped, and any statement conditioned on one would
//   never grant. Each encryption-context key is therefore carried under a stand-in name, in the request
//   and in the policies' conditions alike, and only for actions whose documented condition keys include
//   kms:EncryptionContext:${EncryptionContextKey} (Service Authorization Reference, AWS KMS).
// - A request may carry only keys its action documents: a contract that supplies a key the real
//   request never carries (say, an encryption context on kms:DescribeKey) is refused, not evaluated.
import { allowedContextKeysForRequest, runSimulation } from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

export interface AwsRequest {
  /** An IAM role or user ARN, or a service principal (`ses.amazonaws.com`). */
  readonly principal: string;
  readonly action: string;
  /** The ARN the request acts on (`*` for actions without resource types). */
  readonly resource: string;
  /** The account that owns the resource. */
  readonly resourceAccount: string;
  /** The context keys the request carries, kms:EncryptionContext:<key> included. */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  readonly identityPolicies: readonly { readonly name: string; readonly policy: PolicyDocument }[];
  readonly resourcePolicy?: PolicyDocument;
}

const ENCRYPTION_CONTEXT = "kms:encryptioncontext:";
/** Where an encryption-context key travels through the engine (a templated key it does evaluate). */
const STAND_IN = "aws:PrincipalTag/kms-encryption-context.";

const standIn = (key: string) => (key.toLowerCase().startsWith(ENCRYPTION_CONTEXT) ? `${STAND_IN}${key.slice(ENCRYPTION_CONTEXT.length)}` : key);

/** A policy with every kms:EncryptionContext:<key> condition key renamed to its stand-in. */
function withStandIns(policy: PolicyDocument): PolicyDocument {
  return {
    ...policy,
    Statement: policy.Statement.map((statement) => {
      const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
      if (!condition) return statement;
      return { ...statement, Condition: Object.fromEntries(Object.entries(condition).map(([operator, keys]) => [operator, Object.fromEntries(Object.entries(keys).map(([key, value]) => [standIn(key), value]))])) };
    }),
  };
}

export class RequestError extends Error {}

/** Refuses a request that carries a key its action never carries; returns the context with stand-ins. */
async function checkedContext(request: AwsRequest): Promise<Record<string, string | string[]>> {
  const [service, action] = request.action.split(":");
  const documented = new Set(await allowedContextKeysForRequest(service, action, request.resource, false, undefined));
  const context: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(request.context)) {
    const lower = key.toLowerCase();
    if (lower.startsWith(ENCRYPTION_CONTEXT) && !documented.has("kms:encryptioncontext:${encryptioncontextkey}")) {
      throw new RequestError(`${request.action} requests carry no encryption context (${key}); the contract must not supply it`);
    }
    context[standIn(key)] = typeof value === "string" ? value : [...value];
  }
  return context;
}

export interface Evaluation {
  readonly decision: Decision;
  /** The request as evaluated, in words, for failure messages. */
  readonly described: string;
}

/** The keys every signed request of an IAM principal carries, which the engine does not add by itself. */
function principalKeys(principal: string): Record<string, string> {
  const iam = /^arn:aws:iam::(\d{12}):/.exec(principal);
  return iam ? { "aws:PrincipalArn": principal, "aws:PrincipalAccount": iam[1] } : {};
}

export async function evaluateRequest(request: AwsRequest): Promise<Evaluation> {
  const contextVariables = { ...principalKeys(request.principal), ...(await checkedContext(request)) };
  const result = await runSimulation(
    {
      request: { principal: request.principal, action: request.action, resource: { resource: request.resource, accountId: request.resourceAccount }, contextVariables },
      identityPolicies: request.identityPolicies.map((p) => ({ name: p.name, policy: withStandIns(p.policy) })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: withStandIns(request.resourcePolicy) } : {}),
    },
    {},
  );
  if (result.resultType === "error") throw new RequestError(`${request.action} on ${request.resource} could not be evaluated: ${JSON.stringify(result.errors)}`);
  const ignored = result.resultType === "single" ? result.result.ignoredContextKeys ?? [] : result.results.flatMap((r) => r.ignoredContextKeys ?? []);
  if (ignored.length > 0) throw new RequestError(`${request.action} requests never carry ${ignored.join(", ")} (Service Authorization Reference); the contract must not supply them`);
  return { decision: result.overallResult as Decision, described: `${request.principal} ${request.action} on ${request.resource}` };
}
