import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

/** The inbox function's entry point (functions/gcp): only Pub/Sub pushes to it. */
const INBOX_ENTRY_POINT = "ingestObject";

// Pub/Sub push is internal traffic to Cloud Run when it comes from the same project ("Restrict
// network ingress for Cloud Run"), so the inbox function needs nothing from outside.
export const inboxFunctionInternal = resourceRule({
  name: "gcp-function-inbox-internal-only",
  description: "The inbox function (fed by Pub/Sub push) takes internal traffic only",
  controls: [...SERVES.confidentiality, ...SERVES.transport],
  types: ["gcp:cloudfunctionsv2/function:Function"],
  check: (props, report) => {
    if (props.buildConfig?.entryPoint !== INBOX_ENTRY_POINT) return;
    if (props.serviceConfig?.ingressSettings !== "ALLOW_INTERNAL_ONLY") report(problem("serviceConfig.ingressSettings", props.serviceConfig?.ingressSettings, 'set "ALLOW_INTERNAL_ONLY": only Pub/Sub pushes to it'));
  },
});
