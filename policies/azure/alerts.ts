import type { PolicyResource } from "@pulumi/policy";
import { SERVES } from "../controls";
import { read, stackRule, UNKNOWN_AT_PREVIEW } from "../rule";
import { archiveStores, ofType } from "../stack/stores";

/** The queries of the stack's log alerts that notify someone (an action group); a query computed at preview is taken on trust until `pulumi up`. */
function alertedQueries(resources: readonly PolicyResource[]): (string | typeof UNKNOWN_AT_PREVIEW)[] {
  return ofType(resources, "azure-native:monitor:ScheduledQueryRule", "azure-native:insights:ScheduledQueryRule")
    .filter((r) => r.props.enabled !== false && ((r.props.actions?.actionGroups ?? []) as unknown[]).length > 0)
    .flatMap((r) => ((r.props.criteria?.allOf ?? []) as any[]).map((c) => read(() => String(c.query))));
}

// Besides dead letters (ingestor-dead-letter-alerted), someone is told when the ingestor fails and
// when a request to the archive is refused.
export const azureAlerts = stackRule({
  name: "azure-alerts-errors-and-denials",
  description: "An Azure stack alerts an action group on its ingestor's errors (FunctionAppLogs) and on denied requests (401/403 in StorageBlobLogs) to its archive",
  controls: [...SERVES.availability, ...SERVES.audit],
  check: (resources, report) => {
    const queries = alertedQueries(resources);
    const errorsAlerted = queries.some((q) => q === UNKNOWN_AT_PREVIEW || (q.includes("FunctionAppLogs") && /Error/.test(q)));
    if (!errorsAlerted)
      for (const app of ofType(resources, "azure-native:web:WebApp"))
        report(`${app.name}: no log alert with an action group watches its errors; add a scheduled query rule on FunctionAppLogs where Level == 'Error'`, app.urn);
    for (const store of archiveStores(resources).filter((s) => s.cloud === "azure")) {
      const deniedAlerted = queries.some((q) => q === UNKNOWN_AT_PREVIEW || (q.includes("StorageBlobLogs") && q.includes("403") && q.includes(store.name)));
      if (!deniedAlerted) report(`${store.resource.name}: no log alert with an action group watches denied requests to it; add a scheduled query rule on StorageBlobLogs for ${store.name} with StatusCode in (401, 403)`, store.resource.urn);
    }
  },
});
