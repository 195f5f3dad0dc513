// A compliant archive stack on each cloud, reduced to what the stack rules look at.
import type { Fixture } from "../helpers";

const archiveTags = (role: string) => ({ "journal-store": "archive", role });
const KEY_EAST = "arn:aws:kms:us-east-1:111122223333:key/source";
const KEY_WEST = "arn:aws:kms:us-west-2:111122223333:key/replica";

export const awsStack = (role = "primary"): Fixture[] => [
  { type: "aws:s3/bucket:Bucket", name: "archive", inputs: { bucket: "a", objectLockEnabled: true, tags: archiveTags(role) } },
  { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", inputs: { bucket: "a", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true } },
  { type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls", inputs: { bucket: "a", rule: { objectOwnership: "BucketOwnerEnforced" } } },
  { type: "aws:s3/bucketVersioning:BucketVersioning", inputs: { bucket: "a", versioningConfiguration: { status: "Enabled" } } },
  { type: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", inputs: { bucket: "a", rule: { defaultRetention: { mode: "COMPLIANCE", days: 2557 } } } },
  { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", inputs: { bucket: "a", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_EAST } }] } },
  { type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", name: "lifecycle", inputs: { bucket: "a", rules: [{ id: "expire", status: "Enabled", expiration: { days: 2922 } }] } },
  {
    type: "aws:cloudtrail/trail:Trail",
    inputs: {
      enableLogFileValidation: true,
      advancedEventSelectors: [
        {
          fieldSelectors: [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::S3::Object"] },
            { field: "resources.ARN", startsWiths: ["arn:aws:s3:::a/"] },
          ],
        },
      ],
    },
  },
  {
    type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    name: "replication",
    inputs: { bucket: "a", rules: [{ status: "Enabled", deleteMarkerReplication: { status: "Disabled" }, destination: { bucket: "arn:aws:s3:::a-dr", encryptionConfiguration: { replicaKmsKeyId: KEY_WEST } } }] },
  },
  { type: "aws:sqs/queue:Queue", name: "intake", inputs: { name: "q", redrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:111122223333:q-dlq", maxReceiveCount: 5 }) } },
  { type: "aws:sqs/queue:Queue", name: "dead-letters", inputs: { name: "q-dlq" } },
  { type: "aws:lambda/eventSourceMapping:EventSourceMapping", inputs: { eventSourceArn: "arn:aws:sqs:us-east-1:111122223333:q" } },
  { type: "aws:cloudwatch/metricAlarm:MetricAlarm", inputs: { namespace: "AWS/SQS", dimensions: { QueueName: "q-dlq" }, alarmActions: ["arn:aws:sns:us-east-1:111122223333:alerts"] } },
];

const ACCOUNT_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts";

export const azureStack = (role = "primary"): Fixture[] => [
  {
    type: "azure-native:storage:StorageAccount",
    name: "archive",
    inputs: {
      accountName: "ejarch",
      tags: archiveTags(role),
      sku: { name: "Standard_ZRS" },
      allowBlobPublicAccess: false,
      immutableStorageWithVersioning: { enabled: true, immutabilityPolicy: { state: "Locked", immutabilityPeriodSinceCreationInDays: 2557, allowProtectedAppendWrites: false } },
      encryption: { keySource: "Microsoft.Keyvault", keyVaultProperties: { keyName: "archive", keyVaultUri: "https://ejkv.vault.azure.net" } },
    },
  },
  { type: "azure-native:storage:BlobContainer", inputs: { accountName: "ejarch", containerName: "archive" } },
  {
    type: "azure-native:storage:ObjectReplicationPolicy",
    name: "replication",
    inputs: { accountName: "ejarch", sourceAccount: `${ACCOUNT_ID}/ejarch`, destinationAccount: `${ACCOUNT_ID}/ejarchdr`, rules: [{ sourceContainer: "archive", destinationContainer: "archive" }] },
  },
  {
    type: "azure-native:storage:ManagementPolicy",
    name: "lifecycle",
    inputs: { accountName: "ejarch", policy: { rules: [{ name: "expire", enabled: true, type: "Lifecycle", definition: { actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: 2922 } } } } }] } },
  },
  {
    type: "azure-native:monitor:DiagnosticSetting",
    name: "blob-audit",
    inputs: {
      resourceUri: `${ACCOUNT_ID}/ejarch/blobServices/default`,
      workspaceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w",
      logs: ["StorageRead", "StorageWrite", "StorageDelete"].map((category) => ({ category, enabled: true })),
    },
  },
  { type: "azure-native:keyvault:Vault", name: "vault", inputs: { vaultName: "ejkv" } },
  {
    type: "azure-native:monitor:DiagnosticSetting",
    name: "vault-audit",
    inputs: { resourceUri: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/ejkv", workspaceId: "w", logs: [{ categoryGroup: "audit", enabled: true }] },
  },
  { type: "azure-native:eventgrid:EventSubscription", name: "inbox-events", inputs: { deadLetterDestination: { endpointType: "StorageBlob", blobContainerName: "dead-letters" } } },
  { type: "azure-native:monitor:MetricAlert", inputs: { criteria: { odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", allOf: [{ metricName: "DeadLetteredCount" }] }, actions: [{ actionGroupId: "ag" }] } },
];

export const gcpStack = (role = "primary"): Fixture[] => [
  {
    type: "gcp:storage/bucket:Bucket",
    name: "archive",
    inputs: {
      name: "g",
      labels: archiveTags(role),
      location: "US",
      retentionPolicy: { isLocked: true, retentionPeriod: String(2557 * 86_400) },
      encryption: { defaultKmsKeyName: "projects/p/locations/us/keyRings/r/cryptoKeys/k" },
      lifecycleRules: [{ action: { type: "Delete" }, condition: { age: 2922 } }],
    },
  },
  { type: "gcp:projects/iAMAuditConfig:IAMAuditConfig", inputs: { service: "storage.googleapis.com", auditLogConfigs: [{ logType: "DATA_READ" }, { logType: "DATA_WRITE" }] } },
  { type: "gcp:projects/iAMAuditConfig:IAMAuditConfig", name: "kms-audit", inputs: { service: "cloudkms.googleapis.com", auditLogConfigs: [{ logType: "DATA_READ" }, { logType: "DATA_WRITE" }] } },
  { type: "gcp:pubsub/subscription:Subscription", name: "intake", inputs: { topic: "intake", deadLetterPolicy: { deadLetterTopic: "projects/p/topics/dead", maxDeliveryAttempts: 5 } } },
  { type: "gcp:pubsub/subscription:Subscription", name: "dead-letters", inputs: { topic: "dead" } },
  { type: "gcp:cloudfunctionsv2/function:Function", name: "ingestor", inputs: { eventTrigger: { retryPolicy: "RETRY_POLICY_RETRY" } } },
  {
    type: "gcp:monitoring/alertPolicy:AlertPolicy",
    inputs: { conditions: [{ conditionThreshold: { filter: 'metric.type="pubsub.googleapis.com/subscription/dead_letter_message_count"' } }], notificationChannels: ["projects/p/notificationChannels/1"] },
  },
];
