// Names of the stack's GCP resources. Bucket names are global, so they carry the project;
// service account ids are at most 30 characters, so they carry only a short part and the stack.
export function gcpNames(project: string, stack: string) {
  const bucket = (part: string) => `${project}-journal-${part}-${stack}`.slice(0, 63);
  const account = (part: string) => `ej-${part}-${stack}`.slice(0, 30);
  return {
    archiveBucket: bucket("archive"),
    inboxBucket: bucket("inbox"),
    sourceBucket: bucket("source"),
    keyRing: `email-journal-${stack}`,
    logBucket: `email-journal-audit-${stack}`,
    accounts: { ingestor: account("ingestor"), push: account("push"), auditor: account("auditor"), holdAdmin: account("hold-admin"), build: account("build") },
    /** The Artifact Registry repository the functions' images are built into. */
    imageRepository: `email-journal-ingestor-${stack}`.slice(0, 63),
    functions: { http: `journal-ingest-http-${stack}`, object: `journal-ingest-object-${stack}` },
    topics: { inbox: `email-journal-inbox-${stack}`, deadLetters: `email-journal-dead-letters-${stack}`, archiveChanges: `email-journal-archive-changes-${stack}` },
  };
}

export type GcpNames = ReturnType<typeof gcpNames>;

/** A service account's email from its id. */
export const serviceAccountEmail = (accountId: string, project: string) => `${accountId}@${project}.iam.gserviceaccount.com`;

/** A service account's full resource name, as Cloud Functions' `buildConfig.serviceAccount` takes it. */
export const serviceAccountName = (email: string, project: string) => `projects/${project}/serviceAccounts/${email}`;
