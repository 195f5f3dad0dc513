// A planned AWS stack as the contracts read it: the resources the real program registered under
// mocks (or an edited copy of them), with the lookups the contracts share. Names and ARNs are the
// ones the mocks answer (infra/policyCheck/mocks/aws.ts), so every reference inside the plan agrees.
import type { StackConfig } from "../../infra/config";
import { ACCOUNT, type RecordedResource } from "../../infra/policyCheck/mockRun";
import type { PolicyDocument } from "./awsSimulator";

export const T = {
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  logging: "aws:s3/bucketLogging:BucketLogging",
  notification: "aws:s3/bucketNotification:BucketNotification",
  replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  key: "aws:kms/key:Key",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  fn: "aws:lambda/function:Function",
  mapping: "aws:lambda/eventSourceMapping:EventSourceMapping",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  trail: "aws:cloudtrail/trail:Trail",
  rule: "aws:ses/receiptRule:ReceiptRule",
  vault: "aws:backup/vault:Vault",
  vaultLock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
  selection: "aws:backup/selection:Selection",
} as const;

export const keyOf = (r: RecordedResource) => `${r.type}::${r.name}`;

export class AwsPlan {
  constructor(
    readonly resources: readonly RecordedResource[],
    readonly config: StackConfig,
    readonly outputs: Readonly<Record<string, unknown>>,
  ) {}

  readonly account = ACCOUNT;
  get region(): string {
    return this.config.region;
  }
  get stack(): string {
    return this.config.stack;
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of `type` whose name contains `part`, or undefined. */
  find(type: string, part = ""): RecordedResource | undefined {
    return this.ofType(type).find((r) => r.name.includes(part));
  }

  /** A stack output the program exports (bucket names, the key's ARN). */
  output(name: string): string {
    const value = this.outputs[name];
    if (typeof value !== "string") throw new Error(`the plan exports no ${name}`);
    return value;
  }

  get keyArn(): string {
    return this.output("archiveKmsKeyArn");
  }

  keyPolicy(): PolicyDocument | undefined {
    return parsed(this.find(T.key)?.inputs.policy);
  }

  bucket(part: "archive" | "inbox" | "trail" | "accessLog"): { readonly name: string; readonly arn: string } {
    const name = this.output(`${part}BucketName`);
    return { name, arn: `arn:aws:s3:::${name}` };
  }

  /** A companion of the bucket (policy, versioning, lock, encryption, logging...). */
  companion(type: string, bucketName: string): RecordedResource | undefined {
    return this.ofType(type).find((r) => r.inputs.bucket === bucketName);
  }

  bucketPolicy(bucketName: string): PolicyDocument | undefined {
    return parsed(this.companion(T.bucketPolicy, bucketName)?.inputs.policy);
  }

  /** A role by the end of its logical name (`ingestor`, `trail-delivery`), with its ARN as the mocks give it. */
  role(part: string): { readonly resource: RecordedResource; readonly arn: string } | undefined {
    const resource = this.ofType(T.role).find((r) => r.name.endsWith(`-${part}`));
    return resource && { resource, arn: `arn:aws:iam::${ACCOUNT}:role/${resource.name}` };
  }

  /** The inline policies of the role (the mocks give a role its logical name as id). */
  identityPolicies(part: string): { name: string; policy: PolicyDocument }[] {
    const role = this.role(part);
    if (!role) return [];
    return this.ofType(T.rolePolicy)
      .filter((p) => p.inputs.role === role.resource.name)
      .map((p) => ({ name: p.name, policy: parsed(p.inputs.policy)! }));
  }

  trustPolicy(part: string): PolicyDocument | undefined {
    return parsed(this.role(part)?.resource.inputs.assumeRolePolicy);
  }

  topic(part: string): { readonly resource: RecordedResource; readonly arn: string; readonly policy?: PolicyDocument } | undefined {
    const resource = this.find(T.topic, part);
    if (!resource) return undefined;
    const arn = `arn:aws:sns:${this.region}:${ACCOUNT}:${resource.name}`;
    return { resource, arn, policy: parsed(this.ofType(T.topicPolicy).find((p) => p.inputs.arn === arn)?.inputs.policy) };
  }

  queue(part: string): { readonly resource: RecordedResource; readonly arn: string; readonly policy?: PolicyDocument } | undefined {
    const resource = this.find(T.queue, part);
    if (!resource) return undefined;
    const name = String(resource.inputs.name);
    const url = `https://sqs.${this.region}.amazonaws.com/${ACCOUNT}/${name}`;
    return { resource, arn: `arn:aws:sqs:${this.region}:${ACCOUNT}:${name}`, policy: parsed(this.ofType(T.queuePolicy).find((p) => p.inputs.queueUrl === url)?.inputs.policy) };
  }

  logGroupArn(resource: RecordedResource): string {
    return `arn:aws:logs:${this.region}:${ACCOUNT}:log-group:${resource.inputs.name}`;
  }

  /** Everything `resource` waits for through explicit dependsOn, transitively, as `<type>::<name>`. */
  waitsFor(resource: RecordedResource): Set<string> {
    const byKey = new Map(this.resources.map((r) => [keyOf(r), r]));
    const seen = new Set<string>();
    const visit = (r: RecordedResource | undefined) => {
      for (const dependency of r?.options.dependsOn ?? []) {
        if (seen.has(dependency)) continue;
        seen.add(dependency);
        visit(byKey.get(dependency));
      }
    };
    visit(resource);
    return seen;
  }
}

function parsed(json: unknown): PolicyDocument | undefined {
  return typeof json === "string" ? (JSON.parse(json) as PolicyDocument) : undefined;
}
