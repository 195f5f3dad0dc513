// The suite cannot pass vacuously: on a copy of the primary's plan with one of the first-deployment
// fixes taken out again, the contract that fix honours fails, naming AWS's page for it.
import { beforeAll, describe, expect, it } from "vitest";
import type { RecordedResource } from "../../infra/policyCheck/mockRun";
import { checkContracts } from "./awsContracts";
import { T } from "./awsPlan";
import { type PlannedAwsStack, planAwsStack } from "./awsSuite";

let planned: PlannedAwsStack;
beforeAll(async () => {
  planned = await planAwsStack("aws-us-east-1");
}, 60_000);

type Resources = readonly RecordedResource[];
type Statement = Record<string, any>;

/** The plan with the JSON policy of every `type` resource named *`name`* edited. */
const editPolicy = (resources: Resources, type: string, name: string, property: string, change: (statements: Statement[]) => Statement[]): RecordedResource[] =>
  resources.map((r) => {
    if (r.type !== type || !r.name.includes(name)) return r;
    const document = JSON.parse(r.inputs[property]);
    return { ...r, inputs: { ...r.inputs, [property]: JSON.stringify({ ...document, Statement: change(document.Statement) }) } };
  });
const withOptions = (resources: Resources, type: string, name: string, options: Partial<RecordedResource["options"]>): RecordedResource[] =>
  resources.map((r) => (r.type === type && r.name.includes(name) ? { ...r, options: { ...r.options, ...options } } : r));
const without = (sid: string) => (statements: Statement[]) => statements.filter((s) => s.Sid !== sid);

/** The key policy's CloudTrail statement as it was before the fix: DescribeKey under the encryption-context condition, no Decrypt. */
const oldCloudTrailStatement = (statements: Statement[]) => {
  const encrypt = statements.find((s) => s.Sid === "CloudTrailEncryptsLogs")!;
  return [...statements.filter((s) => !String(s.Sid).startsWith("CloudTrail")), { ...encrypt, Action: ["kms:GenerateDataKey", "kms:DescribeKey"] }];
};

const cases: [finding: string, mutate: (r: Resources) => RecordedResource[], contracts: string[], reference: string][] = [
  [
    "finding 1: the key policy lets the deployer only administer the key",
    (r) => editPolicy(r, T.key, "key", "policy", without("DeployerCreatesBackupVault")),
    ["deployer-creates-backup-vault"],
    'AWS Backup Developer Guide, "Backup vault creation and deletion", "Required permissions"',
  ],
  [
    "finding 2: the ingestor's role cannot send traces",
    (r) => editPolicy(r, T.rolePolicy, "ingestor", "policy", without("SendTraces")),
    ["lambda-sends-traces"],
    'AWS Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray"',
  ],
  [
    "finding 3: DescribeKey conditioned on an encryption context, and no Decrypt for the bucket key",
    (r) => editPolicy(r, T.key, "key", "policy", oldCloudTrailStatement),
    ["cloudtrail-describes-key", "cloudtrail-decrypts-with-bucket-key"],
    'AWS CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail"',
  ],
  [
    "finding 4b: the archive's deny policy does not wait for versioning and Object Lock",
    (r) => withOptions(r, T.bucketPolicy, "archive", { dependsOn: [] }),
    ["locked-policy-after-locked-settings"],
    'Amazon S3 API Reference, "PutBucketPolicy"',
  ],
  [
    "finding 5: the trail bucket's versioning is deleted with the stack",
    (r) => withOptions(r, T.versioning, "trail", { retainOnDelete: undefined }),
    ["locked-versioning-kept-on-destroy"],
    'Amazon S3 User Guide, "Object Lock considerations"',
  ],
  [
    "ordering: the function does not wait for its role's policy",
    (r) => withOptions(r, T.fn, "ingestor", { dependsOn: [] }),
    ["function-after-execution-policy"],
    'AWS Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray"',
  ],
  [
    "the auditor's trail: the role may not create objects under audit/",
    (r) => editPolicy(r, T.rolePolicy, "auditor-policy", "policy", without("WriteAuditTrail")),
    ["auditor-writes-trail"],
    'Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)"',
  ],
  [
    "the auditor's trail: the key policy does not let the people roles use the key through S3",
    (r) => editPolicy(r, T.key, "key", "policy", without("AuditTrailThroughS3WithMfa")),
    ["auditor-writes-trail", "hold-admin-writes-trail", "hold-admin-reads-trail"],
    'Amazon S3 User Guide, "Using server-side encryption with AWS KMS keys (SSE-KMS)"',
  ],
  [
    "the auditor's trail: the hold admin's write reaches the records",
    (r) => editPolicy(r, T.rolePolicy, "hold-admin-policy", "policy", (statements) => statements.map((st) => (st.Sid === "WriteAuditTrail" ? { ...st, Resource: st.Resource.replace("/audit/*", "/*") } : st))),
    ["people-write-only-the-trail"],
    "DESIGN.md, least-privilege roles",
  ],
  [
    "the auditor's trail: the hold admin may read records",
    (r) => editPolicy(r, T.rolePolicy, "hold-admin-policy", "policy", (statements) => statements.map((st) => (st.Sid === "ReadAuditTrail" ? { ...st, Resource: st.Resource.replace("/audit/*", "/*") } : st))),
    ["hold-admins-read-only-the-trail"],
    "DESIGN.md, least-privilege roles",
  ],
];

describe("the contracts on the the primary plan with a fix removed", () => {
  it("hold on the plan as built", async () => {
    expect((await checkContracts(planned.plan())).problems).toEqual([]);
  });

  it.each(cases)("%s: fails, citing the documentation", async (_finding, mutate, contracts, reference) => {
    const { problems } = await checkContracts(planned.plan(mutate(planned.run.resources)));
    expect(new Set(problems.map((p) => p.split(":")[0]))).toEqual(new Set(contracts));
    for (const problem of problems) expect(problem).toContain(reference);
  });
});
