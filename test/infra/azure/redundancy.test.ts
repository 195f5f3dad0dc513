// storageRedundancy: geo-zone puts the archive on GZRS (a second copy in Azure's paired region)
// in addition to, not instead of, object replication to the dr stack's own account.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../policies/check/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("prod", { cloud: "azure", config: { "email-journal:storageRedundancy": "geo-zone" } });
});

it("puts the archive account on geo-zone-redundant storage and still replicates to the peer", () => {
  expect(run.one("azure-native:storage:StorageAccount", "archive").inputs.sku).toEqual({ name: "Standard_GZRS" });
  expect(run.ofType("azure-native:storage:ObjectReplicationPolicy").length).toBeGreaterThan(0);
});
