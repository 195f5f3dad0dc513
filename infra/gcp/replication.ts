// The DR copy on GCP, chosen by config (gcp.replication):
//  - transfer (default): an event-driven Storage Transfer Service job copies each new archive
//    object into the standby's bucket, in its own region, under its own key and locked retention.
//    The archive bucket notifies a Pub/Sub topic; the job reads that subscription. Deletions are
//    never transferred, and an object already in the sink is never overwritten. Event-driven
//    transfers have no published RPO; Google describes them as near-real-time.
//  - dual-region: the archive bucket itself spans region and peerRegion with turbo replication
//    (a 15-minute RPO target for 100% of new objects, Cloud Storage "Turbo replication"). Nothing
//    here is needed then (see storage.ts).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface ReplicationArgs {
  readonly project: string;
  readonly stack: string;
  readonly archiveBucket: pulumi.Input<string>;
  readonly peerBucket: pulumi.Input<string>;
  readonly topicName: string;
  readonly kmsKeyName: pulumi.Input<string>;
  readonly deadLetterTopic: pulumi.Input<string>;
  readonly storageAgent: pulumi.Input<string>;
  readonly pubsubAgent: pulumi.Input<string>;
  readonly dependsOn: pulumi.Resource[];
  readonly labels: Record<string, string>;
}

export function replicateToPeer(name: string, args: ReplicationArgs, opts: pulumi.CustomResourceOptions) {
  const { project } = args;
  const transferAgent = gcp.storage.getTransferProjectServiceAccountOutput({ project }, opts);
  const agent = pulumi.interpolate`serviceAccount:${transferAgent.email}`;
  const topic = new gcp.pubsub.Topic(`${name}-archive-changes`, { name: args.topicName, project, kmsKeyName: args.kmsKeyName, labels: args.labels }, { ...opts, dependsOn: args.dependsOn });
  const publish = new gcp.pubsub.TopicIAMMember(`${name}-archive-changes-publisher`, { project, topic: topic.name, role: "roles/pubsub.publisher", member: pulumi.interpolate`serviceAccount:${args.storageAgent}` }, opts);
  new gcp.storage.Notification(`${name}-archive-notification`, { bucket: args.archiveBucket, topic: topic.id, payloadFormat: "JSON_API_V1", eventTypes: ["OBJECT_FINALIZE"] }, { ...opts, dependsOn: [publish] });
  const subscription = new gcp.pubsub.Subscription(
    `${name}-archive-changes-subscription`,
    {
      name: `${args.topicName}-transfer`,
      project,
      topic: topic.id,
      ackDeadlineSeconds: 300,
      messageRetentionDuration: `${7 * 86_400}s`,
      // A notification the transfer service cannot take lands with the intake's dead letters, under the same alert.
      deadLetterPolicy: { deadLetterTopic: args.deadLetterTopic, maxDeliveryAttempts: 20 },
      // Never deleted for inactivity (Pub/Sub API, Subscription.expirationPolicy: 31 days by default):
      // a month without new mail must not end replication.
      expirationPolicy: { ttl: "" },
      labels: args.labels,
    },
    opts,
  );
  new gcp.pubsub.SubscriptionIAMMember(`${name}-transfer-dead-letter-subscriber`, { project, subscription: subscription.name, role: "roles/pubsub.subscriber", member: pulumi.interpolate`serviceAccount:${args.pubsubAgent}` }, opts);
  const grants = [
    new gcp.pubsub.SubscriptionIAMMember(`${name}-transfer-subscriber`, { project, subscription: subscription.name, role: "roles/pubsub.subscriber", member: agent }, opts),
    new gcp.storage.BucketIAMMember(`${name}-transfer-source-reader`, { bucket: args.archiveBucket, role: "roles/storage.objectViewer", member: agent }, opts),
    new gcp.storage.BucketIAMMember(`${name}-transfer-source-bucket-reader`, { bucket: args.archiveBucket, role: "roles/storage.legacyBucketReader", member: agent }, opts),
    // On the peer's bucket, what Storage Transfer "Configure access to a sink: Cloud Storage" lists for
    // this job: storage.buckets.get, storage.objects.create, storage.objects.list (overwrite is not
    // ALWAYS), and storage.objects.get ("required if your transfer is configured to overwrite objects
    // in the sink when different, or never"). No delete: nothing is overwritten or removed (its locked
    // retention refuses both anyway).
    new gcp.storage.BucketIAMMember(`${name}-transfer-sink-writer`, { bucket: args.peerBucket, role: "roles/storage.objectCreator", member: agent }, opts),
    new gcp.storage.BucketIAMMember(`${name}-transfer-sink-bucket-reader`, { bucket: args.peerBucket, role: "roles/storage.legacyBucketReader", member: agent }, opts),
    new gcp.storage.BucketIAMMember(`${name}-transfer-sink-object-reader`, { bucket: args.peerBucket, role: "roles/storage.objectViewer", member: agent }, opts),
  ];
  const job = new gcp.storage.TransferJob(
    `${name}-replication`,
    {
      project,
      description: `email-journal ${args.stack}: archive to the standby's bucket`,
      transferSpec: {
        gcsDataSource: { bucketName: args.archiveBucket },
        gcsDataSink: { bucketName: args.peerBucket },
        transferOptions: { overwriteWhen: "NEVER", deleteObjectsUniqueInSink: false, deleteObjectsFromSourceAfterTransfer: false },
      },
      eventStream: { name: subscription.id },
      status: "ENABLED",
    },
    { ...opts, dependsOn: grants },
  );
  return { topic, subscription, job };
}
