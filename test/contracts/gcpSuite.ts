// Runs the real GCP program on a stack file under mocks and checks every contract against what it
// plans: shared by the per-stack contract files (one program run per test file: Pulumi's runtime is global).
import { expect, it } from "vitest";
import { parseStackConfig, type StackConfig } from "../../infra/config";
import { type ProgramRun, type RecordedResource, runProgram } from "../../infra/policyCheck/mockRun";
import { PROJECT_NUMBER } from "../../infra/policyCheck/mocks/gcp";
import { projectConfig, projectKeys } from "../../infra/stackFiles";
import { checkContracts, type ContractContext } from "./gcpContracts";
import { GcpPlan } from "./gcpPlan";

export interface PlannedStack {
  readonly run: ProgramRun;
  readonly config: StackConfig;
  /** The contracts' context for these resources (the plan as built, or an edited copy). */
  context(resources?: readonly RecordedResource[]): ContractContext;
}

/** Builds `stack` from its stack file, with `overrides` as runProgram takes them. */
export async function planStack(stack: string, overrides: Readonly<Record<string, unknown>> = {}): Promise<PlannedStack> {
  const run = await runProgram(stack, { config: overrides });
  const config = parseStackConfig({ ...projectConfig(stack), ...projectKeys(overrides) }, stack);
  return {
    run,
    config,
    context: (resources = run.resources) => ({ plan: new GcpPlan(resources, config.gcp!.project), config, projectNumber: PROJECT_NUMBER }),
  };
}

/** Every contract holds on the plan; the count is printed for the report. */
export function contractsHold(label: string, planned: () => PlannedStack): void {
  it(`honours every provider contract on the ${label} stack`, () => {
    const report = checkContracts(planned().context());
    expect(report.problems).toEqual([]);
    expect(report.checked).toBeGreaterThan(30);
    console.log(`gcp contracts: ${report.checked} checked on the ${label} stack, 0 broken`);
  });
}
