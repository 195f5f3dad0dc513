// gcp.replication: dual-region makes the primary's archive bucket span its region and the peer's,
// with turbo replication, instead of a transfer job; its key then lives in the multi-region.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-east4", { config: { "email-journal:gcp": { project: "acme-journal-gcp-us-east4", relayInvokers: ["serviceAccount:mail-relay@acme-mail.iam.gserviceaccount.com"], replication: "dual-region" } } });
});

it("places the archive in a configurable dual-region with turbo replication, under a key in the multi-region", () => {
  const archive = run.one("gcp:storage/bucket:Bucket", "archive").inputs;
  expect(archive).toMatchObject({ location: "US", customPlacementConfig: { dataLocations: ["US-EAST4", "US-CENTRAL1"] }, rpo: "ASYNC_TURBO" });
  expect(archive.encryption.defaultKmsKeyName).toBe("projects/acme-journal-gcp-us-east4/locations/us/keyRings/email-journal-gcp-us-east4/cryptoKeys/archive");
  // The other buckets stay regional, under a regional key.
  expect(run.one("gcp:storage/bucket:Bucket", "inbox").inputs.encryption.defaultKmsKeyName).toBe("projects/acme-journal-gcp-us-east4/locations/us-east4/keyRings/email-journal-gcp-us-east4-us-east4/cryptoKeys/archive");
});

it("needs no transfer job", () => {
  expect(run.ofType("gcp:storage/transferJob:TransferJob")).toEqual([]);
  expect(run.outputs.replication).toBe("dual-region");
});
