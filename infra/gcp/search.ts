// Search at archive scale on GCP: BigQuery over the sidecars under meta/, for the stack's auditor only.
//  - a dataset in the archive's location, its tables (and each search's results) under the stack key;
//    only the auditor account reads it (its owners administer it);
//  - an external table of the sidecars' lines (functions/auditor/engines/bigquery.ts says why lines:
//    BigQuery reads JSON newline-delimited only, and the sidecars are pretty-printed), over
//    gs://<archive>/meta/*: no copy of the data, nothing stored in BigQuery;
//  - the auditor account's right to run query jobs in the project (a custom role of one permission).
// No BigLake connection: BigLake's access delegation lets a connection's account read the bucket for
// whoever may read the table; the auditor account already reads the archive itself (access.ts), which
// is what an external table without a connection needs ("Introduction to external tables": users need
// permissions on both the external table and the external data source), so no second identity is given
// the records.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import type { Placement } from "./storage";

export const SIDECAR_LINES_TABLE = "sidecar_lines";
/** A byte JSON.stringify never writes raw (it escapes every control character): no line ever splits into fields. */
export const LINE_DELIMITER = "\u001f";

/** BigQuery's encryption service account for a project ("Customer-managed Cloud KMS keys", grant encryption and decryption permission). */
export const bigQueryAgent = (projectNumber: pulumi.Input<string>) => pulumi.interpolate`bq-${projectNumber}@bigquery-encryption.iam.gserviceaccount.com`;

/** The dataset's location: a dual-region archive's multi-region (BigQuery's US or EU), else the archive's region. */
export const datasetLocation = (config: StackConfig, placement: Placement) => (placement.dataLocations ? placement.location.toUpperCase() : config.region);

export interface ArchiveSearchArgs {
  readonly config: StackConfig;
  readonly project: string;
  readonly projectNumber: pulumi.Input<string>;
  readonly placement: Placement;
  readonly archiveBucket: pulumi.Input<string>;
  /** The stack key, in the archive's location, which is the dataset's. */
  readonly kmsKeyName: pulumi.Input<string>;
  readonly auditorEmail: string;
  readonly labels: Record<string, string>;
}

export function archiveSearch(name: string, args: ArchiveSearchArgs, opts: pulumi.CustomResourceOptions) {
  const { config, project } = args;
  const stackId = config.stack.replace(/[^A-Za-z0-9]/g, "_");
  const location = datasetLocation(config, args.placement);

  // "The BigQuery service account must have the Cloud KMS CryptoKey Encrypter/Decrypter role" on a dataset's
  // default key (BigQuery, "Customer-managed Cloud KMS keys", grant encryption and decryption permission,
  // https://cloud.google.com/bigquery/docs/customer-managed-encryption), and the key must be in the dataset's location.
  const agentGrant = new gcp.kms.CryptoKeyIAMMember(
    `${name}-key-bigquery`,
    { cryptoKeyId: args.kmsKeyName, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: pulumi.interpolate`serviceAccount:${bigQueryAgent(args.projectNumber)}` },
    opts,
  );
  const dataset = new gcp.bigquery.Dataset(
    `${name}-search-dataset`,
    {
      project,
      datasetId: `email_journal_${stackId}`,
      location,
      description: `email-journal sidecars of ${config.stack}, for its auditor's searches`,
      defaultEncryptionConfiguration: { kmsKeyName: args.kmsKeyName },
      // The whole access list: the auditor account reads; the project's owners administer. No project-wide
      // readers or writers (BigQuery's defaults when no list is given), nobody else.
      accesses: [
        { role: "OWNER", specialGroup: "projectOwners" },
        { role: "READER", userByEmail: args.auditorEmail },
      ],
      // The table holds no data (it reads the archive): a sandbox's dataset goes with it.
      deleteContentsOnDestroy: config.sandbox,
      labels: args.labels,
    },
    { ...opts, dependsOn: [agentGrant] },
  );
  const table = new gcp.bigquery.Table(
    `${name}-search-table`,
    {
      project,
      datasetId: dataset.datasetId,
      tableId: SIDECAR_LINES_TABLE,
      description: "One row per line of each sidecar (meta/YYYY/MM/DD/<sha256>.json); _FILE_NAME names its sidecar",
      deletionProtection: !config.sandbox,
      schema: JSON.stringify([{ name: "line", type: "STRING", mode: "NULLABLE", description: "one line of a pretty-printed sidecar" }]),
      externalDataConfiguration: {
        sourceFormat: "CSV",
        autodetect: false,
        sourceUris: [pulumi.interpolate`gs://${args.archiveBucket}/meta/*`],
        // One field per line: a delimiter no sidecar holds, and no quoting ("" turns it off: BigQuery REST reference, CsvOptions.quote).
        csvOptions: { fieldDelimiter: LINE_DELIMITER, quote: "", allowJaggedRows: false, allowQuotedNewlines: false, encoding: "UTF-8", skipLeadingRows: 0 },
        maxBadRecords: 0,
      },
      labels: args.labels,
    },
    opts,
  );

  // Query jobs are a project's ("Query Cloud Storage data in external tables", required permissions:
  // bigquery.jobs.create, with bigquery.tables.get and getData on the table, which the dataset's READER gives).
  const roleId = `emailJournal_searchJobs_${stackId}`;
  const jobRole = new gcp.projects.IAMCustomRole(
    `${name}-search-jobs-role`,
    { project, roleId, title: `email-journal auditor: run search queries (${config.stack})`, permissions: ["bigquery.jobs.create"], stage: "GA" },
    opts,
  );
  // The role by its full name, known at preview (as access.ts names its roles); the grant waits for it.
  const jobGrant = new gcp.projects.IAMMember(`${name}-auditor-search-jobs`, { project, role: `projects/${project}/roles/${roleId}`, member: `serviceAccount:${args.auditorEmail}` }, { ...opts, dependsOn: [jobRole] });

  return {
    dataset,
    table,
    grants: [agentGrant, jobGrant],
    /** What the auditor's command line reads (functions/auditor/engines/cloud.ts). */
    outputs: { searchDataset: dataset.datasetId, searchTable: SIDECAR_LINES_TABLE, searchLocation: location },
  };
}
