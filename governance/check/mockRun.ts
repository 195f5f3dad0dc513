// Runs the governance program (governance/index.ts) on a governance stack file under Pulumi mocks,
// as infra/policyCheck/mockRun.ts runs the archive program, and records every resource: type, name,
// the inputs the mocks receive, and the inputs as the program passed them (`props`, where a secret
// is still an Output that knows it is one). Pulumi Cloud is not called. One run per process:
// Pulumi's runtime state is global.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runInPulumiStack } from "@pulumi/pulumi/runtime/stack";
import { load } from "js-yaml";
import { GOVERNANCE_PROJECT } from "../config";
import { lookups, settled } from "../../infra/policyCheck/recorded";

export const GOVERNANCE_DIR = join(__dirname, "..");

export interface GovernanceResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly props: Record<string, unknown>;
  readonly dependsOn: string[];
}

export interface GovernanceRun {
  readonly resources: GovernanceResource[];
  /** The stack outputs, resolved. */
  readonly outputs: Record<string, unknown>;
  /** The stack outputs as the program returned them: an Output still knows whether it is a secret. */
  readonly exported: Record<string, unknown>;
  ofType(type: string): GovernanceResource[];
  one(type: string, nameIncludes?: string): GovernanceResource;
}

export interface GovernanceRunOptions {
  /** Plain values replacing the stack file's, keyed as in it (`email-journal-governance:<key>`); `null` removes a key. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Values for the file's `secure:` keys (which only the stack's secrets provider can decrypt), or extra secret keys. */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** The RandomPassword the mocks "generate": fixed, so that tests can follow it. */
export const MOCK_SIGNING_SECRET = "mock-signing-secret-0123456789abcdef0123456789abcdef";

export function governanceStackFile(stack: string): string {
  return join(GOVERNANCE_DIR, `Pulumi.${stack}.yaml`);
}

export async function runGovernance(stack = "platform", options: GovernanceRunOptions = {}): Promise<GovernanceRun> {
  const file = governanceStackFile(stack);
  if (!existsSync(file)) throw new Error(`no governance stack file ${file}`);
  const fileConfig = (load(readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(fileConfig)) {
    if (options.config && key in options.config) continue;
    if (value && typeof value === "object" && "secure" in value) {
      const plain = options.secrets?.[key];
      if (plain === undefined) throw new Error(`${file}: ${key} is a secret; give the test's value in options.secrets`);
      config[key] = plain;
      secretKeys.push(key);
    } else config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const [key, value] of Object.entries(options.secrets ?? {})) {
    if (!(key in config)) {
      config[key] = value;
      secretKeys.push(key);
    }
  }
  for (const [key, value] of Object.entries(options.config ?? {})) {
    if (value !== null) config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }

  const resources: GovernanceResource[] = [];
  const recorded = new Map<string, { props: Record<string, unknown>; dependsOn: string[] }>();
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const seen = recorded.get(`${args.type}::${args.name}`) ?? { props: {}, dependsOn: [] };
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, ...seen });
        const state = args.type === "random:index/randomPassword:RandomPassword" ? { ...args.inputs, result: MOCK_SIGNING_SECRET } : args.inputs;
        return { id: `${args.name}-id`, state: args.type === "pulumiservice:index:PolicyGroup" ? { ...state, name: args.inputs.name } : state };
      },
      call: (args) => args.inputs,
    },
    GOVERNANCE_PROJECT,
    stack,
    true,
    "acme-bank",
  );
  let exported: Record<string, unknown> = {};
  const outputs = (await runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const dependsOn = ([] as unknown[]).concat(args.opts.dependsOn ?? []).filter((d): d is pulumi.Resource => pulumi.Resource.isInstance(d));
      recorded.set(`${args.type}::${args.name}`, { props: args.props as Record<string, unknown>, dependsOn: dependsOn.map((d) => (d as unknown as { __name: string }).__name) });
      return undefined;
    });
    const program = (await import("../index")) as { default: () => Promise<Record<string, unknown>> };
    exported = await program.default();
    return exported;
  })) as Record<string, unknown>;
  await settled(resources);
  return { resources, outputs, exported, ...lookups(resources) };
}
