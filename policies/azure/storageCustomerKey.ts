import { SERVES } from "../controls";
import { problem, read, resourceRule, UNKNOWN_AT_PREVIEW } from "../rule";

const set = (value: unknown) => value === UNKNOWN_AT_PREVIEW || (typeof value === "string" && value !== "");

// The archive's key is checked with the archive (archive-store-worm-and-key); this holds every other
// account of the stack (inbox, audit logs) to the same customer key, reached as Azure documents it:
// through a user-assigned identity the account carries and names as its encryption identity.
export const storageAccountCustomerKey = resourceRule({
  name: "azure-storage-account-customer-key",
  description: "Every storage account encrypts under a Key Vault key (the customer's) through a user-assigned identity it carries",
  controls: SERVES.confidentiality,
  types: ["azure-native:storage:StorageAccount"],
  check: (props, report) => {
    const encryption = props.encryption ?? {};
    if (encryption.keySource !== "Microsoft.Keyvault") report(problem("encryption.keySource", encryption.keySource, 'set "Microsoft.Keyvault" with the stack\'s Key Vault key'));
    const key = read(() => encryption.keyVaultProperties?.keyName);
    const vault = read(() => encryption.keyVaultProperties?.keyVaultUri);
    if (!set(key) || !set(vault)) report(problem("encryption.keyVaultProperties", { keyName: key === UNKNOWN_AT_PREVIEW ? "(computed)" : key, keyVaultUri: vault === UNKNOWN_AT_PREVIEW ? "(computed)" : vault }, "name the key and its vault"));
    const identity = read(() => encryption.encryptionIdentity?.encryptionUserAssignedIdentity);
    if (!set(identity)) report(problem("encryption.encryptionIdentity.encryptionUserAssignedIdentity", identity, "name the user-assigned identity that holds Key Vault Crypto Service Encryption User on the key"));
    // Either id may be computed at preview; `pulumi up` checks again with both known.
    const attached = read(() => ((props.identity?.userAssignedIdentities ?? []) as unknown[]).map((i) => String(i).toLowerCase()));
    if (identity !== UNKNOWN_AT_PREVIEW && attached !== UNKNOWN_AT_PREVIEW && set(identity) && !attached.includes(String(identity).toLowerCase()))
      report(problem("identity.userAssignedIdentities", attached, "attach the encryption identity to the account"));
  },
});
