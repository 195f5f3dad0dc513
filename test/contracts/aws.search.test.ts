// The calls AWS search makes across parties, evaluated with the IAM policy engine against the primary's
// planned policies (the same simulator as awsContracts.ts): Athena, acting as the auditor (forward
// access sessions: IAM User Guide, "Forward access sessions"), reads the Glue table and the archive's
// sidecars and writes results under the stack key; and nobody else can run or read a search.
import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT } from "../../infra/policyCheck/mockRun";
import type { AwsPlan } from "./awsPlan";
import { type AwsRequest, evaluateRequest } from "./awsSimulator";
import { planAwsStack } from "./awsSuite";

let plan: AwsPlan;
beforeAll(async () => {
  plan = (await planAwsStack("aws-us-east-1")).plan();
}, 60_000);

const OVER_TLS = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" };
const WITH_MFA = { "aws:MultiFactorAuthPresent": "true" };
const roleArn = (part: string) => `arn:aws:iam::${ACCOUNT}:role/journal-${part}`;
const results = () => ({ name: String(plan.outputs.searchResultsBucketName), arn: `arn:aws:s3:::${plan.outputs.searchResultsBucketName}` });
const as = (part: string, action: string, resource: string, context: AwsRequest["context"], resourcePolicy?: AwsRequest["resourcePolicy"]): AwsRequest => ({
  principal: roleArn(part),
  action,
  resource,
  resourceAccount: ACCOUNT,
  context,
  identityPolicies: plan.identityPolicies(part),
  ...(resourcePolicy ? { resourcePolicy } : {}),
});
const decision = async (request: AwsRequest) => (await evaluateRequest(request)).decision;

describe("the auditor's searches, as AWS documents each call", () => {
  it("starts and reads queries in the stack's workgroup (Service Authorization Reference, Amazon Athena)", async () => {
    const workgroup = `arn:aws:athena:us-east-1:${ACCOUNT}:workgroup/${plan.outputs.searchWorkgroup}`;
    for (const action of ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"]) expect(await decision(as("auditor", action, workgroup, WITH_MFA)), action).toBe("Allowed");
    expect(await decision(as("auditor", "athena:StartQueryExecution", `arn:aws:athena:us-east-1:${ACCOUNT}:workgroup/primary`, WITH_MFA))).not.toBe("Allowed");
  });

  it("lets Athena read the table's definition as the auditor (\"Fine-grained access to databases and tables in the AWS Glue Data Catalog\")", async () => {
    const db = String(plan.outputs.searchDatabase);
    for (const resource of [`arn:aws:glue:us-east-1:${ACCOUNT}:catalog`, `arn:aws:glue:us-east-1:${ACCOUNT}:database/${db}`, `arn:aws:glue:us-east-1:${ACCOUNT}:table/${db}/sidecars`]) {
      expect(await decision(as("auditor", "glue:GetTable", resource, WITH_MFA)), resource).toBe("Allowed");
    }
  });

  it("lets Athena read the sidecars as the auditor, decrypting through S3 (\"Control access to Amazon S3 from Athena\")", async () => {
    const archive = plan.bucket("archive");
    expect(await decision(as("auditor", "s3:GetObject", `${archive.arn}/meta/2026/11/24/${"a".repeat(64)}.json`, { ...OVER_TLS, ...WITH_MFA }, plan.bucketPolicy(archive.name)))).toBe("Allowed");
    expect(await decision(as("auditor", "s3:GetBucketLocation", archive.arn, { ...OVER_TLS, ...WITH_MFA }, plan.bucketPolicy(archive.name)))).toBe("Allowed");
    const viaS3 = { ...WITH_MFA, "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": archive.arn };
    expect(await decision(as("auditor", "kms:Decrypt", plan.keyArn, viaS3, plan.keyPolicy()))).toBe("Allowed");
  });

  it("lets Athena write the results under the stack key and read them back, as the auditor (Amazon S3 User Guide, SSE-KMS permissions)", async () => {
    const bucket = results();
    const put = { ...OVER_TLS, ...WITH_MFA, "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": plan.keyArn };
    expect(await decision(as("auditor", "s3:PutObject", `${bucket.arn}/results/q-1.csv`, put, plan.bucketPolicy(bucket.name)))).toBe("Allowed");
    expect(await decision(as("auditor", "s3:GetObject", `${bucket.arn}/results/q-1.csv`, { ...OVER_TLS, ...WITH_MFA }, plan.bucketPolicy(bucket.name)))).toBe("Allowed");
    const viaS3 = { ...WITH_MFA, "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucket.arn };
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) expect(await decision(as("auditor", action, plan.keyArn, viaS3, plan.keyPolicy())), action).toBe("Allowed");
  });
});

describe("nobody else searches", () => {
  it("refuses the ingestor and the hold admin a query, and everyone but the auditor the results", async () => {
    const workgroup = `arn:aws:athena:us-east-1:${ACCOUNT}:workgroup/${plan.outputs.searchWorkgroup}`;
    for (const part of ["ingestor", "hold-admin"]) expect(await decision(as(part, "athena:StartQueryExecution", workgroup, WITH_MFA)), part).not.toBe("Allowed");
    const bucket = results();
    expect(await decision(as("hold-admin", "s3:GetObject", `${bucket.arn}/results/q-1.csv`, { ...OVER_TLS, ...WITH_MFA }, plan.bucketPolicy(bucket.name)))).not.toBe("Allowed");
    expect(await decision(as("auditor", "s3:GetObject", `${bucket.arn}/results/q-1.csv`, { ...OVER_TLS, "aws:MultiFactorAuthPresent": "false" }, plan.bucketPolicy(bucket.name)))).not.toBe("Allowed");
    // Not even the account's administrators (the root principal delegating to IAM): the bucket policy denies all but the auditor role.
    const admin: AwsRequest = { principal: `arn:aws:iam::${ACCOUNT}:role/deployer`, action: "s3:GetObject", resource: `${bucket.arn}/results/q-1.csv`, resourceAccount: ACCOUNT, context: OVER_TLS, identityPolicies: [{ name: "admin", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] } }], resourcePolicy: plan.bucketPolicy(bucket.name) };
    expect(await decision(admin)).toBe("ExplicitlyDenied");
  });
});
