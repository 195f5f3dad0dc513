// The GCP standby: the same archive, key, roles, logs and alerts in the second region and its own
// project, with intake inactive (no relay may invoke, notifications held unpushed) and no replication of its own.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";
import { roleState } from "../../helpers/roleState";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("gcp-us-central1");
});

it("builds the archive as a standby in the second region, locked and keyed as the primary's", () => {
  const archive = run.one("gcp:storage/bucket:Bucket", "archive").inputs;
  expect(archive).toMatchObject({ name: "acme-journal-gcp-us-central1-journal-archive-gcp-us-central1", location: "US-CENTRAL1", labels: { role: "standby", "journal-store": "archive" }, retentionPolicy: { isLocked: true } });
  expect(run.one("gcp:kms/keyRing:KeyRing").inputs).toMatchObject({ location: "us-central1", project: "acme-journal-gcp-us-central1" });
  expect(run.ofType("gcp:projects/iAMAuditConfig:IAMAuditConfig")).toHaveLength(2);
  expect(run.ofType("gcp:monitoring/alertPolicy:AlertPolicy")).toHaveLength(3);
  expect(run.ofType("gcp:cloudfunctionsv2/function:Function")).toHaveLength(2);
});

it("keeps intake inactive: no relay may invoke, and inbox notifications are held by a pull subscription, not pushed", () => {
  const invokers = run.ofType("gcp:cloudrunv2/serviceIamMember:ServiceIamMember").map((m) => m.inputs.member);
  expect(invokers).toEqual(["serviceAccount:ej-push-gcp-us-central1@acme-journal-gcp-us-central1.iam.gserviceaccount.com"]);
  const delivery = run.one("gcp:pubsub/subscription:Subscription", "inbox-subscription").inputs;
  expect(delivery.pushConfig).toBeUndefined();
  expect(delivery).toMatchObject({ messageRetentionDuration: `${7 * 86_400}s`, deadLetterPolicy: { maxDeliveryAttempts: 10 } });
  // Nothing pulls from it until promotion: without a never-expiring policy Pub/Sub deletes it after 31 idle days (finding 11).
  expect(delivery.expirationPolicy).toEqual({ ttl: "" });
  expect(run.outputs.intakeEnabled).toBe(false);
});

it("replicates nothing of its own", () => {
  expect(run.ofType("gcp:storage/transferJob:TransferJob")).toEqual([]);
  expect(run.ofType("pulumi:pulumi:StackReference")).toEqual([]);
  expect(run.outputs.replication).toBe("none (standby)");
});

it("takes no mail and replicates nothing, as a standby on every cloud", () => {
  expect(roleState(run, "gcp")).toEqual({ intakeActive: false });
});
