import { SERVES } from "../controls";
import { problem, stackRule } from "../rule";
import { ofType, sandboxed } from "../stack/stores";

// A stack rule only to read the vault's tags: a sandbox's vault (SANDBOX_TAG) is locked in
// governance mode for its short retention, so that it can be destroyed.
export const backupVaultLocked = stackRule({
  name: "aws-backup-vault-lock",
  description: "The backup vault lock is in compliance mode (changeableForDays set) and keeps recovery points at least the minimum retention (a sandbox's vault excepted)",
  controls: SERVES.worm,
  causes: [
    { names: "minRetentionDays", stackKey: "email-journal:retention.minimumDays", thresholds: ["frameworks", "minimumRetentionDays"] },
  ],
  check: (resources, report, settings) => {
    const vaults = ofType(resources, "aws:backup/vault:Vault");
    for (const lock of ofType(resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration")) {
      const vault = vaults.find((v) => v.props.name === lock.props.backupVaultName);
      if (vault && sandboxed(vault.props)) continue;
      const props = lock.props;
      if (props.changeableForDays === undefined) report(`${lock.name}: ${problem("changeableForDays", props.changeableForDays, "set it (3 or more): without it the lock stays in governance mode and can be removed")}`, lock.urn);
      if ((props.minRetentionDays ?? 0) < settings.minimumRetentionDays) report(`${lock.name}: ${problem("minRetentionDays", props.minRetentionDays, `set at least ${settings.minimumRetentionDays}`)}`, lock.urn);
    }
  },
});
