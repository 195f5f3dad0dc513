// The Glue table Athena reads the sidecars through: plain data, shared by the stack (infra/aws/search.ts
// builds the table from it) and the auditor's Athena engine (functions/auditor/engines/athena.ts names
// its columns). No Pulumi here: the auditor's command line imports it.
//
// The SerDe is Amazon Ion's, not a JSON SerDe: the ingestor writes each sidecar pretty-printed
// (JSON.stringify(sidecar, null, 2), functions/core/pipeline.ts), and "The Hive and OpenX libraries
// expect JSON data to be on a single line (not formatted)… Because Amazon Ion is a superset of JSON,
// you can use the Amazon Ion Hive SerDe… Unlike the Hive and OpenX JSON SerDe libraries, the Amazon
// Ion SerDe does not expect each row of data to be on a single line" (Amazon Athena User Guide, "JSON
// SerDe libraries", https://docs.aws.amazon.com/athena/latest/ug/json-serde.html).
//
// Every column names its field with a path extractor ("Specify your own path extractors",
// https://docs.aws.amazon.com/athena/latest/ug/ion-serde-specifying-your-own-path-extractors.html):
// the sidecar's camelCase names and nested fields map to plain lower-case columns that are no SQL
// keyword, whether the extractor matches case-sensitively or not (the guide says it does not by
// default; the open-source SerDe, amzn/ion-hive-serde PathExtractionConfig, reads the setting through
// Boolean.getBoolean, so it does). Inside a column, struct fields are looked up by their exact name
// (IonStructToStructInspector: struct.get(name)), so the two nested lists with camelCase fields are
// read as maps (IonStructToMapObjectInspector keeps the sidecar's own keys), and the attachments as
// structs of their lower-case fields only.

export const SIDECAR_SERDE = {
  serializationLibrary: "com.amazon.ionhiveserde.IonHiveSerDe",
  inputFormat: "com.amazon.ionhiveserde.formats.IonInputFormat",
  outputFormat: "com.amazon.ionhiveserde.formats.IonOutputFormat",
} as const;

export interface SidecarColumn {
  /** The Glue column: lower-case, no SQL keyword. */
  readonly name: string;
  /** Its Hive type. */
  readonly type: string;
  /** The sidecar field, as an Ion path: top-level name, or parent and child. */
  readonly path: readonly string[];
}

/** The columns the engine reads: every field the reference matcher (functions/auditor/query.ts) consults, and the cut markers. */
export const SIDECAR_COLUMNS: readonly SidecarColumn[] = [
  { name: "sha256", type: "string", path: ["sha256"] },
  { name: "record_key", type: "string", path: ["key"] },
  { name: "size_bytes", type: "bigint", path: ["size"] },
  { name: "intake_source", type: "string", path: ["source"] },
  { name: "received_at", type: "string", path: ["receivedAt"] },
  { name: "date_header", type: "string", path: ["date"] },
  { name: "message_id", type: "string", path: ["messageId"] },
  { name: "from_addresses", type: "array<string>", path: ["from"] },
  { name: "sender_address", type: "string", path: ["sender"] },
  { name: "to_addresses", type: "array<string>", path: ["to"] },
  { name: "cc_addresses", type: "array<string>", path: ["cc"] },
  { name: "bcc_addresses", type: "array<string>", path: ["bcc"] },
  { name: "subject", type: "string", path: ["subject"] },
  { name: "envelope_sender", type: "string", path: ["envelope", "sender"] },
  { name: "envelope_recipients", type: "array<map<string,string>>", path: ["envelope", "recipients"] },
  { name: "envelope_verified", type: "boolean", path: ["envelope", "verified"] },
  { name: "correlation_id", type: "string", path: ["correlationId"] },
  { name: "original_message_id", type: "string", path: ["original", "messageId"] },
  { name: "attachments", type: "array<struct<filename:string,sha256:string>>", path: ["attachments"] },
  { name: "flags", type: "array<string>", path: ["flags"] },
  { name: "truncated", type: "array<string>", path: ["truncated"] },
  { name: "journal_problem", type: "string", path: ["journalProblem"] },
];

/** The partition column Athena projects from the path: `YYYY/MM/DD` under meta/. */
export const DAY_COLUMN = "dt";

/** The SerDe properties: one path extractor per column ("ion.<column>.path_extractor" = "(<path>)"). */
export function serdeParameters(): Record<string, string> {
  return Object.fromEntries(SIDECAR_COLUMNS.map((c) => [`ion.${c.name}.path_extractor`, `(${c.path.join(" ")})`]));
}

/**
 * Partition projection on the day path: Athena computes the partitions from these properties instead
 * of reading them from the catalog ("Partition projection with Amazon Athena", supported types: date,
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection-supported-types.html). A sidecar is
 * filed under its message's date when that is within 30 days before receipt (functions/core/metadata.ts),
 * so no day is later than tomorrow; 2000/01/01 is before any archive this program deploys.
 */
export function projectionParameters(bucket: string): Record<string, string> {
  return {
    "projection.enabled": "true",
    [`projection.${DAY_COLUMN}.type`]: "date",
    [`projection.${DAY_COLUMN}.format`]: "yyyy/MM/dd",
    [`projection.${DAY_COLUMN}.range`]: "2000/01/01,NOW+1DAYS",
    [`projection.${DAY_COLUMN}.interval`]: "1",
    [`projection.${DAY_COLUMN}.interval.unit`]: "DAYS",
    "storage.location.template": `s3://${bucket}/meta/\${${DAY_COLUMN}}/`,
  };
}
