// An Azure stack's first `pulumi up`: Azure creates immutability policies Unlocked only, so the
// program creates them Unlocked (tagged pending) and leaves out the inbox event subscription,
// whose function code is deployed after this run. The next run locks (see prod.test.ts).
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("azure-eastus2", { firstDeployment: true });
});

it("creates the archive, log account and backup vault Unlocked, marked pending", () => {
  for (const part of ["archive", "audit-logs"]) {
    const inputs = run.one("azure-native:storage:StorageAccount", part).inputs;
    expect(inputs.immutableStorageWithVersioning.immutabilityPolicy.state, part).toBe("Unlocked");
    expect(inputs.tags["journal-lock"], part).toBe("pending");
  }
  const vault = run.one("azure-native:dataprotection:BackupVault").inputs;
  expect(vault.properties.securitySettings.immutabilitySettings.state).toBe("Unlocked");
  expect(vault.tags["journal-lock"]).toBe("pending");
  expect(run.outputs.archiveImmutability).toBe("Unlocked");
});

it("waits for the function code before subscribing it to inbox events", () => {
  expect(run.ofType("azure-native:eventgrid:SystemTopicEventSubscription")).toEqual([]);
  expect(run.ofType("azure-native:eventgrid:SystemTopic")).toHaveLength(1);
});
