// The azure standby promoted: as primary it takes mail and replicates into its old primary; as a standby
// (azure-centralus.test.ts) it does neither.
import { promotedDrBehavesAsPrimary } from "../../helpers/roleState";

promotedDrBehavesAsPrimary("azure");
