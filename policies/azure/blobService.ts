import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const blobServiceRecoverable = resourceRule({
  name: "azure-blob-service-versioned",
  description: "Every blob service keeps versions and a change feed (version-level WORM and object replication need both) and soft-deletes blobs and containers",
  controls: SERVES.worm,
  types: ["azure-native:storage:BlobServiceProperties"],
  check: (props, report) => {
    if (props.isVersioningEnabled !== true) report(problem("isVersioningEnabled", props.isVersioningEnabled, "set true"));
    if (props.changeFeed?.enabled !== true) report(problem("changeFeed.enabled", props.changeFeed?.enabled, "set true"));
    for (const policy of ["deleteRetentionPolicy", "containerDeleteRetentionPolicy"]) {
      if (props[policy]?.enabled !== true || (props[policy]?.days ?? 0) < 7) report(problem(policy, props[policy], "set { enabled: true, days: 7 } or longer"));
    }
  },
});
