import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { lockPending } from "./stores";

// Azure creates immutability policies Unlocked and locks them only on a later update, so the
// stack's first deployment leaves them Unlocked and tagged pending. Until the next `pulumi up`
// retention can still be shortened: say so on every run.
export const retentionLockPending = stackRule({
  name: "retention-lock-pending",
  description: "Retention created Unlocked by a stack's first deployment is locked by its next one",
  controls: SERVES.worm,
  enforcementLevel: "advisory",
  check: (resources, report) => {
    for (const resource of resources.filter((r) => lockPending(r.props))) {
      report(`${resource.name}: retention is Unlocked until the next \`pulumi up\` locks it (Azure creates immutability policies unlocked); run it once the first deployment is done`, resource.urn);
    }
  },
});
