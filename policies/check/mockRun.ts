// Runs the real Pulumi program (infra/index.ts) on a real stack file (Pulumi.<stack>.yaml)
// under Pulumi mocks, and records every resource it would create: type, name, inputs, and
// resource options (seen through a stack transformation, as protect and retainOnDelete never
// reach the mocks). The mocks answer what the cloud would compute (ARNs, the peer's outputs).
// Used by the offline policy check and the infra tests. One run per process: Pulumi's
// runtime state is global.
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { isUnknown } from "@pulumi/pulumi/output";
import { UNKNOWN } from "./evaluate";
import { runtimeConfig } from "./stackFiles";

export const ACCOUNT = "111122223333";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Record<string, any>;
  readonly options: { protect?: boolean; retainOnDelete?: boolean; parent?: string };
}

export interface ProgramRun {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
  ofType(type: string): RecordedResource[];
  one(type: string, nameIncludes?: string): RecordedResource;
}

/** What the mocked cloud answers for a new resource: its inputs plus the attributes AWS computes. */
function computed(type: string, name: string, inputs: Record<string, any>, region: string): { id: string; state: Record<string, unknown> } {
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
    case "pulumi:pulumi:StackReference":
      // The peer (the other region's stack) as its own program exports it.
      return {
        id: inputs.name,
        state: {
          ...inputs,
          outputs: { archiveBucketArn: "arn:aws:s3:::ej-archive-111122223333-us-west-2-dr", archiveKmsKeyArn: "arn:aws:kms:us-west-2:111122223333:key/dr-key-id" },
        },
      };
    default:
      return { id: `${name}-id`, state: inputs };
  }
}

export interface RunOptions {
  /**
   * Run as `pulumi preview` does before anything exists: what the cloud computes (ids, ARNs) is
   * unknown, and so is every input built from it. Inputs then hold the policy pack's unknown
   * markers where the policy server would.
   */
  readonly preview?: boolean;
}

export async function runProgram(stack: string, runOptions: RunOptions = {}): Promise<ProgramRun> {
  const config = runtimeConfig(stack);
  const region = config["email-journal:region"];
  const resources: RecordedResource[] = [];
  const options = new Map<string, RecordedResource["options"]>();

  pulumi.runtime.setAllConfig(config);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = runOptions.preview ? withUnknownMarkers(args.inputs) : args.inputs;
        resources.push({ type: args.type, name: args.name, urn: `urn:pulumi:${stack}::email-journal::${args.type}::${args.name}`, inputs, options: options.get(`${args.type}::${args.name}`) ?? {} });
        // At preview the cloud has computed nothing yet; a peer stack's outputs are read, so known.
        if (runOptions.preview && args.type !== "pulumi:pulumi:StackReference") return { id: undefined, state: args.inputs };
        return computed(args.type, args.name, args.inputs, region);
      },
      call: (args) =>
        args.token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/deployer`, userId: "AIDEXAMPLE" } : args.inputs,
    },
    "email-journal",
    stack,
    // Always a dry run, as `pulumi preview`: whether computed values are known is the mocks' answer.
    true,
  );
  // As `pulumi up` runs it: inside the root stack resource, which stack transformations need.
  const outputs = (await runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      options.set(`${args.type}::${args.name}`, { protect: args.opts.protect, retainOnDelete: args.opts.retainOnDelete });
      return undefined;
    });
    return import("../../infra/index");
  })) as Record<string, unknown>;
  // Registrations finish asynchronously: wait until no new resource appears for a while.
  for (let stable = 0, seen = -1; stable < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    stable = resources.length === seen ? stable + 1 : 0;
    seen = resources.length;
  }
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    resources,
    outputs,
    ofType,
    one(type, nameIncludes) {
      const found = ofType(type).filter((r) => !nameIncludes || r.name.includes(nameIncludes));
      if (found.length !== 1) throw new Error(`expected one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
      return found[0];
    },
  };
}

/** Inputs with Pulumi's unknown values replaced by the markers the policy server gives rules. */
function withUnknownMarkers(value: any): any {
  if (pulumi.Output.isInstance(value) || isUnknown(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(withUnknownMarkers);
  if (value && typeof value === "object" && value.constructor === Object) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUnknownMarkers(v)]));
  return value;
}

/** A JSON policy input, parsed. */
export const doc = (value: string) => JSON.parse(value) as { Statement: any[] };
