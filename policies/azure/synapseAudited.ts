import { SERVES } from "../controls";
import { read, stackRule, UNKNOWN_AT_PREVIEW } from "../rule";
import { AZURE_DIAGNOSTIC_SETTING, ofType } from "../stack/stores";

// Every search through the workspace is a read of the archive: the serverless pool's request log
// (BuiltinSqlReqsEnded: each request with the identity that made it, "Supported logs for
// Microsoft.Synapse/workspaces") must reach the audit destinations, beside the storage logs.
export const synapseQueriesAudited = stackRule({
  name: "azure-synapse-queries-audited",
  description: "Every Synapse workspace of the stack sends its serverless SQL requests (BuiltinSqlReqsEnded) through a diagnostic setting",
  controls: SERVES.audit,
  check: (resources, report) => {
    const settings = ofType(resources, ...AZURE_DIAGNOSTIC_SETTING);
    for (const workspace of ofType(resources, "azure-native:synapse:Workspace")) {
      const name = read(() => String(workspace.props.workspaceName).toLowerCase());
      const logged = settings.some((s) => {
        const uri = read(() => String(s.props.resourceUri).toLowerCase());
        const names = uri === UNKNOWN_AT_PREVIEW || name === UNKNOWN_AT_PREVIEW || uri.endsWith(`/microsoft.synapse/workspaces/${name}`);
        return names && ((s.props.logs ?? []) as any[]).some((l) => l.enabled !== false && (l.category === "BuiltinSqlReqsEnded" || ["allLogs", "audit"].includes(l.categoryGroup)));
      });
      if (!logged) report(`${workspace.name}: no diagnostic setting sends its BuiltinSqlReqsEnded (every search, and who made it); add one to the workspace and the audit-log account`, workspace.urn);
    }
  },
});
