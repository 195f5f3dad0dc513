import { SERVES } from "../controls";
import { stackRule } from "../rule";
import { namesAccount, ofType } from "../stack/stores";

/**
 * Redundancies whose accounts may hold archive-tier blobs: "LRS, GRS, and RA-GRS only" (Azure Blob
 * Storage docs, "Access tiers for blob data"); the archive tier "is not supported for ZRS, GZRS, or
 * RA-GZRS accounts".
 */
const ARCHIVE_TIER_SKUS = ["Standard_LRS", "Standard_GRS", "Standard_RAGRS"];
const PARTS = ["baseBlob", "version", "snapshot"];

export const lifecycleArchiveTierRedundancy = stackRule({
  name: "azure-lifecycle-archive-tier-redundancy",
  description: "No lifecycle rule moves blobs to the archive tier on an account whose redundancy does not support it (only LRS, GRS and RA-GRS do)",
  controls: SERVES.availability,
  check: (resources, report) => {
    const accounts = ofType(resources, "azure-native:storage:StorageAccount");
    for (const policy of ofType(resources, "azure-native:storage:ManagementPolicy")) {
      const account = accounts.find((a) => namesAccount(policy.props.accountName, String(a.props.accountName)));
      const sku = account?.props.sku?.name;
      if (!account || ARCHIVE_TIER_SKUS.includes(sku)) continue;
      for (const rule of (policy.props.policy?.rules ?? []) as any[]) {
        if (rule.enabled === false) continue;
        for (const part of PARTS.filter((p) => rule.definition?.actions?.[p]?.tierToArchive)) {
          report(`${policy.name}: rule ${rule.name} moves ${part} to the archive tier on ${account.props.accountName}, which is ${sku}; stop at cold, or use LRS/GRS/RA-GRS where that is compliant`, policy.urn);
        }
      }
    }
  },
});
