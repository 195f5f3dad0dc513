// Runs the real AWS program on a stack file under mocks and checks every contract against what it
// plans: shared by the contract test files (one program run per file: Pulumi's runtime is global).
import { expect, it } from "vitest";
import { parseStackConfig, type StackConfig } from "../../infra/config";
import { type ProgramRun, type RecordedResource, type RunOptions, runProgram } from "../../infra/policyCheck/mockRun";
import { projectConfig, projectKeys } from "../../infra/stackFiles";
import { checkContracts, PERMISSION_CONTRACTS, REFUSAL_CONTRACTS, RULE_CONTRACTS } from "./awsContracts";
import { AwsPlan } from "./awsPlan";

export interface PlannedAwsStack {
  readonly run: ProgramRun;
  readonly config: StackConfig;
  /** The plan as built, or an edited copy of its resources. */
  plan(resources?: readonly RecordedResource[]): AwsPlan;
}

/** Builds `stack` from Pulumi.<stack>.yaml, with runProgram's options (config overrides included). */
export async function planAwsStack(stack: string, options: RunOptions = {}): Promise<PlannedAwsStack> {
  const run = await runProgram(stack, options);
  const config = parseStackConfig({ ...projectConfig(stack), ...projectKeys(options.config ?? {}) }, stack);
  return { run, config, plan: (resources = run.resources) => new AwsPlan(resources, config, run.outputs) };
}

/** The number of contracts the suite knows, for the report. */
export const CONTRACT_COUNT = PERMISSION_CONTRACTS.length + RULE_CONTRACTS.length + REFUSAL_CONTRACTS.length;

/** Every contract that applies holds on the plan; the count is printed for the report. */
export function contractsHold(label: string, planned: () => PlannedAwsStack, minimumChecked: number): void {
  it(`honours every provider contract on the ${label} stack`, async () => {
    const report = await checkContracts(planned().plan());
    expect(report.problems).toEqual([]);
    expect(report.checked).toBeGreaterThanOrEqual(minimumChecked);
    console.log(`aws contracts: ${report.checked} of ${CONTRACT_COUNT} checked on the ${label} stack, 0 broken`);
  });
}
