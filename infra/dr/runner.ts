// The one boundary promotion crosses: running `pulumi preview` and `pulumi up` on a stack. The
// real runner drives the Pulumi CLI through the Automation API; tests give a recording one.
import { LocalWorkspace } from "@pulumi/pulumi/automation";

export interface StackRunner {
  /** Counts of the changes an update would make (`same`, `update`, `create`, …), changing nothing. */
  preview(stack: string, configFile: string, log: (line: string) => void): Promise<Readonly<Record<string, number>>>;
  /** Runs the update and resolves with the stack's outputs. */
  up(stack: string, configFile: string, log: (line: string) => void): Promise<Readonly<Record<string, unknown>>>;
  /** The stack's outputs as last deployed (its `role` among them), changing nothing. */
  outputs(stack: string): Promise<Readonly<Record<string, unknown>>>;
}

/** The Automation API runs the `pulumi` CLI; its absence shows as a bare spawn error code, said plainly here. */
async function withCli<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/ENOENT|code: -2\b/.test(message)) throw new Error("the pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to the stacks' backend", { cause: err });
    throw err;
  }
}

/** Output values, secrets never shown. */
const plain = (outputs: Record<string, { value: unknown; secret: boolean }>) => Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]));

/** The Pulumi CLI on this machine, in the project at `workDir`, through the Automation API. */
export function pulumiRunner(workDir: string): StackRunner {
  const select = (stackName: string) => withCli(() => LocalWorkspace.selectStack({ stackName, workDir }));
  const onOutput = (log: (line: string) => void) => (out: string) => out.split("\n").filter(Boolean).forEach(log);
  return {
    async preview(stack, configFile, log) {
      const result = await withCli(async () => (await select(stack)).preview({ configFile, onOutput: onOutput(log) }));
      return result.changeSummary as Record<string, number>;
    },
    async up(stack, configFile, log) {
      const result = await withCli(async () => (await select(stack)).up({ configFile, onOutput: onOutput(log) }));
      return plain(result.outputs);
    },
    async outputs(stack) {
      return plain(await withCli(async () => (await select(stack)).outputs()));
    },
  };
}
