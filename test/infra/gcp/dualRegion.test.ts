// gcp.replication: dual-region makes the primary's archive bucket span its region and the peer's,
// with turbo replication, instead of a transfer job; its key then lives in the multi-region.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../policies/check/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("prod", { cloud: "gcp", config: { "email-journal:gcp": { project: "acme-journal-prod", relayInvokers: ["serviceAccount:mail-relay@acme-mail.iam.gserviceaccount.com"], replication: "dual-region" } } });
});

it("places the archive in a configurable dual-region with turbo replication, under a key in the multi-region", () => {
  const archive = run.one("gcp:storage/bucket:Bucket", "archive").inputs;
  expect(archive).toMatchObject({ location: "US", customPlacementConfig: { dataLocations: ["US-EAST4", "US-CENTRAL1"] }, rpo: "ASYNC_TURBO" });
  expect(archive.encryption.defaultKmsKeyName).toBe("projects/acme-journal-prod/locations/us/keyRings/email-journal-prod/cryptoKeys/archive");
  // The other buckets stay regional, under a regional key.
  expect(run.one("gcp:storage/bucket:Bucket", "inbox").inputs.encryption.defaultKmsKeyName).toBe("projects/acme-journal-prod/locations/us-east4/keyRings/email-journal-prod-us-east4/cryptoKeys/archive");
});

it("needs no transfer job", () => {
  expect(run.ofType("gcp:storage/transferJob:TransferJob")).toEqual([]);
  expect(run.outputs.replication).toBe("dual-region");
});
