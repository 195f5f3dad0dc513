import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const HSM_TYPES = ["RSA-HSM", "EC-HSM"];
const MIN_RSA_BITS = 3072;

export const keyHsmStrength = resourceRule({
  name: "azure-key-hsm",
  description: `Every Key Vault key is HSM-protected (RSA-HSM or EC-HSM), RSA keys of at least ${MIN_RSA_BITS} bits`,
  controls: SERVES.confidentiality,
  types: ["azure-native:keyvault:Key"],
  check: (props, report) => {
    const p = props.properties ?? {};
    if (!HSM_TYPES.includes(p.kty)) report(problem("properties.kty", p.kty, `set "RSA-HSM" (a premium vault keeps it in an HSM)`));
    if (String(p.kty).startsWith("RSA") && !(Number(p.keySize) >= MIN_RSA_BITS)) report(problem("properties.keySize", p.keySize, `set at least ${MIN_RSA_BITS}`));
  },
});
