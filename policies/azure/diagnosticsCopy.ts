import type { PolicyResource } from "@pulumi/policy";
import { SERVES } from "../controls";
import { read, stackRule, UNKNOWN_AT_PREVIEW } from "../rule";
import { AZURE_DIAGNOSTIC_SETTING, lockPending, namesAccount, ofType } from "../stack/stores";
import { isSandbox } from "./sandbox";

/** Why a diagnostic setting's storage destination would not keep the logs unaltered, or undefined. */
function destinationProblem(setting: PolicyResource, accounts: readonly PolicyResource[]): string | undefined {
  const id = read(() => setting.props.storageAccountId);
  if (id === UNKNOWN_AT_PREVIEW) return undefined;
  const account = accounts.find((a) => namesAccount(id, String(a.props.accountName)));
  if (!account) return `storageAccountId is ${JSON.stringify(id ?? null)}; send a copy to the stack's audit-log account, whose WORM keeps it unaltered`;
  const worm = account.props.immutableStorageWithVersioning;
  const policy = worm?.immutabilityPolicy;
  // "To prevent modification of the data, send it to immutable storage ... including enabling
  // protected append blobs writes" (Azure Monitor docs, "Diagnostic settings in Azure Monitor", Destinations).
  if (worm?.enabled !== true || policy?.allowProtectedAppendWrites !== true)
    return `its storage account ${account.props.accountName} is not version-level WORM with protected append writes; enable both when the account is created`;
  if (policy.state !== "Locked" && !(policy.state === "Unlocked" && (lockPending(account.props) || isSandbox(account.props))))
    return `its storage account ${account.props.accountName} has immutability ${JSON.stringify(policy.state)}; set "Locked"`;
  return undefined;
}

export const diagnosticsImmutableCopy = stackRule({
  name: "azure-diagnostics-immutable-copy",
  description: "Every Azure diagnostic setting sends to a Log Analytics workspace and to a storage account with locked version-level WORM and protected append writes",
  controls: SERVES.audit,
  causes: [
    // The audit-log account locks its immutability only in compliance mode (infra/azure/index.ts).
    { names: "has immutability", stackKey: "email-journal:retention.mode" },
  ],
  check: (resources, report) => {
    const accounts = ofType(resources, "azure-native:storage:StorageAccount");
    for (const setting of ofType(resources, ...AZURE_DIAGNOSTIC_SETTING)) {
      const workspace = read(() => setting.props.workspaceId);
      if (workspace !== UNKNOWN_AT_PREVIEW && !workspace) report(`${setting.name}: workspaceId is not set; send the logs to the stack's Log Analytics workspace for queries and alerts`, setting.urn);
      const problem = destinationProblem(setting, accounts);
      if (problem) report(`${setting.name}: ${problem}`, setting.urn);
    }
  },
});
