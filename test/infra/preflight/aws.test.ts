// The AWS preflight against SDK mocks answering as AWS does: each check passes, fails with what to
// do, or is unknown when AWS will not say; it only ever reads.
import { GetAccountSettingsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeActiveReceiptRuleSetCommand, GetIdentityVerificationAttributesCommand, SESClient } from "@aws-sdk/client-ses";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../infra/config";
import { type AwsPreflightClients, preflightAws } from "../../../infra/preflight/aws";
import { projectConfig } from "../../../infra/stackFiles";

const lambda = mockClient(LambdaClient);
const ses = mockClient(SESClient);
const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const clients: AwsPreflightClients = { lambda: new LambdaClient({ region: "us-east-1" }), ses: new SESClient({ region: "us-east-1" }), sts: new STSClient({ region: "us-east-1" }), iam: new IAMClient({ region: "us-east-1" }) };

const DEPLOYER = "arn:aws:iam::111122223333:role/platform/deployer";
const denied = (name: string) => Object.assign(new Error(`User is not authorized to perform: ${name}`), { name: "AccessDeniedException", $metadata: { httpStatusCode: 403 } });
const config = (stack = "aws-us-east-1", change: Record<string, unknown> = {}) => parseStackConfig({ ...projectConfig(stack), ...change }, stack);
const check = async (name: string, cfg = config()) => (await preflightAws(cfg, clients)).find((c) => c.name === name)!;

beforeEach(() => {
  for (const mock of [lambda, ses, sts, iam]) mock.reset();
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
  ses.on(DescribeActiveReceiptRuleSetCommand).resolves({});
  ses.on(GetIdentityVerificationAttributesCommand).resolves({ VerificationAttributes: { "archive.example.com": { VerificationStatus: "Success" } } });
  sts.on(GetCallerIdentityCommand).resolves({ Account: "111122223333", Arn: "arn:aws:sts::111122223333:assumed-role/deployer/ci-run-42", UserId: "AROAEXAMPLE:ci-run-42" });
  iam.on(GetRoleCommand).resolves({ Role: { Arn: DEPLOYER, RoleName: "deployer", Path: "/platform/", RoleId: "AROAEXAMPLE", CreateDate: new Date() } });
  iam.on(SimulatePrincipalPolicyCommand).callsFake(async (input) => ({ EvaluationResults: input.ActionNames.map((a: string) => ({ EvalActionName: a, EvalDecision: "allowed" })) }));
});

describe("the AWS preflight", () => {
  it("passes an account ready for the primary, with one answer per question, asking only read-only APIs", async () => {
    const checks = await preflightAws(config(), clients);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["Lambda concurrency quota", "pass"],
      ["SES active receipt rule set", "pass"],
      ["SES receiving domain verification", "pass"],
      ["deploying identity's KMS permissions", "pass"],
    ]);
    const asked = [lambda, ses, sts, iam].flatMap((m) => m.calls().map((c) => c.args[0].constructor.name));
    for (const command of asked) expect(command).toMatch(/^(Get|Describe|Simulate)/);
  });
});

describe("Lambda concurrency", () => {
  it("fails a reservation that would leave fewer than 100 unreserved, saying what is possible", async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 50, UnreservedConcurrentExecutions: 50 } });
    const found = await check("Lambda concurrency quota", config("aws-us-east-1", { reservedConcurrency: 20 }));
    expect(found).toMatchObject({ status: "fail", detail: expect.stringContaining("reserving 20 would leave 30") });
    expect(found.fix).toContain("set email-journal:reservedConcurrency to at most 0 or remove it");
  });

  it("passes an unreserved ingestor on a small account, and a reservation that leaves 100", async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    expect(await check("Lambda concurrency quota")).toMatchObject({ status: "pass", detail: expect.stringContaining("the ingestor reserves none") });
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 150 } });
    expect(await check("Lambda concurrency quota", config("aws-us-east-1", { reservedConcurrency: 50 }))).toMatchObject({ status: "pass" });
  });

  it("is unknown when Lambda will not say", async () => {
    lambda.on(GetAccountSettingsCommand).rejects(denied("lambda:GetAccountSettings"));
    expect(await check("Lambda concurrency quota")).toMatchObject({ status: "unknown", detail: expect.stringContaining("AccessDeniedException"), fix: expect.stringContaining("lambda:GetAccountSettings") });
  });
});

describe("the active receipt rule set (finding 7)", () => {
  it("fails when another rule set is active, since ours would replace it", async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: "corporate-inbound" }, Rules: [{ Name: "helpdesk" }, { Name: "invoices" }] });
    const found = await check("SES active receipt rule set");
    expect(found).toMatchObject({ status: "fail", detail: expect.stringContaining('the account\'s active receipt rule set in us-east-1 is "corporate-inbound" (rules: helpdesk, invoices)') });
    expect(found.detail).toContain("would activate email-journal-aws-us-east-1 in its place");
  });

  it("passes when ours is active already, and does not ask for a standby", async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: "email-journal-aws-us-east-1" } });
    expect((await check("SES active receipt rule set")).status).toBe("pass");
    ses.reset();
    ses.on(GetIdentityVerificationAttributesCommand).resolves({ VerificationAttributes: { "archive.example.com": { VerificationStatus: "Success" } } });
    expect(await check("SES active receipt rule set", config("aws-us-west-2"))).toMatchObject({ status: "pass", detail: expect.stringContaining("a standby activates no rule set") });
    expect(ses.commandCalls(DescribeActiveReceiptRuleSetCommand)).toHaveLength(0);
  });
});

describe("domain verification", () => {
  it("fails an unverified receiving domain, with the commands that verify it", async () => {
    ses.on(GetIdentityVerificationAttributesCommand).resolves({ VerificationAttributes: { "archive.example.com": { VerificationStatus: "Pending" } } });
    const found = await check("SES receiving domain verification");
    expect(found).toMatchObject({ status: "fail", detail: expect.stringContaining("archive.example.com is Pending") });
    expect(found.fix).toContain("aws ses verify-domain-identity --domain <domain> --region us-east-1");
    expect(ses.commandCalls(GetIdentityVerificationAttributesCommand)[0].args[0].input).toEqual({ Identities: ["archive.example.com"] });
  });

  it("counts a domain SES has never heard of as not started", async () => {
    ses.on(GetIdentityVerificationAttributesCommand).resolves({ VerificationAttributes: {} });
    expect(await check("SES receiving domain verification")).toMatchObject({ status: "fail", detail: expect.stringContaining("archive.example.com is NotStarted") });
  });
});

describe("the deployer's KMS permissions (finding 1)", () => {
  it("simulates the deploying role itself (path included), on the keys of the stack's region, through AWS Backup for the vault", async () => {
    await check("deploying identity's KMS permissions");
    expect(iam.commandCalls(GetRoleCommand)[0].args[0].input).toEqual({ RoleName: "deployer" });
    const asked = iam.commandCalls(SimulatePrincipalPolicyCommand).map((c) => c.args[0].input);
    expect(asked.every((input) => input.PolicySourceArn === DEPLOYER)).toBe(true);
    expect(asked.find((input) => input.ActionNames?.includes("kms:CreateGrant"))).toMatchObject({
      ResourceArns: ["arn:aws:kms:us-east-1:111122223333:key/*"],
      ContextEntries: [{ ContextKeyName: "kms:ViaService", ContextKeyValues: ["backup.us-east-1.amazonaws.com"], ContextKeyType: "string" }],
    });
  });

  it("fails a deployer whose IAM policies lack what AWS Backup requires, naming the actions", async () => {
    iam.on(SimulatePrincipalPolicyCommand).callsFake(async (input) => ({
      EvaluationResults: input.ActionNames.map((a: string) => ({ EvalActionName: a, EvalDecision: ["kms:CreateGrant", "kms:RetireGrant"].includes(a) ? "implicitDeny" : "allowed" })),
    }));
    const found = await check("deploying identity's KMS permissions");
    expect(found).toMatchObject({ status: "fail", detail: `${DEPLOYER} is not allowed, by its IAM policies: kms:CreateGrant (implicitDeny), kms:RetireGrant (implicitDeny)` });
    expect(found.fix).toContain('AWS Backup Developer Guide, "Backup vault creation and deletion"');
  });

  it("is unknown, with the fix, when IAM will not simulate, or the caller is the root user", async () => {
    iam.on(SimulatePrincipalPolicyCommand).rejects(denied("iam:SimulatePrincipalPolicy"));
    expect(await check("deploying identity's KMS permissions")).toMatchObject({ status: "unknown", fix: expect.stringContaining("iam:SimulatePrincipalPolicy") });
    sts.on(GetCallerIdentityCommand).resolves({ Account: "111122223333", Arn: "arn:aws:iam::111122223333:root" });
    expect(await check("deploying identity's KMS permissions")).toMatchObject({ status: "unknown", detail: expect.stringContaining("root user") });
  });
});
