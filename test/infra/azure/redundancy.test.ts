// storageRedundancy: geo-zone puts the archive on GZRS (a second copy in Azure's paired region)
// in addition to, not instead of, object replication to the standby's own account. GZRS has no
// archive tier either, so the lifecycle stops at cold here too.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("azure-eastus2", { config: { "email-journal:storageRedundancy": "geo-zone" } });
});

it("puts the archive account on geo-zone-redundant storage and still replicates to the peer", () => {
  expect(run.one("azure-native:storage:StorageAccount", "archive").inputs.sku).toEqual({ name: "Standard_GZRS" });
  expect(run.ofType("azure-native:storage:ObjectReplicationPolicy").length).toBeGreaterThan(0);
});

it("never moves GZRS archive blobs to the archive tier, which Azure does not support on GZRS", () => {
  const actions = run.one("azure-native:storage:ManagementPolicy", "archive").inputs.policy.rules.map((r: any) => r.definition.actions);
  for (const action of actions) for (const part of Object.values(action) as any[]) expect(part.tierToArchive).toBeUndefined();
  expect(actions[0].baseBlob.tierToCold).toEqual({ daysAfterCreationGreaterThan: 90 });
});
