// What Google Cloud would answer the program: resource names and ids, service account emails,
// function URLs, and the project's number and service agents.
import { gcpNames } from "../../gcp/naming";
import { stackFileConfig } from "../../stackFiles";
import type { CloudMocks, MockAnswer } from "./types";

export const PROJECT_NUMBER = "123456789012";
/** Each stack has a project of its own (infra/gcp/logging.ts says why), as its stack file names it. */
export const projectOf = (stack: string) => String((stackFileConfig(stack)["email-journal:gcp"] as { project?: string } | undefined)?.project);

function resource(type: string, name: string, inputs: Record<string, any>): MockAnswer {
  const project = inputs.project ?? "mock-project";
  switch (type) {
    case "gcp:storage/bucket:Bucket":
      return { id: inputs.name, state: { ...inputs, url: `gs://${inputs.name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${inputs.name}` } };
    case "gcp:kms/keyRing:KeyRing": {
      const id = `projects/${project}/locations/${inputs.location}/keyRings/${inputs.name}`;
      return { id, state: { ...inputs } };
    }
    case "gcp:kms/cryptoKey:CryptoKey":
      return { id: `${inputs.keyRing}/cryptoKeys/${inputs.name}`, state: { ...inputs } };
    case "gcp:serviceaccount/account:Account": {
      const email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
      return { id: `projects/${project}/serviceAccounts/${email}`, state: { ...inputs, email, name: `projects/${project}/serviceAccounts/${email}`, member: `serviceAccount:${email}` } };
    }
    case "gcp:pubsub/topic:Topic":
      return { id: `projects/${project}/topics/${inputs.name}`, state: { ...inputs } };
    case "gcp:pubsub/subscription:Subscription":
      return { id: `projects/${project}/subscriptions/${inputs.name}`, state: { ...inputs } };
    case "gcp:cloudfunctionsv2/function:Function":
      return {
        id: `projects/${project}/locations/${inputs.location}/functions/${inputs.name}`,
        state: { ...inputs, url: `https://${inputs.location}-${project}.cloudfunctions.net/${inputs.name}`, serviceConfig: { ...inputs.serviceConfig, uri: `https://${inputs.name}-abc123-uc.a.run.app` } },
      };
    case "gcp:projects/iAMCustomRole:IAMCustomRole":
      return { id: `projects/${project}/roles/${inputs.roleId}`, state: { ...inputs, name: `projects/${project}/roles/${inputs.roleId}` } };
    case "gcp:logging/projectBucketConfig:ProjectBucketConfig": {
      const id = `projects/${project}/locations/${inputs.location}/buckets/${inputs.bucketId}`;
      return { id, state: { ...inputs, name: id } };
    }
    case "gcp:monitoring/notificationChannel:NotificationChannel":
      return { id: `projects/${project}/notificationChannels/4242`, state: { ...inputs, name: `projects/${project}/notificationChannels/4242` } };
    default:
      return { id: `${name}-id`, state: { ...inputs } };
  }
}

function call(token: string, inputs: Record<string, any>): Record<string, unknown> | undefined {
  switch (token) {
    case "gcp:organizations/getProject:getProject":
      return { projectId: inputs.projectId, number: PROJECT_NUMBER };
    case "gcp:storage/getProjectServiceAccount:getProjectServiceAccount":
      return { project: inputs.project, emailAddress: `service-${PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com` };
    case "gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount":
      return { project: inputs.project, email: `project-${PROJECT_NUMBER}@storage-transfer-service.iam.gserviceaccount.com` };
    default:
      return undefined;
  }
}

export const gcpMocks: CloudMocks = {
  resource: (type, name, inputs) => resource(type, name, inputs),
  call: (token, inputs) => call(token, inputs),
  // A stack as its program exports it: its archive bucket is named after its project and stack.
  stackOutputs: (stack: string) => ({ project: projectOf(stack), archiveBucket: gcpNames(projectOf(stack), stack.split("/").pop()!).archiveBucket }),
};
