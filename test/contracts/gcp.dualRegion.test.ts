// The provider contracts on a dual-region GCP primary: the archive spans two regions of one
// multi-region under a key there, with turbo replication and no transfer job.
import { beforeAll, expect, it } from "vitest";
import { checkContracts } from "./gcpContracts";
import { contractsHold, type PlannedStack, planStack } from "./gcpSuite";

let planned: PlannedStack;
beforeAll(async () => {
  planned = await planStack("gcp-us-east4", { "email-journal:gcp": { project: "acme-journal-gcp-us-east4", relayInvokers: ["serviceAccount:mail-relay@acme-mail.iam.gserviceaccount.com"], replication: "dual-region" } });
});

contractsHold("dual-region", () => planned);

it("fails when the dual-region's key is not in its multi-region, or its regions leave it", () => {
  const edit = (change: (inputs: any) => void) =>
    planned.run.resources.map((r) => {
      if (r.type !== "gcp:storage/bucket:Bucket" || !r.name.includes("archive")) return r;
      const inputs = structuredClone(r.inputs);
      change(inputs);
      return { ...r, inputs };
    });
  // The stack's regional key (the inbox's), which the Cloud Storage agent may use: only the location is wrong.
  const regionalKey = edit((i) => (i.encryption.defaultKmsKeyName = i.encryption.defaultKmsKeyName.replace("/locations/us/keyRings/email-journal-gcp-us-east4/", "/locations/us-east4/keyRings/email-journal-gcp-us-east4-us-east4/")));
  expect(checkContracts(planned.context(regionalKey)).problems).toEqual([expect.stringMatching(/^dual-region-placement: journal-archive: its key is in us-east4, not the multi-region us/)]);
  const abroad = edit((i) => (i.customPlacementConfig.dataLocations = ["US-EAST4", "EUROPE-WEST1"]));
  expect(checkContracts(planned.context(abroad)).problems).toEqual([expect.stringMatching(/^dual-region-placement: journal-archive: dataLocations \["US-EAST4","EUROPE-WEST1"\] are not two regions of US/)]);
});
