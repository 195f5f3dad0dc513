// Intake: two Cloud Functions (2nd gen, Node) running as the ingestor's own service account.
//  - HTTP: relays POST raw messages; only the configured relay identities may invoke it.
//  - Inbox: the inbox bucket notifies a Pub/Sub topic on object finalize; a push subscription
//    delivers each notification to the second function, retries with backoff, and after 10
//    attempts moves it to the dead-letter topic, where a subscription keeps it and an alert fires.
// A function's own Eventarc trigger would create its subscription out of reach, with no dead-letter
// topic; this chain keeps every part in the program.
// On a standby nothing may enter: no relay may invoke the HTTP function, and the subscription
// pulls instead of pushing, holding notifications for 7 days until the stack is promoted.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { functionSource, GCP_RUNTIME } from "./functionSource";
import { serviceAccountName, type GcpNames } from "./naming";

/** The entry points functions/gcp registers. */
export const ENTRY_POINTS = { http: "ingestHttp", object: "ingestObject" } as const;
const WEEK_SECONDS = 7 * 86_400;

export interface IntakeArgs {
  readonly config: StackConfig;
  readonly project: string;
  readonly names: GcpNames;
  readonly archiveBucket: pulumi.Input<string>;
  readonly inboxBucket: gcp.storage.Bucket;
  readonly sourceBucket: pulumi.Input<string>;
  readonly kmsKeyName: pulumi.Input<string>;
  /** The functions' own identity, and the one Pub/Sub pushes as; created before the intake (see access.ts). */
  readonly ingestorEmail: string;
  readonly pusherEmail: string;
  /** The Cloud Storage and Pub/Sub service agents, which publish and dead-letter on the stack's behalf. */
  readonly storageAgent: pulumi.Input<string>;
  readonly pubsubAgent: pulumi.Input<string>;
  /** Resources the topics need first (the service agents' use of the key). */
  readonly keyGrants: pulumi.Resource[];
  /** The account Cloud Build builds the functions as, and its image repository (build.ts); its grants come first (opts). */
  readonly build: { readonly serviceAccount: string; readonly dockerRepository: string };
  readonly labels: Record<string, string>;
}

export function intake(name: string, args: IntakeArgs, opts: pulumi.CustomResourceOptions) {
  const { config, project, names } = args;
  const primary = config.role === "primary";
  const topicOpts = { ...opts, dependsOn: args.keyGrants };
  const topic = (id: string, topicName: string) => new gcp.pubsub.Topic(`${name}-${id}`, { name: topicName, project, kmsKeyName: args.kmsKeyName, labels: args.labels }, topicOpts);
  const inboxTopic = topic("inbox-topic", names.topics.inbox);
  const deadLetterTopic = topic("dead-letter-topic", names.topics.deadLetters);
  // The dead-letter topic by its name, known at preview; subscriptions naming it wait for it.
  const deadLetterTopicId = `projects/${project}/topics/${names.topics.deadLetters}`;

  const source = functionSource();
  const sourceObject = new gcp.storage.BucketObject(`${name}-source`, { bucket: args.sourceBucket, name: source.objectName, source: source.archive }, opts);
  const environmentVariables = {
    ARCHIVE_BUCKET: args.archiveBucket,
    INBOX_BUCKET: args.inboxBucket.name,
    RETENTION_DAYS: String(config.retention.minimumDays),
    MAX_MESSAGE_BYTES: String(config.intake.maxMessageBytes),
    DETECTORS: config.detectors.join(","),
    LOG_LEVEL: "info",
  };
  const fn = (id: string, functionName: string, entryPoint: string, service: Partial<gcp.types.input.cloudfunctionsv2.FunctionServiceConfig>) =>
    new gcp.cloudfunctionsv2.Function(
      `${name}-${id}`,
      {
        name: functionName,
        project,
        location: config.region,
        buildConfig: {
          runtime: GCP_RUNTIME,
          entryPoint,
          source: { storageSource: { bucket: args.sourceBucket, object: sourceObject.name } },
          // Our own build account and repository (build.ts): the project default may hold no role.
          serviceAccount: args.build.serviceAccount,
          dockerRepository: args.build.dockerRepository,
        },
        serviceConfig: {
          serviceAccountEmail: args.ingestorEmail,
          // Authentication is required on both (IAM run.invoker); the HTTP intake is reached from relays outside Google.
          ingressSettings: "ALLOW_ALL",
          availableMemory: "2Gi",
          availableCpu: "1",
          timeoutSeconds: 300,
          maxInstanceCount: 20,
          maxInstanceRequestConcurrency: 1,
          environmentVariables,
          ...service,
        },
        labels: args.labels,
      },
      opts,
    );
  const httpFunction = fn("http-function", names.functions.http, ENTRY_POINTS.http, {});
  const objectFunction = fn("object-function", names.functions.object, ENTRY_POINTS.object, { ingressSettings: "ALLOW_INTERNAL_ONLY" });

  const invoker = (id: string, f: gcp.cloudfunctionsv2.Function, member: pulumi.Input<string>) =>
    new gcp.cloudrunv2.ServiceIamMember(`${name}-${id}`, { project, location: config.region, name: f.name, role: "roles/run.invoker", member }, opts);
  const relayInvokers = primary ? (config.gcp?.relayInvokers ?? []).map((member, i) => invoker(`relay-invoker-${i}`, httpFunction, member)) : [];
  invoker("push-invoker", objectFunction, `serviceAccount:${args.pusherEmail}`);

  // Cloud Storage publishes finalize notifications as its service agent.
  const publish = new gcp.pubsub.TopicIAMMember(`${name}-inbox-publisher`, { project, topic: inboxTopic.name, role: "roles/pubsub.publisher", member: pulumi.interpolate`serviceAccount:${args.storageAgent}` }, opts);
  new gcp.storage.Notification(
    `${name}-inbox-notification`,
    { bucket: args.inboxBucket.name, topic: inboxTopic.id, payloadFormat: "JSON_API_V1", eventTypes: ["OBJECT_FINALIZE"] },
    { ...opts, dependsOn: [publish] },
  );

  // Pub/Sub signs the push's OIDC token as the push account: its service agent needs
  // iam.serviceAccounts.getOpenIdToken there (roles/iam.serviceAccountTokenCreator; Pub/Sub "Authentication
  // for push subscriptions" asks it of service agents created before 8 April 2021, and it does no harm after).
  const tokenForPush = new gcp.serviceaccount.IAMMember(
    `${name}-push-token-creator`,
    { serviceAccountId: serviceAccountName(args.pusherEmail, project), role: "roles/iam.serviceAccountTokenCreator", member: pulumi.interpolate`serviceAccount:${args.pubsubAgent}` },
    opts,
  );
  const subscription = new gcp.pubsub.Subscription(
    `${name}-inbox-subscription`,
    {
      name: `${names.topics.inbox}-delivery`,
      project,
      topic: `projects/${project}/topics/${names.topics.inbox}`,
      ackDeadlineSeconds: 600,
      messageRetentionDuration: `${WEEK_SECONDS}s`,
      retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
      deadLetterPolicy: { deadLetterTopic: deadLetterTopicId, maxDeliveryAttempts: 10 },
      // Pub/Sub deletes a subscription after 31 days without activity unless told otherwise (Pub/Sub
      // API, Subscription.expirationPolicy); a standby's pull subscription sees none until promotion,
      // and a quiet month on a primary is enough too. An empty ttl never expires.
      expirationPolicy: { ttl: "" },
      // The push path names the topic, as the Functions Framework expects of a raw Pub/Sub push.
      ...(primary ? { pushConfig: { pushEndpoint: pulumi.interpolate`${objectFunction.url}/projects/${project}/topics/${names.topics.inbox}`, oidcToken: { serviceAccountEmail: args.pusherEmail } } } : {}),
      labels: args.labels,
    },
    { ...opts, dependsOn: [inboxTopic, deadLetterTopic, tokenForPush] },
  );
  // Dead letters wait here for an operator (retained 7 days, Pub/Sub's maximum for unacked messages);
  // nothing pulls from it until someone must, so it too never expires.
  const deadLetters = new gcp.pubsub.Subscription(
    `${name}-dead-letter-subscription`,
    { name: `${names.topics.deadLetters}-hold`, project, topic: deadLetterTopicId, ackDeadlineSeconds: 600, messageRetentionDuration: `${WEEK_SECONDS}s`, expirationPolicy: { ttl: "" }, labels: args.labels },
    { ...opts, dependsOn: [deadLetterTopic] },
  );
  // Dead-lettering: the Pub/Sub service agent forwards from the delivery subscription to the dead-letter topic.
  const pubsubAgent = pulumi.interpolate`serviceAccount:${args.pubsubAgent}`;
  new gcp.pubsub.TopicIAMMember(`${name}-dead-letter-publisher`, { project, topic: deadLetterTopic.name, role: "roles/pubsub.publisher", member: pubsubAgent }, opts);
  new gcp.pubsub.SubscriptionIAMMember(`${name}-dead-letter-subscriber`, { project, subscription: subscription.name, role: "roles/pubsub.subscriber", member: pubsubAgent }, opts);

  return { httpFunction, objectFunction, relayInvokers, inboxTopic, deadLetterTopic, deadLetterTopicId, subscription, deadLetters, intakeUrl: httpFunction.url };
}
