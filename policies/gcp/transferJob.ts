import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

// The DR copy only ever adds: an object already in the peer's archive is never replaced, nothing
// unique there is removed, and the source keeps what it sent (Storage Transfer TransferOptions).
export const transferNeverOverwritesOrDeletes = resourceRule({
  name: "gcp-transfer-never-overwrites-or-deletes",
  description: "Every Storage Transfer job into another archive never overwrites (overwriteWhen NEVER) and deletes nothing, in the sink or the source",
  controls: [...SERVES.worm, ...SERVES.availability],
  types: ["gcp:storage/transferJob:TransferJob"],
  check: (props, report) => {
    const options = props.transferSpec?.transferOptions ?? {};
    if (options.overwriteWhen !== "NEVER") report(problem("transferSpec.transferOptions.overwriteWhen", options.overwriteWhen, 'set "NEVER"'));
    for (const flag of ["overwriteObjectsAlreadyExistingInSink", "deleteObjectsUniqueInSink", "deleteObjectsFromSourceAfterTransfer"])
      if (options[flag] === true) report(problem(`transferSpec.transferOptions.${flag}`, true, "set false"));
  },
});
