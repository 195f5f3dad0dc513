// A sandbox stack (email-journal:sandbox) on Azure: the same archive, never locked, with a short
// retention, nothing Pulumi keeps after `pulumi destroy`, and the sandbox tag on everything.
import { beforeAll, expect, it } from "vitest";
import { SANDBOX_TAG } from "../../../policies/shared/conventions";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("azure-eastus2", { config: { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 14, mode: "governance" } },
  });
});

it("keeps the archive's and the log account's immutability Unlocked at the short retention, even on later runs", () => {
  for (const part of ["archive", "audit-logs"]) {
    const policy = run.one("azure-native:storage:StorageAccount", part).inputs.immutableStorageWithVersioning.immutabilityPolicy;
    expect(policy, part).toMatchObject({ state: "Unlocked", immutabilityPeriodSinceCreationInDays: 14 });
  }
  expect(run.outputs.archiveImmutability).toBe("Unlocked");
});

it("leaves the backup vault's immutability unlocked and keeps backups for the short retention", () => {
  expect(run.one("azure-native:dataprotection:BackupVault").inputs.properties.securitySettings.immutabilitySettings).toEqual({ state: "Unlocked" });
  expect(run.one("azure-native:dataprotection:BackupPolicy").inputs.properties.policyRules[1].lifecycles[0].deleteAfter.duration).toBe("P14D");
});

it("protects and retains nothing, so `pulumi destroy` removes what Azure lets it", () => {
  const kept = run.resources.filter((r) => r.options.protect || r.options.retainOnDelete).map((r) => r.name);
  expect(kept).toEqual([]);
});

it("tags the archive store and every tagged resource as a sandbox, and changes nothing else", () => {
  expect(run.one("azure-native:storage:StorageAccount", "archive").inputs.tags).toMatchObject({ "journal-store": "archive", [SANDBOX_TAG]: "true" });
  for (const r of run.resources.filter((r) => r.inputs.tags)) expect(r.inputs.tags[SANDBOX_TAG], r.name).toBe("true");
  // Purge protection is irreversible on a vault: it stays, and docs/azure.md says what that means for destroy.
  expect(run.one("azure-native:keyvault:Vault").inputs.properties).toMatchObject({ enablePurgeProtection: true, softDeleteRetentionInDays: 90 });
  expect(run.one("azure-native:dataprotection:BackupVault").inputs.properties.securitySettings.softDeleteSettings).toMatchObject({ state: "AlwaysOn" });
  expect(run.one("azure-native:storage:StorageAccount", "archive").inputs).toMatchObject({ allowSharedKeyAccess: false, encryption: { keySource: "Microsoft.Keyvault" } });
});
