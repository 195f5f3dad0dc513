import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { archiveStores } from "./stores";

// After a promotion with the old primary's region lost, the new primary takes mail with no copy in
// another region until that region is back. That is the right trade (mail keeps flowing, the archive
// keeps its WORM guarantees), but it must be visible on every run until the pair is whole again.
export const replicationSuspended = stackRule({
  name: "replication-suspended",
  description: "A primary whose peer's region is lost keeps no copy in another region until the peer is back and peerLost is cleared",
  controls: SERVES.availability,
  causes: [
    { names: "replication to the peer stack is suspended", stackKey: "email-journal:peerLost" },
  ],
  enforcementLevel: "advisory",
  check: (resources, report) => {
    for (const store of archiveStores(resources).filter((s) => s.replicationSuspended)) {
      report(`${store.resource.name}: replication to the peer stack is suspended (email-journal:peerLost); when the peer's region is back, rerun npm run dr:promote without --old-primary-lost to restore the pair`, store.resource.urn);
    }
  },
});
