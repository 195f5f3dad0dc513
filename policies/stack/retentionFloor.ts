import type { PolicyResource } from "@pulumi/policy";
import { SERVES } from "../controls";
import { stackRule } from "../rule";
import type { Settings } from "../settings";
import { type ArchiveStore, archiveStores, namesAccount, ofType } from "./stores";

/** The ages (days) at which each cloud's lifecycle deletes archive records, with where each is set. */
type Deletions = { where: string; days: number }[];

const DELETIONS: Record<ArchiveStore["cloud"], (store: ArchiveStore, resources: readonly PolicyResource[]) => Deletions> = {
  aws: (store, resources) =>
    ofType(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
      .filter((c) => c.props.bucket === store.name)
      .flatMap((c) =>
        ((c.props.rules ?? []) as any[])
          .filter((r) => r.status === "Enabled" && r.expiration && (r.expiration.days !== undefined || r.expiration.date !== undefined))
          // A fixed date is treated as "now": it cannot be shown to fall after every record's retention.
          .map((r) => ({ where: `${c.name} rule ${r.id} expiration`, days: r.expiration.days ?? 0 })),
      ),
  azure: (store, resources) =>
    ofType(resources, "azure-native:storage:ManagementPolicy")
      .filter((p) => namesAccount(p.props.accountName, store.name))
      .flatMap((p) =>
        ((p.props.policy?.rules ?? []) as any[])
          .filter((r) => r.enabled !== false)
          .flatMap((r) => {
            const actions = r.definition?.actions ?? {};
            return [
              ["baseBlob", actions.baseBlob?.delete],
              ["version", actions.version?.delete],
              ["snapshot", actions.snapshot?.delete],
            ]
              .filter(([, action]) => action)
              .map(([part, action]: any[]) => ({
                where: `${p.name} rule ${r.name} ${part}.delete`,
                days: action.daysAfterModificationGreaterThan ?? action.daysAfterCreationGreaterThan ?? action.daysAfterLastAccessTimeGreaterThan ?? 0,
              }));
          }),
      ),
  gcp: (store) =>
    ((store.resource.props.lifecycleRules ?? []) as any[])
      .filter((r) => r.action?.type === "Delete")
      .map((r, i) => ({ where: `lifecycleRules[${i}] Delete`, days: r.condition?.age ?? 0 })),
};

function check(store: ArchiveStore, deletions: Deletions, settings: Settings): string[] {
  const problems = deletions
    .filter((d) => d.days < settings.minimumRetentionDays)
    .map((d) => `${d.where} deletes after ${d.days} days, before the minimum retention; set at least ${settings.minimumRetentionDays}`);
  if (settings.requiresDeletion && deletions.length === 0)
    problems.push(`no lifecycle rule deletes records at the end of retention (GDPR Art. 5(1)(e)); set retention.maximumDays so the program adds one`);
  return problems;
}

export const retentionFloor = stackRule({
  name: "archive-lifecycle-respects-retention",
  description: "No lifecycle rule deletes archive records before the minimum retention, and one deletes them at the end of retention where a framework (GDPR) limits storage",
  controls: [...SERVES.worm, ...SERVES.endOfRetention],
  causes: [
    // The program deletes records after retention.maximumDays, and only when it is set.
    { names: "before the minimum retention", stackKey: "email-journal:retention.maximumDays", thresholds: ["frameworks", "minimumRetentionDays"] },
    { names: "no lifecycle rule deletes records", stackKey: "email-journal:retention.maximumDays", thresholds: ["frameworks"] },
  ],
  check: (resources, report, settings) => {
    // A sandbox keeps test objects a few days and is destroyed whole: sandbox-not-for-records says so instead.
    for (const store of archiveStores(resources).filter((s) => !s.sandbox)) {
      for (const found of check(store, DELETIONS[store.cloud](store, resources), settings)) report(`${store.resource.name}: ${found}`, store.resource.urn);
    }
  },
});
