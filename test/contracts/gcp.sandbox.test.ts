// The provider contracts on a GCP sandbox (prod's file with sandbox: true): nothing is locked, so
// nothing must be kept, and the keys Cloud KMS cannot delete are left behind by destroy.
import { beforeAll } from "vitest";
import { contractsHold, type PlannedStack, planStack } from "./gcpSuite";

let planned: PlannedStack;
beforeAll(async () => {
  planned = await planStack("prod", { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 14 } });
});

contractsHold("sandbox", () => planned);
