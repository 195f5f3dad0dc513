// Athena over the sidecars, as the primary's `pulumi up` would build it: the table reads meta/ with a
// SerDe that reads pretty-printed JSON and projects the day path; the workgroup forces encrypted results
// into a bucket of the stack that only the auditor role can touch; only the auditor role may query.
import { beforeAll, describe, expect, it } from "vitest";
import { BYTES_SCANNED_CUTOFF } from "../../../infra/aws/search";
import { SIDECAR_COLUMNS } from "../../../infra/aws/sidecarTable";
import { ACCOUNT, doc, runProgram, type ProgramRun } from "../../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1");
}, 60_000);

const ARCHIVE = `ej-archive-${ACCOUNT}-us-east-1-aws-us-east-1`;
const RESULTS = `ej-search-${ACCOUNT}-us-east-1-aws-us-east-1`;
const KEY = /^arn:aws:kms:us-east-1:111122223333:key\//;
const companion = (type: string, bucket: string) => run.ofType(type).find((r) => r.inputs.bucket === bucket);

describe("the sidecar table", () => {
  it("is an external table over the archive's meta/, read with the Ion SerDe (pretty-printed JSON) and one column per field the matcher reads", () => {
    const table = run.one("aws:glue/catalogTable:CatalogTable").inputs;
    expect(table).toMatchObject({ name: "sidecars", databaseName: "email_journal_aws_us_east_1", tableType: "EXTERNAL_TABLE" });
    expect(table.storageDescriptor.location).toBe(`s3://${ARCHIVE}/meta/`);
    expect(table.storageDescriptor.serDeInfo.serializationLibrary).toBe("com.amazon.ionhiveserde.IonHiveSerDe");
    expect(table.storageDescriptor.inputFormat).toBe("com.amazon.ionhiveserde.formats.IonInputFormat");
    expect(table.storageDescriptor.columns.map((c: { name: string }) => c.name)).toEqual(SIDECAR_COLUMNS.map((c) => c.name));
    expect(table.storageDescriptor.serDeInfo.parameters["ion.envelope_recipients.path_extractor"]).toBe("(envelope recipients)");
  });

  it("projects the day partition from the path meta/YYYY/MM/DD/, so no crawler or partition list is needed", () => {
    const { parameters, partitionKeys } = run.one("aws:glue/catalogTable:CatalogTable").inputs;
    expect(partitionKeys).toEqual([expect.objectContaining({ name: "dt", type: "string" })]);
    expect(parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy/MM/dd",
      "projection.dt.interval.unit": "DAYS",
      "storage.location.template": `s3://${ARCHIVE}/meta/\${dt}/`,
    });
  });
});

describe("the workgroup", () => {
  const workgroup = () => run.one("aws:athena/workgroup:Workgroup").inputs;

  it("enforces its settings: results SSE-KMS under the stack key, in the results bucket (never the Object Lock archive), a scan cap", () => {
    const { configuration } = workgroup();
    expect(configuration.enforceWorkgroupConfiguration).toBe(true);
    expect(configuration.bytesScannedCutoffPerQuery).toBe(BYTES_SCANNED_CUTOFF);
    expect(configuration.resultConfiguration.encryptionConfiguration).toEqual({ encryptionOption: "SSE_KMS", kmsKeyArn: expect.stringMatching(KEY) });
    expect(configuration.resultConfiguration.outputLocation).toBe(`s3://${RESULTS}/results/`);
    expect(configuration.resultConfiguration.expectedBucketOwner).toBe(ACCOUNT);
  });

  it("puts results in a bucket that is private, under the stack key, readable by the auditor role alone, and emptied daily", () => {
    expect(companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", RESULTS)!.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const sse = companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", RESULTS)!.inputs.rules[0];
    expect(sse.applyServerSideEncryptionByDefault).toEqual({ sseAlgorithm: "aws:kms", kmsMasterKeyId: expect.stringMatching(KEY) });
    const policy = doc(companion("aws:s3/bucketPolicy:BucketPolicy", RESULTS)!.inputs.policy);
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === "DenyResultsToAllButAuditors")).toMatchObject({
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:GetObject", "s3:PutObject"],
      Condition: { ArnNotEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/journal-auditor` } },
    });
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === "DenyInsecureTransport")).toBeDefined();
    expect(companion("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", RESULTS)!.inputs.rules[0]).toMatchObject({ expiration: { days: 1 } });
    expect(companion("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", RESULTS)).toBeUndefined();
  });
});

describe("who may search", () => {
  const searchPolicy = () => doc(run.one("aws:iam/rolePolicy:RolePolicy", "auditor-search-policy").inputs.policy);

  it("is the auditor role, with MFA, on the stack's workgroup, database, table, results bucket and key only", () => {
    expect(run.one("aws:iam/rolePolicy:RolePolicy", "auditor-search-policy").inputs.role).toBe("journal-auditor");
    const statements = searchPolicy().Statement as Array<{ Sid: string; Action: string[]; Resource: string | string[]; Condition: Record<string, Record<string, string>> }>;
    for (const s of statements) {
      expect(s.Condition.Bool["aws:MultiFactorAuthPresent"], s.Sid).toBe("true");
      for (const resource of ([] as string[]).concat(s.Resource)) expect(resource, s.Sid).not.toContain("*/");
    }
    const sid = (name: string) => statements.find((s) => s.Sid === name)!;
    expect(sid("RunSearchQueries").Resource).toBe("arn:aws:athena:us-east-1:111122223333:workgroup/email-journal-aws-us-east-1");
    expect(sid("ReadSidecarTable").Resource).toEqual([
      "arn:aws:glue:us-east-1:111122223333:catalog",
      "arn:aws:glue:us-east-1:111122223333:database/email_journal_aws_us_east_1",
      "arn:aws:glue:us-east-1:111122223333:table/email_journal_aws_us_east_1/sidecars",
    ]);
    expect(sid("WriteAndReadSearchResults").Resource).toBe(`arn:aws:s3:::${RESULTS}/*`);
    expect(sid("EncryptSearchResults").Condition.StringEquals["kms:ViaService"]).toBe("s3.us-east-1.amazonaws.com");
  });

  it("is nobody else: no other policy of the stack grants an Athena or Glue action", () => {
    const granting = run
      .ofType("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => (doc(p.inputs.policy).Statement as Array<{ Effect: string; Action: string[] }>).some((s) => s.Effect === "Allow" && s.Action.some((a) => /^(athena|glue):/.test(a))));
    expect(granting.map((p) => p.name)).toEqual(["journal-auditor-search-policy"]);
  });

  it("exports what the auditor's command line reads", () => {
    expect(run.outputs).toMatchObject({ searchWorkgroup: "email-journal-aws-us-east-1", searchDatabase: "email_journal_aws_us_east_1", searchTable: "sidecars", searchResultsBucketName: RESULTS });
  });
});
