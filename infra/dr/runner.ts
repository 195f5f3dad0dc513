// The one boundary promotion crosses: running `pulumi preview` and `pulumi up` on a stack. The
// real runner drives the Pulumi CLI through the Automation API; tests give a recording one.
import { LocalWorkspace } from "@pulumi/pulumi/automation";

export interface StackRunner {
  /** Counts of the changes an update would make (`same`, `update`, `create`, …), changing nothing. */
  preview(stack: string, configFile: string, log: (line: string) => void): Promise<Readonly<Record<string, number>>>;
  /** Runs the update and resolves with the stack's outputs. */
  up(stack: string, configFile: string, log: (line: string) => void): Promise<Readonly<Record<string, unknown>>>;
}

/** The Pulumi CLI on this machine, in the project at `workDir`, through the Automation API. */
export function pulumiRunner(workDir: string): StackRunner {
  const select = (stackName: string) => LocalWorkspace.selectStack({ stackName, workDir });
  const onOutput = (log: (line: string) => void) => (out: string) => out.split("\n").filter(Boolean).forEach(log);
  return {
    async preview(stack, configFile, log) {
      const result = await (await select(stack)).preview({ configFile, onOutput: onOutput(log) });
      return result.changeSummary as Record<string, number>;
    },
    async up(stack, configFile, log) {
      const result = await (await select(stack)).up({ configFile, onOutput: onOutput(log) });
      return Object.fromEntries(Object.entries(result.outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]));
    },
  };
}
