// The gcp standby promoted: as primary it takes mail and replicates into its old primary; as a standby
// (gcp-us-central1.test.ts) it does neither.
import { promotedDrBehavesAsPrimary } from "../../helpers/roleState";

promotedDrBehavesAsPrimary("gcp");
