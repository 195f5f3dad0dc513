import { SERVES } from "../controls";
import { isoDurationDays } from "../duration";
import { stackRule } from "../rule";
import { archiveStores, namesAccount, ofType } from "../stack/stores";
import { isSandbox } from "./sandbox";

/** The shortest time a backup policy keeps its recovery points, in days (its retention rules' delete-after durations). */
function keptDays(policy: { props: Record<string, any> }): number {
  const durations = ((policy.props.properties?.policyRules ?? []) as any[])
    .filter((r) => r.objectType === "AzureRetentionRule")
    .flatMap((r) => ((r.lifecycles ?? []) as any[]).map((l) => isoDurationDays(l.deleteAfter?.duration)));
  return durations.length === 0 ? 0 : Math.min(...durations.map((d) => (Number.isNaN(d) ? 0 : d)));
}

export const backupCoversArchive = stackRule({
  name: "azure-backup-covers-archive",
  description: "Every Azure archive store has a vaulted backup instance, and the stack's backup policies keep recovery points for at least the minimum retention",
  controls: [...SERVES.worm, ...SERVES.availability],
  causes: [
    { names: "keeps recovery points", stackKey: "email-journal:retention.minimumDays", thresholds: ["frameworks", "minimumRetentionDays"] },
  ],
  check: (resources, report, settings) => {
    const instances = ofType(resources, "azure-native:dataprotection:BackupInstance");
    const policies = ofType(resources, "azure-native:dataprotection:BackupPolicy");
    for (const store of archiveStores(resources).filter((s) => s.cloud === "azure")) {
      if (!instances.some((i) => namesAccount(i.props.properties?.dataSourceInfo?.resourceID, store.name)))
        report(`${store.resource.name}: no backup instance names it; add one in the stack's backup vault with a daily policy`, store.resource.urn);
      if (isSandbox(store.resource.props)) continue;
      for (const policy of policies.filter((p) => keptDays(p) < settings.minimumRetentionDays))
        report(`${policy.name}: its retention keeps recovery points ${keptDays(policy)} days; set at least P${settings.minimumRetentionDays}D`, policy.urn);
    }
  },
});
