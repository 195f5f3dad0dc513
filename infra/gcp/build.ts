// The identity Cloud Build runs the functions' builds as. Since the July 2024 change ("Cloud Build
// Service Account Change"), a project created after it builds as the Compute Engine default
// service account, which under the default organization policy
// (iam.automaticIamGrantsForDefaultServiceAccounts) holds no role at all: the first deploy of a
// function fails in its build. So the stack brings its own build account, named in each function's
// buildConfig.serviceAccount ("Custom Service Account for Cloud Build", Cloud Run functions).
//
// What that page asks of the account, and what it gets here (narrower where the page allows):
//  - roles/logging.logWriter, on the project: the build writes its logs to Cloud Logging (a
//    user-specified build account cannot use the default logs bucket, Cloud Build "Run builds with a
//    user-managed service account").
//  - roles/artifactregistry.writer, on one repository: the page names the default repositories
//    (gcf-artifacts) "or your own, through the dockerRepository field"; this is our own.
//  - the function source: the 1st-gen page names roles/storage.objectViewer, the Cloud Run page
//    roles/storage.objectAdmin "for retrieving the function source". The docs disagree; reading is
//    all a build does with the source, so objectViewer, on the source bucket the program uploads to,
//    and on the gcf-v2-sources-PROJECT_NUMBER-REGION bucket Cloud Functions copies deployed source
//    into ("Build process overview"), by an IAM condition on that bucket name only. objectAdmin
//    would let the build rewrite or delete any object in the project; the pack refuses it.
// The deployer needs iam.serviceAccounts.actAs on this account to name it (infra/gcp/deployer.ts).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountName, type GcpNames } from "./naming";

export interface BuildIdentityArgs {
  readonly project: string;
  readonly region: string;
  readonly projectNumber: pulumi.Input<string>;
  readonly names: GcpNames;
  /** The build account's email, known at preview (see access.ts). */
  readonly email: string;
  /** The bucket the program uploads the function source to. */
  readonly sourceBucket: pulumi.Input<string>;
  readonly labels: Record<string, string>;
}

/** The roles the build account is granted, and on what: the contracts suite checks them against Google's lists. */
export const BUILD_ROLES = {
  logs: "roles/logging.logWriter",
  images: "roles/artifactregistry.writer",
  source: "roles/storage.objectViewer",
} as const;

/** The bucket Cloud Functions keeps deployed source in ("Build process overview"), as an IAM condition matches it. */
export const functionSourcesBucket = (projectNumber: string, region: string) => `projects/_/buckets/gcf-v2-sources-${projectNumber}-${region}`;

export function buildIdentity(name: string, args: BuildIdentityArgs, opts: pulumi.CustomResourceOptions) {
  const { project, region, names } = args;
  const member = `serviceAccount:${args.email}`;
  const repository = new gcp.artifactregistry.Repository(
    `${name}-images`,
    { project, location: region, repositoryId: names.imageRepository, format: "DOCKER", description: "email-journal ingestor images, built by Cloud Build from the function source", labels: args.labels },
    opts,
  );
  const grants = [
    new gcp.projects.IAMMember(`${name}-build-log-writer`, { project, role: BUILD_ROLES.logs, member }, opts),
    new gcp.artifactregistry.RepositoryIamMember(`${name}-build-image-writer`, { project, location: region, repository: names.imageRepository, role: BUILD_ROLES.images, member }, { ...opts, dependsOn: [repository] }),
    new gcp.storage.BucketIAMMember(`${name}-build-source-reader`, { bucket: args.sourceBucket, role: BUILD_ROLES.source, member }, opts),
    new gcp.projects.IAMMember(
      `${name}-build-deployed-source-reader`,
      {
        project,
        role: BUILD_ROLES.source,
        member,
        condition: {
          title: "Cloud Functions deployed source only",
          description: "The gcf-v2-sources bucket Cloud Functions copies function source into; no other bucket of the project.",
          expression: pulumi.output(args.projectNumber).apply((n) => `resource.name.startsWith("${functionSourcesBucket(n, region)}")`),
        },
      },
      opts,
    ),
  ];
  return {
    /** As buildConfig.serviceAccount takes it. */
    serviceAccount: serviceAccountName(args.email, project),
    /** As buildConfig.dockerRepository takes it. */
    dockerRepository: `projects/${project}/locations/${region}/repositories/${names.imageRepository}`,
    repository,
    grants,
  };
}
