import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { lockPending } from "../stack/stores";
import { isSandbox } from "./sandbox";

export const backupVaultImmutable = resourceRule({
  name: "azure-backup-vault-immutable",
  description: "The Data Protection backup vault has locked immutability (Unlocked only while retention-lock-pending reports it, or in a sandbox) and soft delete always on",
  controls: SERVES.worm,
  causes: [
    // The vault locks its immutability only in compliance mode (infra/azure/index.ts).
    { names: "immutabilitySettings.state", stackKey: "email-journal:retention.mode" },
  ],
  types: ["azure-native:dataprotection:BackupVault"],
  check: (props, report) => {
    const security = props.properties?.securitySettings ?? {};
    const pending = security.immutabilitySettings?.state === "Unlocked" && (lockPending(props) || isSandbox(props));
    if (security.immutabilitySettings?.state !== "Locked" && !pending) report(problem("properties.securitySettings.immutabilitySettings.state", security.immutabilitySettings?.state, 'set "Locked"'));
    if (security.softDeleteSettings?.state !== "AlwaysOn") report(problem("properties.securitySettings.softDeleteSettings.state", security.softDeleteSettings?.state, 'set "AlwaysOn"'));
  },
});
