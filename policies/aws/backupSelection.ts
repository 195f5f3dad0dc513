import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { archiveStores, ofType } from "../stack/stores";

// The matrix's AWS backup: a second, independently locked copy, made on a schedule.
export const backupCoversArchive = stackRule({
  name: "aws-backup-covers-archive",
  description: "Every AWS archive bucket is selected for AWS Backup, by a plan whose scheduled rules all target a vault with a Vault Lock",
  controls: SERVES.availability,
  check: (resources, report) => {
    const locked = new Set(ofType(resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").map((l) => l.props.backupVaultName));
    const plans = ofType(resources, "aws:backup/plan:Plan");
    for (const store of archiveStores(resources).filter((s) => s.cloud === "aws")) {
      const selected = ofType(resources, "aws:backup/selection:Selection").some((s) => ((s.props.resources ?? []) as string[]).includes(`arn:aws:s3:::${store.name}`));
      if (!selected) report(`${store.resource.name}: no backup selection includes arn:aws:s3:::${store.name}; select it in the archive's backup plan`, store.resource.urn);
    }
    for (const plan of plans) {
      for (const rule of (plan.props.rules ?? []) as any[]) {
        if (!rule.schedule) report(`${plan.name}: rule ${rule.ruleName} has no schedule; back up daily`, plan.urn);
        if (!locked.has(rule.targetVaultName)) report(`${plan.name}: rule ${rule.ruleName} targets vault ${JSON.stringify(rule.targetVaultName)}, which has no Vault Lock; add an aws.backup.VaultLockConfiguration`, plan.urn);
      }
    }
  },
});
