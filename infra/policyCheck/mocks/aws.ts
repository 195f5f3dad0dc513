// What AWS would answer the program: ARNs and ids it computes, the caller's account, and the
// outputs of the stacks the program references.
import { parseStackConfig } from "../../config";
import { lockedSettingsOf } from "../../aws/lockedSettings";
import { projectKeys, stackFileConfig } from "../../stackFiles";
import type { CloudMocks, MockAnswer, MockContext } from "./types";

export const ACCOUNT = "111122223333";

/** What AWS answers for a new resource: its inputs plus the attributes it computes. */
function resource(type: string, name: string, inputs: Record<string, any>, { region }: MockContext): MockAnswer {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return { id: inputs.bucket, state: { ...inputs, arn: `arn:aws:s3:::${inputs.bucket}` } };
    case "aws:kms/key:Key":
      return { id: `${name}-id`, state: { ...inputs, arn: arn("kms", "key/0b2e7e0c-1a2b-4c3d-9e8f-123456789abc"), keyId: "0b2e7e0c-1a2b-4c3d-9e8f-123456789abc" } };
    case "aws:iam/role:Role":
      return { id: name, state: { ...inputs, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, name } };
    case "aws:sqs/queue:Queue": {
      const queue = inputs.name ?? name;
      return { id: queue, state: { ...inputs, arn: arn("sqs", queue), url: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${queue}`, name: queue } };
    }
    case "aws:sns/topic:Topic":
      return { id: name, state: { ...inputs, arn: arn("sns", name) } };
    case "aws:lambda/function:Function":
      return { id: inputs.name, state: { ...inputs, arn: arn("lambda", `function:${inputs.name}`) } };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: inputs.name, state: { ...inputs, arn: arn("logs", `log-group:${inputs.name}`) } };
    case "aws:cloudtrail/trail:Trail":
      return { id: inputs.name, state: { ...inputs, arn: arn("cloudtrail", `trail/${inputs.name}`) } };
    case "aws:backup/vault:Vault":
      return { id: name, state: { ...inputs, name } };
    default:
      return { id: `${name}-id`, state: inputs };
  }
}

export const awsMocks: CloudMocks = {
  resource,
  call: (token) => (token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/deployer`, userId: "AIDEXAMPLE" } : undefined),
  // A stack of this project as its program exports it, in the region its stack file names (only a primary reads its peer).
  stackOutputs: (stack) => {
    const file = stackFileConfig(stack);
    const region = String(file["email-journal:region"]);
    return {
      archiveBucketArn: `arn:aws:s3:::ej-archive-${ACCOUNT}-${region}-${stack}`,
      archiveKmsKeyArn: `arn:aws:kms:${region}:${ACCOUNT}:key/${stack}-key-id`,
      // What its buckets' policies lock, as the stack file sets it (infra/aws/lockedSettings.ts).
      lockedSettings: lockedSettingsOf(parseStackConfig(projectKeys(file), stack)),
    };
  },
};
