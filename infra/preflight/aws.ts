// The AWS preflight: what the operator's account must allow before the first `pulumi up`, asked
// read-only with the operator's own credentials. Four questions: does the Lambda concurrency quota
// allow the reservation the stack asks for, would activating the stack's SES rule set replace one
// the account already uses, is each receiving domain verified, and may the deploying identity use
// the key it will create the way AWS Backup requires. Each passes, fails with what to do, or is
// unknown when AWS would not say (and then says how to find out by hand).
import { GetAccountSettingsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeActiveReceiptRuleSetCommand, GetIdentityVerificationAttributesCommand, SESClient } from "@aws-sdk/client-ses";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type EvaluationResult, GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import type { StackConfig } from "../config";
import { BACKUP_VAULT_CREATOR_ACTIONS, DEPLOYER_KEY_ADMIN_ACTIONS } from "../aws/deployer";
import type { Preflight, PreflightCheck } from "./check";

export interface AwsPreflightClients {
  readonly lambda: LambdaClient;
  readonly ses: SESClient;
  readonly sts: STSClient;
  readonly iam: IAMClient;
}

/** Clients for the stack's region, with the default credential chain (AWS_PROFILE, or role credentials in CI). */
export function awsPreflightClients(region: string): AwsPreflightClients {
  return { lambda: new LambdaClient({ region }), ses: new SESClient({ region }), sts: new STSClient({ region }), iam: new IAMClient({ region }) };
}

/**
 * "You can reserve up to the Unreserved account concurrency value that is shown, minus 100 for
 * functions that don't have reserved concurrency" (AWS Lambda Developer Guide, "Configuring reserved
 * concurrency for a function").
 */
export const MINIMUM_UNRESERVED_CONCURRENCY = 100;

/** What went wrong, in one line: the SDK's error name and message. */
const said = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message.split("\n")[0]}` : String(err));

/** A check that asked and could not get an answer. */
const unknown = (name: string, err: unknown, fix: string): PreflightCheck => ({ name, status: "unknown", detail: `AWS did not say (${said(err)})`, fix });

async function lambdaConcurrency(config: StackConfig, lambda: LambdaClient): Promise<PreflightCheck> {
  const name = "Lambda concurrency quota";
  try {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    const limit = settings.AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    const quota = `the account's concurrency quota in ${config.region} is ${limit}, ${unreserved} of it unreserved`;
    const reserved = config.reservedConcurrency;
    if (reserved === undefined) return { name, status: "pass", detail: `${quota}; the ingestor reserves none (email-journal:reservedConcurrency is not set) and shares the unreserved pool` };
    const left = unreserved - reserved;
    if (left >= MINIMUM_UNRESERVED_CONCURRENCY) return { name, status: "pass", detail: `${quota}; reserving ${reserved} leaves ${left}, at least the ${MINIMUM_UNRESERVED_CONCURRENCY} Lambda keeps unreserved` };
    return {
      name,
      status: "fail",
      detail: `${quota}; reserving ${reserved} would leave ${left}, and Lambda refuses a reservation that leaves fewer than ${MINIMUM_UNRESERVED_CONCURRENCY} unreserved`,
      fix: `set email-journal:reservedConcurrency to at most ${Math.max(unreserved - MINIMUM_UNRESERVED_CONCURRENCY, 0)} or remove it (pulumi config rm email-journal:reservedConcurrency), or ask for a higher "Concurrent executions" quota in Service Quotas (AWS Lambda)`,
    };
  } catch (err) {
    return unknown(name, err, "grant lambda:GetAccountSettings, or read the quota in Service Quotas > AWS Lambda > Concurrent executions");
  }
}

async function activeRuleSet(config: StackConfig, ses: SESClient): Promise<PreflightCheck> {
  const name = "SES active receipt rule set";
  const ours = `email-journal-${config.stack}`;
  if (config.role !== "primary") return { name, status: "pass", detail: `a standby activates no rule set; ${ours} stays inactive until promotion` };
  try {
    const active = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
    const current = active.Metadata?.Name;
    if (!current) return { name, status: "pass", detail: `no receipt rule set is active in ${config.region}; \`pulumi up\` activates ${ours}` };
    if (current === ours) return { name, status: "pass", detail: `${ours} is already the active rule set in ${config.region}` };
    const rules = (active.Rules ?? []).map((r) => r.Name).filter(Boolean);
    return {
      name,
      status: "fail",
      detail:
        `the account's active receipt rule set in ${config.region} is "${current}"${rules.length ? ` (rules: ${rules.join(", ")})` : ""}. Only one rule set is active per account and region: ` +
        `\`pulumi up\` would activate ${ours} in its place and stop the mail "${current}" receives; \`pulumi destroy\` would later turn receiving off`,
      fix: `move "${current}"'s rules into the account's use elsewhere (another region or account), or deploy this stack in a region where SES receives nothing else; then run the preflight again`,
    };
  } catch (err) {
    return unknown(name, err, `grant ses:DescribeActiveReceiptRuleSet, or run \`aws ses describe-active-receipt-rule-set --region ${config.region}\``);
  }
}

async function domainVerification(config: StackConfig, ses: SESClient): Promise<PreflightCheck> {
  const name = "SES receiving domain verification";
  const domains = [...config.intake.domains];
  try {
    const answer = await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: domains }));
    const status = (domain: string) => answer.VerificationAttributes?.[domain]?.VerificationStatus ?? "NotStarted";
    const unverified = domains.filter((d) => status(d) !== "Success");
    if (unverified.length === 0) return { name, status: "pass", detail: `${domains.join(", ")} verified in SES in ${config.region}` };
    return {
      name,
      status: "fail",
      detail: `SES receives mail only for verified domains; in ${config.region}: ${unverified.map((d) => `${d} is ${status(d)}`).join(", ")}`,
      fix: `for each: \`aws ses verify-domain-identity --domain <domain> --region ${config.region}\`, publish the TXT record it returns as _amazonses.<domain>, and point the domain's MX at inbound-smtp.${config.region}.amazonaws.com (priority 10)`,
    };
  } catch (err) {
    return unknown(name, err, `grant ses:GetIdentityVerificationAttributes, or check the domains under Amazon SES > Identities in ${config.region}`);
  }
}

/** The IAM ARN to simulate for a caller: a role's own ARN (path included) for an assumed-role session. */
async function principalArn(callerArn: string, iam: IAMClient): Promise<string | undefined> {
  const assumed = /^arn:aws:sts::\d{12}:assumed-role\/([^/]+)\//.exec(callerArn);
  if (assumed) return (await iam.send(new GetRoleCommand({ RoleName: assumed[1] }))).Role?.Arn;
  return /^arn:aws:iam::\d{12}:user\//.test(callerArn) ? callerArn : undefined;
}

async function simulate(iam: IAMClient, source: string, actions: readonly string[], resource: string, viaService?: string): Promise<EvaluationResult[]> {
  const results: EvaluationResult[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: source,
        ActionNames: [...actions],
        ResourceArns: [resource],
        ...(viaService ? { ContextEntries: [{ ContextKeyName: "kms:ViaService", ContextKeyValues: [viaService], ContextKeyType: "string" }] } : {}),
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    results.push(...(page.EvaluationResults ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return results;
}

async function deployerKeyAccess(config: StackConfig, sts: STSClient, iam: IAMClient): Promise<PreflightCheck> {
  const name = "deploying identity's KMS permissions";
  const grantFix = (account: string) =>
    `grant the deploying identity, in IAM, ${["kms:CreateKey", ...DEPLOYER_KEY_ADMIN_ACTIONS, ...BACKUP_VAULT_CREATOR_ACTIONS].join(", ")} on arn:aws:kms:${config.region}:${account}:key/* ` +
    `(AWS Backup Developer Guide, "Backup vault creation and deletion": whoever creates the vault needs the last five on its key)`;
  let caller: string;
  let account: string;
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    caller = identity.Arn ?? "";
    account = identity.Account ?? "";
  } catch (err) {
    return unknown(name, err, "set credentials for the target account (AWS_PROFILE, or role credentials in CI) and run the preflight again");
  }
  if (/:root$/.test(caller)) return { name, status: "unknown", detail: `signed in as the account's root user (${caller}): IAM cannot simulate it`, fix: "deploy with an IAM role, not the root user, and run the preflight as it" };
  try {
    const source = await principalArn(caller, iam);
    if (!source) return { name, status: "unknown", detail: `${caller} is neither an IAM user nor an assumed role: IAM cannot simulate it`, fix: grantFix(account) };
    const keys = `arn:aws:kms:${config.region}:${account}:key/*`;
    const results = [
      ...(await simulate(iam, source, ["kms:CreateKey"], "*")),
      ...(await simulate(iam, source, DEPLOYER_KEY_ADMIN_ACTIONS, keys)),
      ...(await simulate(iam, source, BACKUP_VAULT_CREATOR_ACTIONS, keys, `backup.${config.region}.amazonaws.com`)),
    ];
    const denied = results.filter((r) => r.EvalDecision !== "allowed").map((r) => `${r.EvalActionName} (${r.EvalDecision})`);
    if (denied.length === 0) return { name, status: "pass", detail: `${source} may create the stack key, administer it and create the backup vault under it (the key policy lets these count: see docs/aws.md)` };
    return { name, status: "fail", detail: `${source} is not allowed, by its IAM policies: ${denied.join(", ")}`, fix: grantFix(account) };
  } catch (err) {
    return unknown(name, err, `grant the operator iam:GetRole and iam:SimulatePrincipalPolicy, or check by hand: ${grantFix(account)}`);
  }
}

export const preflightAws: Preflight<AwsPreflightClients> = async (config, clients) =>
  Promise.all([lambdaConcurrency(config, clients.lambda), activeRuleSet(config, clients.ses), domainVerification(config, clients.ses), deployerKeyAccess(config, clients.sts, clients.iam)]);
