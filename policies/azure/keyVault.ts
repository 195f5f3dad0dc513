import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const keyVaultProtected = resourceRule({
  name: "azure-key-vault-protected",
  description: "Every key vault authorises by Azure RBAC and has soft delete (90 days) and purge protection, so no key can be destroyed early",
  controls: SERVES.confidentiality,
  types: ["azure-native:keyvault:Vault"],
  check: (props, report) => {
    const p = props.properties ?? {};
    if (p.enableRbacAuthorization !== true) report(problem("properties.enableRbacAuthorization", p.enableRbacAuthorization, "set true; access policies cannot be scoped or audited like role assignments"));
    if (p.enablePurgeProtection !== true) report(problem("properties.enablePurgeProtection", p.enablePurgeProtection, "set true"));
    if (p.enableSoftDelete === false) report(problem("properties.enableSoftDelete", p.enableSoftDelete, "remove it or set true"));
    if ((p.softDeleteRetentionInDays ?? 90) < 90) report(problem("properties.softDeleteRetentionInDays", p.softDeleteRetentionInDays, "set 90"));
  },
});
