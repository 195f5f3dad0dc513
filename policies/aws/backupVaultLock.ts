import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const backupVaultLocked = resourceRule({
  name: "aws-backup-vault-lock",
  description: "The backup vault lock is in compliance mode (changeableForDays set) and keeps recovery points at least the minimum retention",
  controls: SERVES.worm,
  types: ["aws:backup/vaultLockConfiguration:VaultLockConfiguration"],
  check: (props, report, settings) => {
    if (props.changeableForDays === undefined) report(problem("changeableForDays", props.changeableForDays, "set it (3 or more): without it the lock stays in governance mode and can be removed"));
    if ((props.minRetentionDays ?? 0) < settings.minimumRetentionDays) report(problem("minRetentionDays", props.minRetentionDays, `set at least ${settings.minimumRetentionDays}`));
  },
});
