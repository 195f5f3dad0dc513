// The aws standby promoted: as primary it takes mail and replicates into its old primary; as a standby
// (aws-us-west-2.test.ts) it does neither.
import { promotedDrBehavesAsPrimary } from "../../helpers/roleState";

promotedDrBehavesAsPrimary("aws");
