// Intake: a Function App (Flex Consumption, Node, its own identity, HTTPS only) with an HTTP
// intake (function key) and an Event Grid subscription on blob-created events in the inbox,
// dead-lettered to the inbox account. On a standby both functions are disabled.
//
// The function code is not uploaded by this program: azure-native's Blob resource writes with
// the account key (pulumi/pulumi-azure-native#2015), which these accounts refuse. CI deploys the
// package after `pulumi up` with Entra auth (`az functionapp deploy`, see the README). Event Grid
// checks that a function endpoint exists, so the subscription is created once the stack has been
// deployed before (the bootstrap run), after the code is.
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { CONTAINERS } from "./storage";

/** The function names the handler registers (functions/azure). */
export const FUNCTIONS = { http: "ingestHttp", blob: "ingestBlob" } as const;
export const NODE_VERSION = "22";

export interface IntakeArgs {
  readonly config: StackConfig;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly appName: pulumi.Input<string>;
  readonly identity: azure.managedidentity.UserAssignedIdentity;
  readonly archiveBlobEndpoint: pulumi.Input<string>;
  readonly inboxAccountName: pulumi.Input<string>;
  readonly inboxAccountId: pulumi.Input<string>;
  readonly inboxBlobEndpoint: pulumi.Input<string>;
  readonly eventIdentity: azure.managedidentity.UserAssignedIdentity;
  /** Whether the event subscription may be created (the code has been deployed). */
  readonly subscribe: boolean;
  readonly tags: Record<string, string>;
}

export function intake(name: string, args: IntakeArgs, opts: pulumi.CustomResourceOptions) {
  const { config } = args;
  const standby = config.role === "standby";
  const plan = new azure.web.AppServicePlan(
    `${name}-plan`,
    { resourceGroupName: args.resourceGroupName, location: config.region, kind: "functionapp", reserved: true, sku: { name: "FC1", tier: "FlexConsumption" }, tags: args.tags },
    opts,
  );
  const settings: Record<string, pulumi.Input<string>> = {
    // Host storage through the identity: the accounts accept no keys.
    AzureWebJobsStorage__accountName: args.inboxAccountName,
    AzureWebJobsStorage__credential: "managedidentity",
    AzureWebJobsStorage__clientId: args.identity.clientId,
    AZURE_CLIENT_ID: args.identity.clientId,
    ARCHIVE_BLOB_ENDPOINT: args.archiveBlobEndpoint,
    ARCHIVE_CONTAINER: CONTAINERS.archive,
    INBOX_BLOB_ENDPOINT: args.inboxBlobEndpoint,
    INBOX_CONTAINER: CONTAINERS.inbox,
    RETENTION_DAYS: String(config.retention.minimumDays),
    MAX_MESSAGE_BYTES: String(config.intake.maxMessageBytes),
    // The host refuses larger bodies before the function sees them (default about 100 MB).
    FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(config.intake.maxMessageBytes),
    DETECTORS: config.detectors.join(","),
    LOG_LEVEL: "info",
    // Azure Functions' documented switch for a single function: intake is inactive on a standby.
    [`AzureWebJobs.${FUNCTIONS.http}.Disabled`]: String(standby),
    [`AzureWebJobs.${FUNCTIONS.blob}.Disabled`]: String(standby),
  };
  const app = new azure.web.WebApp(
    `${name}-ingestor`,
    {
      name: args.appName,
      resourceGroupName: args.resourceGroupName,
      location: config.region,
      kind: "functionapp,linux",
      serverFarmId: plan.id,
      httpsOnly: true,
      clientCertEnabled: false,
      identity: { type: "UserAssigned", userAssignedIdentities: [args.identity.id] },
      functionAppConfig: {
        deployment: {
          storage: {
            type: "blobContainer",
            value: pulumi.interpolate`${args.inboxBlobEndpoint}${CONTAINERS.deployments}`,
            authentication: { type: "UserAssignedIdentity", userAssignedIdentityResourceId: args.identity.id },
          },
        },
        runtime: { name: "node", version: NODE_VERSION },
        scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 },
      },
      siteConfig: {
        minTlsVersion: "1.2",
        ftpsState: "Disabled",
        http20Enabled: true,
        appSettings: Object.entries(settings).map(([settingName, value]) => ({ name: settingName, value })),
      },
      tags: args.tags,
    },
    opts,
  );

  const topic = new azure.eventgrid.SystemTopic(
    `${name}-inbox-events`,
    {
      resourceGroupName: args.resourceGroupName,
      location: config.region,
      source: args.inboxAccountId,
      topicType: "Microsoft.Storage.StorageAccounts",
      // Event Grid takes user-assigned identities as a map keyed by resource id.
      identity: { type: "UserAssigned", userAssignedIdentities: args.eventIdentity.id.apply((id) => ({ [id]: {} })) },
      tags: args.tags,
    },
    opts,
  );
  const subscription =
    args.subscribe && !standby
      ? new azure.eventgrid.SystemTopicEventSubscription(
          `${name}-inbox-blob-created`,
          {
            resourceGroupName: args.resourceGroupName,
            systemTopicName: topic.name,
            eventSubscriptionName: "inbox-blob-created",
            destination: { endpointType: "AzureFunction", resourceId: pulumi.interpolate`${app.id}/functions/${FUNCTIONS.blob}`, maxEventsPerBatch: 1 },
            filter: { includedEventTypes: ["Microsoft.Storage.BlobCreated"], subjectBeginsWith: `/blobServices/default/containers/${CONTAINERS.inbox}/` },
            retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
            deadLetterWithResourceIdentity: {
              identity: { type: "UserAssigned", userAssignedIdentity: args.eventIdentity.id },
              deadLetterDestination: { endpointType: "StorageBlob", resourceId: args.inboxAccountId, blobContainerName: CONTAINERS.deadLetters },
            },
          },
          opts,
        )
      : undefined;
  return { plan, app, topic, subscription, intakeUrl: pulumi.interpolate`https://${app.defaultHostName}/api/ingest` };
}
