import { SANDBOX_TAG } from "../shared/conventions";
import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { archiveStores } from "./stores";

// A sandbox (email-journal:sandbox) is for trying the platform in a test account: governance-mode,
// short retention, destroyed with its stack. The rules it legitimately fails (protection, locked
// retention, compliance mode, retention floor) skip its stores; this rule says, on every run and on
// any cloud, that what it holds are not records.
export const sandboxNotForRecords = stackRule({
  name: "sandbox-not-for-records",
  description: "A store tagged as a sandbox's keeps nothing as a record: its retention can be shortened or removed, and it is destroyed with its stack",
  controls: SERVES.worm,
  causes: [
    { names: "a sandbox's store", stackKey: "email-journal:sandbox" },
  ],
  enforcementLevel: "advisory",
  check: (resources, report) => {
    for (const store of archiveStores(resources).filter((s) => s.sandbox)) {
      report(
        `${store.resource.name}: a sandbox's store (${SANDBOX_TAG}), not for records: its retention is unlocked and short, and \`pulumi destroy\` deletes it; keep records only in a stack without email-journal:sandbox`,
        store.resource.urn,
      );
    }
  },
});
