// BigQuery over the sidecars, as the primary's `pulumi up` would build it: an auditor-only dataset
// under the stack key (BigQuery's agent may use it), an external table of the sidecars' lines over
// meta/, and the auditor account's one project permission to run query jobs.
import { beforeAll, describe, expect, it } from "vitest";
import { LINE_DELIMITER } from "../../../infra/gcp/search";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { PROJECT_NUMBER } from "../../../infra/policyCheck/mocks/gcp";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-east4");
}, 60_000);

const PROJECT = "acme-journal-gcp-us-east4";
const AUDITOR = `ej-auditor-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`;

describe("the search dataset", () => {
  it("is in the archive's region, under the archive's key, readable by the auditor account alone", () => {
    const dataset = run.one("gcp:bigquery/dataset:Dataset").inputs;
    expect(dataset).toMatchObject({ datasetId: "email_journal_gcp_us_east4", location: "us-east4" });
    const archive = run.ofType("gcp:storage/bucket:Bucket").find((b) => b.inputs.name === `${PROJECT}-journal-archive-gcp-us-east4`)!;
    expect(dataset.defaultEncryptionConfiguration.kmsKeyName).toBe(archive.inputs.encryption.defaultKmsKeyName);
    expect(dataset.accesses).toEqual([{ role: "OWNER", specialGroup: "projectOwners" }, { role: "READER", userByEmail: AUDITOR }]);
  });

  it("waits for BigQuery's encryption account to hold encrypt/decrypt on that key, which CMEK needs", () => {
    const grant = run.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "key-bigquery");
    expect(grant.inputs).toMatchObject({ role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: `serviceAccount:bq-${PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com` });
    expect(grant.inputs.cryptoKeyId).toBe(run.one("gcp:bigquery/dataset:Dataset").inputs.defaultEncryptionConfiguration.kmsKeyName);
    expect(run.one("gcp:bigquery/dataset:Dataset").options.dependsOn).toContain(`gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember::${grant.name}`);
  });
});

describe("the sidecar table", () => {
  it("reads every line of every sidecar under meta/ as one field: CSV on a delimiter JSON never writes raw, without quoting", () => {
    const table = run.one("gcp:bigquery/table:Table").inputs;
    expect(table.tableId).toBe("sidecar_lines");
    expect(JSON.parse(table.schema)).toEqual([expect.objectContaining({ name: "line", type: "STRING" })]);
    expect(table.externalDataConfiguration).toMatchObject({ sourceFormat: "CSV", autodetect: false, sourceUris: [`gs://${PROJECT}-journal-archive-gcp-us-east4/meta/*`], maxBadRecords: 0 });
    expect(table.externalDataConfiguration.csvOptions).toMatchObject({ fieldDelimiter: LINE_DELIMITER, quote: "", allowQuotedNewlines: false });
    expect(JSON.stringify({ subject: `a${LINE_DELIMITER}b` })).not.toContain(LINE_DELIMITER);
    expect(table.deletionProtection).toBe(true);
  });
});

describe("who may search", () => {
  it("is the auditor account: the one permission to run query jobs, in the project; the data through the dataset and the archive's own grant", () => {
    const role = run.ofType("gcp:projects/iAMCustomRole:IAMCustomRole").find((r) => r.inputs.roleId === "emailJournal_searchJobs_gcp_us_east4")!;
    expect(role.inputs.permissions).toEqual(["bigquery.jobs.create"]);
    const grants = run.ofType("gcp:projects/iAMMember:IAMMember").filter((m) => String(m.inputs.role).includes("searchJobs"));
    expect(grants.map((g) => [g.inputs.role, g.inputs.member])).toEqual([[`projects/${PROJECT}/roles/emailJournal_searchJobs_gcp_us_east4`, `serviceAccount:${AUDITOR}`]]);
  });

  it("exports what the auditor's command line reads", () => {
    expect(run.outputs).toMatchObject({ searchDataset: "email_journal_gcp_us_east4", searchTable: "sidecar_lines", searchLocation: "us-east4", project: PROJECT });
  });
});
