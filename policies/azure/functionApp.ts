import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL|CONNECTION_?STRING|ACCOUNT_?KEY)/i;

export const functionAppHardened = resourceRule({
  name: "azure-function-app-hardened",
  description: "The ingestor's Function App is HTTPS-only with TLS 1.2+, no FTP, a managed identity, and no secrets in its app settings",
  controls: [...SERVES.confidentiality, ...SERVES.transport],
  types: ["azure-native:web:WebApp"],
  check: (props, report) => {
    if (props.httpsOnly !== true) report(problem("httpsOnly", props.httpsOnly, "set true"));
    if (!props.identity?.type || props.identity.type === "None") report(problem("identity.type", props.identity?.type, 'set "UserAssigned" (or "SystemAssigned") and grant it the ingestor role'));
    const site = props.siteConfig ?? {};
    if (!["1.2", "1.3"].includes(site.minTlsVersion)) report(problem("siteConfig.minTlsVersion", site.minTlsVersion, 'set "1.2"'));
    if (site.ftpsState !== "Disabled") report(problem("siteConfig.ftpsState", site.ftpsState, 'set "Disabled"'));
    for (const setting of (site.appSettings ?? []) as { name: string; value?: string }[]) {
      // A Key Vault reference, or an identity-based connection (`<connection>__credential: managedidentity`), holds no secret.
      const noSecret = String(setting.value ?? "").startsWith("@Microsoft.KeyVault(") || setting.value === "managedidentity";
      if (SECRET_NAME.test(setting.name) && !noSecret) report(problem(`siteConfig.appSettings ${setting.name}`, "a plain value", "use a Key Vault reference or the managed identity"));
    }
  },
});
