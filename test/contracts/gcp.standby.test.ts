// The provider contracts on the GCP standby: a standby, whose inbox subscription pulls instead of
// pushing and which replicates nothing of its own.
import { beforeAll } from "vitest";
import { contractsHold, type PlannedStack, planStack } from "./gcpSuite";

let planned: PlannedStack;
beforeAll(async () => {
  planned = await planStack("gcp-us-central1");
});

contractsHold("gcp-us-central1", () => planned);
