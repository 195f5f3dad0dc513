// The standby (standby, us-west-2): the same archive and guarantees, intake inactive, and
// ready to receive the primary's replicas; it replicates nothing itself.
import { beforeAll, describe, expect, it } from "vitest";
import { policyProblems } from "../../../policies/aws/documents";
import { ACCOUNT, doc, runProgram, type ProgramRun } from "../../../infra/policyCheck/mockRun";
import { roleState } from "../../helpers/roleState";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-west-2");
}, 60_000);

describe("the standby as standby", () => {
  it("takes no mail and replicates nothing, as a standby on every cloud", () => {
    expect(roleState(run, "aws")).toEqual({ intakeActive: false });
  });

  it("builds the same locked, encrypted archive in its own region, with its own key", () => {
    expect(run.one("pulumi:providers:aws").inputs.region).toBe("us-west-2");
    const lock = run.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").find((r) => r.inputs.bucket === `ej-archive-${ACCOUNT}-us-west-2-aws-us-west-2`)!;
    expect(lock.inputs.rule.defaultRetention).toEqual({ mode: "COMPLIANCE", days: 2557 });
    expect(run.one("aws:kms/key:Key").inputs.enableKeyRotation).toBe(true);
    expect(run.outputs.archiveBucketArn).toBe(`arn:aws:s3:::ej-archive-${ACCOUNT}-us-west-2-aws-us-west-2`);
  });

  it("deploys intake and the ingestor but leaves the SES rule set inactive", () => {
    expect(run.ofType("aws:ses/receiptRule:ReceiptRule")).toHaveLength(1);
    expect(run.ofType("aws:lambda/function:Function")).toHaveLength(1);
    expect(run.ofType("aws:ses/activeReceiptRuleSet:ActiveReceiptRuleSet")).toEqual([]);
  });

  it("replicates nothing and reads no peer outputs, so it can be deployed before the primary", () => {
    expect(run.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toEqual([]);
    // Its own last outputs only (the locked settings, lockedSettings.ts): never the primary's.
    expect(run.ofType("pulumi:pulumi:StackReference").map((r) => r.inputs.name)).toEqual(["acme-bank/email-journal/aws-us-west-2"]);
  });

  it("lets the primary's replication role, and only it, encrypt replicas under this stack's key", () => {
    const grant = doc(run.one("aws:kms/key:Key").inputs.policy).Statement.find((s) => s.Sid === "PeerReplicationEncryptsReplicas");
    expect(grant).toMatchObject({ Action: ["kms:Encrypt", "kms:GenerateDataKey"], Condition: { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/email-journal-replication-aws-us-east-1` } } });
  });

  it("keeps every guarantee of least privilege and alerting that the primary has", () => {
    for (const r of run.ofType("aws:iam/rolePolicy:RolePolicy")) expect(policyProblems(r.inputs.policy), r.name).toEqual([]);
    expect(run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")).toHaveLength(4);
    expect(run.one("aws:cloudtrail/trail:Trail").inputs.enableLogFileValidation).toBe(true);
    expect(JSON.parse(run.one("pulumi:providers:aws").inputs.defaultTags).tags.role).toBe("standby");
  });
});

describe("the pair", () => {
  it("names each other: the primary's replication role is the one the standby admits", () => {
    expect(run.outputs.peerStack).toBe("acme-bank/email-journal/aws-us-east-1");
    expect(run.one("aws:iam/role:Role", "replication").inputs.name).toBe("email-journal-replication-aws-us-west-2");
  });
});
