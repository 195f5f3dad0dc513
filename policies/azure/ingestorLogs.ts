import { SERVES } from "../controls";
import { read, stackRule, UNKNOWN_AT_PREVIEW } from "../rule";
import { AZURE_DIAGNOSTIC_SETTING, ofType } from "../stack/stores";

const isFunctionApp = (kind: unknown) => String(kind ?? "").toLowerCase().includes("functionapp");

// The ingestor writes its audit lines (ingested, duplicate, quarantined) to its invocation log, so
// its FunctionAppLogs must reach the audit destinations like the storage and Key Vault logs do.
export const ingestorLogsAudited = stackRule({
  name: "azure-ingestor-logs-audited",
  description: "Every Function App of the stack sends its FunctionAppLogs (the ingestor's audit lines) through a diagnostic setting",
  controls: SERVES.audit,
  check: (resources, report) => {
    const settings = ofType(resources, ...AZURE_DIAGNOSTIC_SETTING);
    for (const app of ofType(resources, "azure-native:web:WebApp").filter((a) => isFunctionApp(a.props.kind))) {
      const appName = read(() => String(app.props.name).toLowerCase());
      const logged = settings.some((s) => {
        const uri = read(() => String(s.props.resourceUri).toLowerCase());
        const names = uri === UNKNOWN_AT_PREVIEW || appName === UNKNOWN_AT_PREVIEW || uri.endsWith(`/microsoft.web/sites/${appName}`);
        return names && ((s.props.logs ?? []) as any[]).some((l) => l.enabled !== false && (l.category === "FunctionAppLogs" || ["allLogs", "audit"].includes(l.categoryGroup)));
      });
      if (!logged) report(`${app.name}: no diagnostic setting sends its FunctionAppLogs; add one to the workspace and the audit-log account`, app.urn);
    }
  },
});
