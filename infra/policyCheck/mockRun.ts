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
import type { Cloud } from "../config";
import { CLOUD_MOCKS, type MockContext } from "./mocks";
import { runtimeConfig } from "../stackFiles";
import { lookups, settled } from "./recorded";

export { ACCOUNT } from "./mocks/aws";


export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly inputs: Record<string, any>;
  /** `dependsOn` lists the explicit dependencies as `<type>::<name>`. */
  readonly options: { protect?: boolean; retainOnDelete?: boolean; parent?: string; dependsOn?: string[] };
}

export interface ProgramRun {
  readonly resources: RecordedResource[];
  readonly outputs: Record<string, unknown>;
  ofType(type: string): RecordedResource[];
  one(type: string, nameIncludes?: string): RecordedResource;
}

export interface RunOptions {
  /**
   * Run as `pulumi preview` does before anything exists: what the cloud computes (ids, ARNs) is
   * unknown, and so is every input built from it. Inputs then hold the policy pack's unknown
   * markers where the policy server would.
   */
  readonly preview?: boolean;
  /**
   * Run as the stack's first `pulumi up`: its own last outputs are empty. Otherwise the stack has
   * been deployed before, which is what an Azure stack needs to lock its retention.
   */
  readonly firstDeployment?: boolean;
  /** Values that replace the stack file's, keyed as in it (`email-journal:<key>`): a variant of a real stack. */
  readonly config?: Readonly<Record<string, unknown>>;
}

export async function runProgram(stack: string, runOptions: RunOptions = {}): Promise<ProgramRun> {
  const overrides = Object.entries(runOptions.config ?? {}).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]);
  const config = { ...runtimeConfig(stack), ...Object.fromEntries(overrides) };
  const cloud = config["email-journal:cloud"] as Cloud;
  const mocks = CLOUD_MOCKS[cloud];
  if (!mocks) throw new Error(`no mocks for cloud ${cloud}`);
  const context: MockContext = { stack, region: config["email-journal:region"] };
  const resources: RecordedResource[] = [];
  const options = new Map<string, RecordedResource["options"]>();
  // A referenced stack's outputs: the peer's, or this stack's own from its last update (none before the first).
  const referencedOutputs = (name: string): Record<string, unknown> => {
    const referenced = name.split("/").pop()!;
    return referenced === stack && runOptions.firstDeployment ? {} : mocks.stackOutputs(referenced, context);
  };

  pulumi.runtime.setAllConfig(config);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = runOptions.preview ? withUnknownMarkers(args.inputs) : args.inputs;
        resources.push({ type: args.type, name: args.name, urn: `urn:pulumi:${stack}::email-journal::${args.type}::${args.name}`, inputs, options: options.get(`${args.type}::${args.name}`) ?? {} });
        // At preview the cloud has computed nothing yet; a peer stack's outputs are read, so known.
        if (args.type === "pulumi:pulumi:StackReference") return { id: args.inputs.name, state: { ...args.inputs, outputs: referencedOutputs(args.inputs.name) } };
        if (runOptions.preview) return { id: undefined, state: args.inputs };
        return mocks.resource(args.type, args.name, args.inputs, context);
      },
      call: (args) => mocks.call(args.token, args.inputs, context) ?? args.inputs,
    },
    "email-journal",
    stack,
    // Always a dry run, as `pulumi preview`: whether computed values are known is the mocks' answer.
    true,
    // The organization the stack files' peer references name.
    organizationOf(config["email-journal:peerStack"]),
  );
  // As `pulumi up` runs it: inside the root stack resource, which stack transformations need.
  const outputs = (await runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      options.set(`${args.type}::${args.name}`, { protect: args.opts.protect, retainOnDelete: args.opts.retainOnDelete, dependsOn: dependencyNames(args.opts.dependsOn) });
      return undefined;
    });
    // The program exports its main function, as Pulumi's Node runtime runs it.
    const program = (await import("../index")) as { default: () => Promise<Record<string, unknown>> };
    return program.default();
  })) as Record<string, unknown>;
  await settled(resources);
  return { resources, outputs, ...lookups(resources) };
}


const organizationOf = (stackReference: string | undefined) => {
  const parts = (stackReference ?? "").split("/");
  return parts.length === 3 ? parts[0] : "organization";
};

/** Inputs with Pulumi's unknown values replaced by the markers the policy server gives rules. */
function withUnknownMarkers(value: any): any {
  if (pulumi.Output.isInstance(value) || isUnknown(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(withUnknownMarkers);
  if (value && typeof value === "object" && value.constructor === Object) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withUnknownMarkers(v)]));
  return value;
}

/** The explicit dependencies a resource was given, as `<type>::<name>` (Outputs of resources are not followed). */
function dependencyNames(dependsOn: unknown): string[] | undefined {
  if (dependsOn === undefined) return undefined;
  const named = ([] as unknown[]).concat(dependsOn).filter((d): d is pulumi.Resource => pulumi.Resource.isInstance(d));
  return named.map((d) => `${(d as unknown as { __pulumiType: string }).__pulumiType}::${(d as unknown as { __name: string }).__name}`);
}

/** A JSON policy input, parsed. */
export const doc = (value: string) => JSON.parse(value) as { Statement: any[] };
