// The azure dr stack promoted: as primary it takes mail and replicates into prod; as a standby
// (dr.test.ts) it does neither.
import { promotedDrBehavesAsPrimary } from "../../helpers/roleState";

promotedDrBehavesAsPrimary("azure");
