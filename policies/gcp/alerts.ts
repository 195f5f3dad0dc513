import type { PolicyResource } from "@pulumi/policy";
import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { archiveStores, ofType } from "../stack/stores";

/** gRPC PERMISSION_DENIED, as Cloud Audit Logs record a refused request. */
const PERMISSION_DENIED = 7;

const conditionsOf = (policy: PolicyResource) => JSON.stringify(policy.props.conditions ?? []).replace(/\\"/g, '"');

// Besides dead letters (ingestor-dead-letter-alerted), someone is told when the ingestor fails and
// when a request to the archive is refused.
export const gcpAlerts = stackRule({
  name: "gcp-alerts-errors-and-denials",
  description: "A GCP stack alerts someone on its ingestor functions' errors and on denied requests to its archive",
  controls: [...SERVES.availability, ...SERVES.audit],
  check: (resources, report) => {
    const watched = ofType(resources, "gcp:monitoring/alertPolicy:AlertPolicy")
      .filter((p) => ((p.props.notificationChannels ?? []) as unknown[]).length > 0)
      .map(conditionsOf);
    const errorsAlerted = watched.some((c) => c.includes("cloud_run_revision") && c.includes("severity>=ERROR"));
    if (!errorsAlerted)
      for (const fn of ofType(resources, "gcp:cloudfunctionsv2/function:Function"))
        report(`${fn.name}: no alert policy with a notification channel watches its errors; add a log-match alert on resource.type="cloud_run_revision" with severity>=ERROR`, fn.urn);
    const deniedAlerted = watched.some((c) => c.includes("gcs_bucket") && c.includes(`protoPayload.status.code=${PERMISSION_DENIED}`));
    if (!deniedAlerted)
      for (const store of archiveStores(resources).filter((s) => s.cloud === "gcp"))
        report(`${store.resource.name}: no alert policy with a notification channel watches denied requests to it; add a log-match alert on its audit logs with protoPayload.status.code=${PERMISSION_DENIED}`, store.resource.urn);
  },
});
