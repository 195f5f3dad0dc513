// The policy engine the contracts rely on, on the cases where it could mislead them: encryption
// context (which the engine drops unless the harness carries it), requests that cannot carry a
// key, KMS's rule that a key policy must let IAM policies count, and the keys every signed request has.
import { describe, expect, it } from "vitest";
import { evaluateRequest, RequestError, type AwsRequest } from "./awsSimulator";

const ACCOUNT = "111122223333";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b2e7e0c-1a2b-4c3d-9e8f-123456789abc`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/email-journal-aws-us-east-1`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const doc = (...Statement: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement });
const onKey = (request: Partial<AwsRequest> & Pick<AwsRequest, "principal" | "action">): AwsRequest => ({ resource: KEY, resourceAccount: ACCOUNT, context: {}, identityPolicies: [], ...request });

/** The statement CloudTrail's guide gives for encryption: conditioned on the trail's encryption context. */
const encryptForTrails = doc({
  Effect: "Allow",
  Principal: { Service: "cloudtrail.amazonaws.com" },
  Action: ["kms:GenerateDataKey", "kms:DescribeKey"],
  Resource: "*",
  Condition: { StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` } },
});

describe("encryption context", () => {
  it("grants a request that carries the context the statement asks for", async () => {
    const request = onKey({ principal: "cloudtrail.amazonaws.com", action: "kms:GenerateDataKey", context: { "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL }, resourcePolicy: encryptForTrails });
    expect((await evaluateRequest(request)).decision).toBe("Allowed");
  });

  it("does not grant one whose context has another value", async () => {
    const request = onKey({ principal: "cloudtrail.amazonaws.com", action: "kms:GenerateDataKey", context: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:444455556666:trail/x" }, resourcePolicy: encryptForTrails });
    expect((await evaluateRequest(request)).decision).toBe("ImplicitlyDenied");
  });

  it("does not grant DescribeKey through a statement conditioned on a context DescribeKey never carries", async () => {
    const request = onKey({ principal: "cloudtrail.amazonaws.com", action: "kms:DescribeKey", resourcePolicy: encryptForTrails });
    expect((await evaluateRequest(request)).decision).toBe("ImplicitlyDenied");
  });

  it("refuses a contract that gives DescribeKey a context it cannot carry", async () => {
    const request = onKey({ principal: "cloudtrail.amazonaws.com", action: "kms:DescribeKey", context: { "kms:EncryptionContext:aws:cloudtrail:arn": TRAIL }, resourcePolicy: encryptForTrails });
    await expect(evaluateRequest(request)).rejects.toThrow(RequestError);
  });

  it("refuses any key the action does not document", async () => {
    const request = onKey({ principal: ROLE, action: "kms:DescribeKey", context: { "s3:prefix": "meta/" }, resourcePolicy: doc({ Effect: "Allow", Principal: { AWS: ROLE }, Action: ["kms:DescribeKey"], Resource: "*" }) });
    await expect(evaluateRequest(request)).rejects.toThrow(/never carry s3:prefix/);
  });
});

describe("KMS key policies", () => {
  const identity = [{ name: "admin", policy: doc({ Effect: "Allow", Action: ["kms:CreateGrant"], Resource: KEY }) }];

  it("ignore an IAM policy unless the key policy lets the account's IAM policies count for that action", async () => {
    const adminOnly = doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ["kms:DescribeKey"], Resource: "*" });
    expect((await evaluateRequest(onKey({ principal: ROLE, action: "kms:CreateGrant", identityPolicies: identity, resourcePolicy: adminOnly }))).decision).toBe("ImplicitlyDenied");
    const delegated = doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ["kms:CreateGrant"], Resource: "*" });
    expect((await evaluateRequest(onKey({ principal: ROLE, action: "kms:CreateGrant", identityPolicies: identity, resourcePolicy: delegated }))).decision).toBe("Allowed");
  });

  it("need no IAM policy for a principal the key policy names", async () => {
    const named = doc({ Effect: "Allow", Principal: { AWS: ROLE }, Action: ["kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } });
    expect((await evaluateRequest(onKey({ principal: ROLE, action: "kms:Decrypt", context: { "kms:ViaService": "s3.us-east-1.amazonaws.com" }, resourcePolicy: named }))).decision).toBe("Allowed");
    expect((await evaluateRequest(onKey({ principal: ROLE, action: "kms:Decrypt", context: { "kms:ViaService": "sqs.us-east-1.amazonaws.com" }, resourcePolicy: named }))).decision).toBe("ImplicitlyDenied");
  });
});

describe("the principal's own keys", () => {
  it("are carried, so that a deny excepting the break-glass role spares it and no one else", async () => {
    const breakGlass = `arn:aws:iam::${ACCOUNT}:role/archive-break-glass`;
    const bucket = "arn:aws:s3:::ej-archive";
    const policy = doc(
      { Effect: "Allow", Principal: { AWS: [ROLE, breakGlass] }, Action: ["s3:PutBucketVersioning"], Resource: bucket },
      { Effect: "Deny", Principal: "*", Action: ["s3:PutBucketVersioning"], Resource: bucket, Condition: { ArnNotEquals: { "aws:PrincipalArn": breakGlass } } },
    );
    const as = (principal: string): AwsRequest => ({ principal, action: "s3:PutBucketVersioning", resource: bucket, resourceAccount: ACCOUNT, context: {}, identityPolicies: [], resourcePolicy: policy });
    expect((await evaluateRequest(as(ROLE))).decision).toBe("ExplicitlyDenied");
    expect((await evaluateRequest(as(breakGlass))).decision).toBe("Allowed");
  });
});
