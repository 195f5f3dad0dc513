// The Azure standby: the same archive, keys, roles, logs and alerts, with intake disabled and
// no replication of its own (it receives the primary's).
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { roleState } from "../../helpers/roleState";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("azure-centralus");
});

it("builds the archive as a standby in the second region", () => {
  const archive = run.one("azure-native:storage:StorageAccount", "archive").inputs;
  expect(archive).toMatchObject({ location: "centralus", tags: { role: "standby", "journal-store": "archive" }, immutableStorageWithVersioning: { immutabilityPolicy: { state: "Locked" } } });
  expect(run.ofType("azure-native:keyvault:Key")).toHaveLength(1);
  // Archive and inbox blobs, the vault, the ingestor, and the search workspace (infra/azure/search.ts).
  expect(run.ofType("azure-native:monitor:DiagnosticSetting")).toHaveLength(5);
});

it("keeps intake inactive: both functions disabled, no inbox event subscription", () => {
  const settings = Object.fromEntries(run.one("azure-native:web:WebApp").inputs.siteConfig.appSettings.map((s: { name: string; value: string }) => [s.name, s.value]));
  expect(settings).toMatchObject({ "AzureWebJobs.ingestHttp.Disabled": "true", "AzureWebJobs.ingestBlob.Disabled": "true" });
  expect(run.ofType("azure-native:eventgrid:SystemTopicEventSubscription")).toEqual([]);
  expect(run.outputs.intakeEnabled).toBe(false);
});

it("replicates nothing of its own", () => {
  expect(run.ofType("azure-native:storage:ObjectReplicationPolicy")).toEqual([]);
  expect(run.ofType("pulumi:pulumi:StackReference").map((r) => r.inputs.name)).toEqual(["acme-bank/email-journal/azure-centralus"]);
});

it("takes no mail and replicates nothing, as a standby on every cloud", () => {
  expect(roleState(run, "azure")).toEqual({ intakeActive: false });
});
