import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const containerPrivate = resourceRule({
  name: "azure-container-private",
  description: "No blob container allows anonymous read",
  controls: SERVES.confidentiality,
  types: ["azure-native:storage:BlobContainer"],
  check: (props, report) => {
    if (props.publicAccess !== undefined && props.publicAccess !== "None") report(problem("publicAccess", props.publicAccess, 'set "None"'));
  },
});
