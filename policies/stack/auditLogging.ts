import type { PolicyResource } from "@pulumi/policy";
import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { type ArchiveStore, AZURE_DIAGNOSTIC_SETTING, archiveStores, ofType } from "./stores";

// Every read and write of the archive must leave an audit record in a log the archive's
// operators cannot alter. What "audit logging pointed at the store" means on each cloud:
const AUDITED: Record<ArchiveStore["cloud"], (store: ArchiveStore, resources: readonly PolicyResource[]) => string | undefined> = {
  aws: (store, resources) => {
    const prefix = `arn:aws:s3:::${store.name}/`;
    const covers = (trail: PolicyResource) =>
      trail.props.enableLogFileValidation === true &&
      ((trail.props.advancedEventSelectors ?? []) as any[]).some((selector) => {
        const fields = (selector.fieldSelectors ?? []) as any[];
        const field = (name: string) => fields.find((f) => f.field === name);
        return (
          field("eventCategory")?.equals?.includes("Data") &&
          field("resources.type")?.equals?.includes("AWS::S3::Object") &&
          !field("readOnly") &&
          (!field("resources.ARN") || (field("resources.ARN").startsWiths ?? []).some((p: string) => prefix.startsWith(p)))
        );
      });
    return ofType(resources, "aws:cloudtrail/trail:Trail").some(covers)
      ? undefined
      : `no CloudTrail trail with log file validation records S3 data events (reads and writes) for ${prefix}*; add an advanced event selector for AWS::S3::Object on it`;
  },
  azure: (store, resources) => {
    const needed = ["StorageRead", "StorageWrite", "StorageDelete"];
    const setting = ofType(resources, ...AZURE_DIAGNOSTIC_SETTING).find((s) =>
      String(s.props.resourceUri ?? "").toLowerCase().includes(`/storageaccounts/${store.name.toLowerCase()}/blobservices/default`),
    );
    if (!setting) return `no diagnostic setting on ${store.name}/blobServices/default; send ${needed.join(", ")} to the Log Analytics workspace`;
    const logs = (setting.props.logs ?? []) as any[];
    const enabled = (category: string) => logs.some((l) => l.enabled !== false && (l.category === category || ["audit", "allLogs"].includes(l.categoryGroup)));
    const missing = needed.filter((c) => !enabled(c));
    if (missing.length > 0) return `diagnostic setting ${setting.name} does not send ${missing.join(", ")}; enable them`;
    if (!setting.props.workspaceId && !setting.props.storageAccountId) return `diagnostic setting ${setting.name} has no destination; set workspaceId`;
    return undefined;
  },
  // Reads and writes of the archive's objects, and every use of the key that encrypts them.
  gcp: (_store, resources) => {
    const configs = ofType(resources, "gcp:projects/iAMAuditConfig:IAMAuditConfig");
    const gaps = ["storage.googleapis.com", "cloudkms.googleapis.com"].flatMap((service) => {
      const config = configs.find((c) => [service, "allServices"].includes(c.props.service));
      const types = ((config?.props.auditLogConfigs ?? []) as any[]).map((c) => c.logType);
      const missing = ["DATA_READ", "DATA_WRITE"].filter((t) => !types.includes(t));
      return missing.length > 0 ? [`${missing.join(" and ")} for ${service}`] : [];
    });
    return gaps.length > 0 ? `no project audit config logs ${gaps.join(", nor ")}; add a gcp.projects.IAMAuditConfig with them` : undefined;
  },
};

export const archiveAuditLogging = stackRule({
  name: "archive-audit-logging",
  description: "Every archive store has data-access audit logging (every read and write) pointed at it, and every Azure key vault logs AuditEvent",
  controls: SERVES.audit,
  check: (resources, report) => {
    for (const store of archiveStores(resources)) {
      const problem = AUDITED[store.cloud](store, resources);
      if (problem) report(`${store.resource.name}: ${problem}`, store.resource.urn);
    }
    for (const vault of ofType(resources, "azure-native:keyvault:Vault")) {
      const audited = ofType(resources, ...AZURE_DIAGNOSTIC_SETTING).some(
        (s) => String(s.props.resourceUri ?? "").toLowerCase().includes(`/vaults/${String(vault.props.vaultName).toLowerCase()}`) && ((s.props.logs ?? []) as any[]).some((l) => l.enabled !== false && (l.category === "AuditEvent" || l.categoryGroup === "audit")),
      );
      if (!audited) report(`${vault.name}: no diagnostic setting sends the key vault's AuditEvent log; add one`, vault.urn);
    }
  },
});
