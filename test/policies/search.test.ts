// The search rules, each on the resource the real program plans and on that resource with one fix
// removed: the rule passes the first and names what is wrong in the second.
import { beforeAll, describe, expect, it } from "vitest";
import { athenaWorkgroupEnforced } from "../../policies/aws/athenaWorkgroup";
import { searchPeopleOnly } from "../../policies/aws/searchPeopleOnly";
import { bigQueryAuditorOnly } from "../../policies/gcp/bigqueryAuditorOnly";
import { bigQueryCustomerKey } from "../../policies/gcp/bigqueryCustomerKey";
import { type ProgramRun, runProgram } from "../../infra/policyCheck/mockRun";
import { changed, policyDoc, REMOVE, resourceMessages } from "./helpers";

let aws: ProgramRun;
let gcp: ProgramRun;
beforeAll(async () => {
  aws = await runProgram("aws-us-east-1");
  gcp = await runProgram("gcp-us-east4");
}, 120_000);

describe("aws-athena-workgroup-enforced", () => {
  const type = "aws:athena/workgroup:Workgroup";
  const planned = () => aws.one(type).inputs;

  it("passes the planned workgroup", async () => {
    expect(await resourceMessages(athenaWorkgroupEnforced, { type, inputs: planned() })).toEqual([]);
  });

  it.each([
    ["configuration.enforceWorkgroupConfiguration", false, /enforceWorkgroupConfiguration is false; set true/],
    ["configuration.resultConfiguration.encryptionConfiguration.encryptionOption", "SSE_S3", /encryptionOption is "SSE_S3"; use SSE_KMS or CSE_KMS/],
    ["configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn", REMOVE, /kmsKeyArn is not set; name the stack's customer-managed KMS key/],
    ["configuration.resultConfiguration.outputLocation", REMOVE, /outputLocation is not set/],
    ["configuration.bytesScannedCutoffPerQuery", REMOVE, /bytesScannedCutoffPerQuery is not set; cap/],
  ])("names %s when it is %s", async (path, value, message) => {
    expect(await resourceMessages(athenaWorkgroupEnforced, { type, inputs: changed(planned(), path, value) })).toEqual([expect.stringMatching(message)]);
  });
});

describe("aws-search-people-with-mfa", () => {
  const type = "aws:iam/rolePolicy:RolePolicy";

  it("passes the planned auditor search policy", async () => {
    expect(await resourceMessages(searchPeopleOnly, { type, inputs: aws.one(type, "auditor-search-policy").inputs })).toEqual([]);
  });

  it("names a grant of Athena or Glue without MFA (a service role, or a person without a second factor)", async () => {
    const policy = policyDoc({ Sid: "Query", Effect: "Allow", Action: ["athena:StartQueryExecution"], Resource: "arn:aws:athena:us-east-1:111122223333:workgroup/w" }, { Sid: "Catalog", Effect: "Allow", Action: ["glue:GetTable"], Resource: "arn:aws:glue:us-east-1:111122223333:catalog", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } });
    expect(await resourceMessages(searchPeopleOnly, { type, inputs: { role: "journal-ingestor", policy } })).toEqual([
      expect.stringMatching(/policy Query Condition.Bool\["aws:MultiFactorAuthPresent"\] is not set; grant Athena and Glue to the auditor role only/),
      expect.stringMatching(/policy Catalog .* is "false"/),
    ]);
  });
});

describe("gcp-bigquery-customer-key and gcp-bigquery-auditor-only", () => {
  const type = "gcp:bigquery/dataset:Dataset";
  const planned = () => gcp.one(type).inputs;

  it("pass the planned dataset", async () => {
    expect(await resourceMessages(bigQueryCustomerKey, { type, inputs: planned() })).toEqual([]);
    expect(await resourceMessages(bigQueryAuditorOnly, { type, inputs: planned() })).toEqual([]);
  });

  it("name a dataset without the stack key", async () => {
    expect(await resourceMessages(bigQueryCustomerKey, { type, inputs: changed(planned(), "defaultEncryptionConfiguration", REMOVE) })).toEqual([expect.stringMatching(/defaultEncryptionConfiguration.kmsKeyName is not set/)]);
  });

  it.each([
    ["no access list (BigQuery then gives project readers and writers the tables)", REMOVE, /accesses is not set; list the access/],
    ["project-wide readers", [{ role: "OWNER", specialGroup: "projectOwners" }, { role: "READER", specialGroup: "projectReaders" }], /accesses\[1\].specialGroup is "projectReaders"/],
    ["a person rather than the auditor account", [{ role: "READER", userByEmail: "alice@example.com" }], /accesses\[0\].userByEmail is "alice@example.com"/],
    ["everyone", [{ role: "READER", iamMember: "allUsers" }], /accesses\[0\] is .*allUsers.*grant the auditor/],
  ])("names %s", async (_, accesses, message) => {
    expect(await resourceMessages(bigQueryAuditorOnly, { type, inputs: changed(planned(), "accesses", accesses) })).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });
});
