import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const DAY_SECONDS = 86_400;
/** The longest Cloud KMS keeps a version scheduled for destruction (Cloud KMS, "Destroy and restore key versions"). */
const LONGEST_DESTRUCTION_DELAY_DAYS = 120;

// A destroyed key version makes every object under it unreadable: the key is an HSM key, and a
// destruction waits as long as Cloud KMS allows, so that a mistake can be undone.
export const cryptoKeyProtection = resourceRule({
  name: "gcp-kms-key-hsm-destruction-delay",
  description: `Every Cloud KMS key is an HSM key, and a version scheduled for destruction waits ${LONGEST_DESTRUCTION_DELAY_DAYS} days`,
  controls: [...SERVES.confidentiality, ...SERVES.availability],
  types: ["gcp:kms/cryptoKey:CryptoKey"],
  check: (props, report) => {
    if (props.versionTemplate?.protectionLevel !== "HSM") report(problem("versionTemplate.protectionLevel", props.versionTemplate?.protectionLevel, 'set "HSM"'));
    const seconds = Number(String(props.destroyScheduledDuration ?? "").replace(/s$/, ""));
    if (!(seconds >= LONGEST_DESTRUCTION_DELAY_DAYS * DAY_SECONDS))
      report(problem("destroyScheduledDuration", props.destroyScheduledDuration, `set "${LONGEST_DESTRUCTION_DELAY_DAYS * DAY_SECONDS}s" (${LONGEST_DESTRUCTION_DELAY_DAYS} days, the longest)`));
  },
});
