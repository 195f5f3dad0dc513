// The provider contracts on a GCP sandbox (gcp-us-east4's file with sandbox: true): nothing is locked, so
// nothing must be kept, and the keys Cloud KMS cannot delete are left behind by destroy.
import { beforeAll } from "vitest";
import { contractsHold, type PlannedStack, planStack } from "./gcpSuite";

let planned: PlannedStack;
beforeAll(async () => {
  planned = await planStack("gcp-us-east4", { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 14 } });
});

contractsHold("sandbox", () => planned);
