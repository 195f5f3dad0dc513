import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

export const storageAccountHardened = resourceRule({
  name: "azure-storage-account-hardened",
  description: "Every storage account is HTTPS-only with TLS 1.2 or later, allows no public blobs and no shared keys (Entra ID only), and double-encrypts (infrastructure encryption)",
  controls: [...SERVES.confidentiality, ...SERVES.transport],
  types: ["azure-native:storage:StorageAccount"],
  check: (props, report) => {
    if (props.enableHttpsTrafficOnly !== true) report(problem("enableHttpsTrafficOnly", props.enableHttpsTrafficOnly, "set true"));
    if (!["TLS1_2", "TLS1_3"].includes(props.minimumTlsVersion)) report(problem("minimumTlsVersion", props.minimumTlsVersion, 'set "TLS1_2"'));
    if (props.allowBlobPublicAccess !== false) report(problem("allowBlobPublicAccess", props.allowBlobPublicAccess, "set false"));
    if (props.allowSharedKeyAccess !== false) report(problem("allowSharedKeyAccess", props.allowSharedKeyAccess, "set false: only Entra ID identities, whose access is audited and revocable"));
    if (props.encryption?.requireInfrastructureEncryption !== true)
      report(problem("encryption.requireInfrastructureEncryption", props.encryption?.requireInfrastructureEncryption, "set true (only possible when the account is created)"));
  },
});
