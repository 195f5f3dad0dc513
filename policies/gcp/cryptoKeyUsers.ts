import { SERVES } from "../controls";
import { problem, read, resourceRule, UNKNOWN_AT_PREVIEW } from "../rule";

/** The Cloud Storage and Pub/Sub service agents, and BigQuery's encryption account (CMEK on the search dataset), by the email formats Google gives them. */
const SERVICE_AGENT = /^serviceAccount:(service-\d+@(gs-project-accounts|gcp-sa-pubsub)|bq-\d+@bigquery-encryption)\.iam\.gserviceaccount\.com$/;
const USE_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter";

// Nobody reads the archive's bytes with the key directly: only the services that encrypt for the
// stack (Cloud Storage for buckets, Pub/Sub for topics, BigQuery for the search dataset) may use it, and only to encrypt and decrypt.
export const cryptoKeyUsers = resourceRule({
  name: "gcp-kms-key-service-agents-only",
  description: "Only the Cloud Storage, Pub/Sub and BigQuery service agents are granted a Cloud KMS key, and only to encrypt and decrypt",
  controls: SERVES.confidentiality,
  types: ["gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding"],
  check: (props, report) => {
    const members = read(() => ([] as unknown[]).concat(props.member ?? [], props.members ?? []));
    // The agents' emails come from Google's lookups, known at preview; anything still unknown is computed by the stack.
    if (members !== UNKNOWN_AT_PREVIEW) {
      const others = members.filter((m) => typeof m === "string" && !SERVICE_AGENT.test(m));
      if (others.length > 0) report(problem("member", others, "grant the key only to the Cloud Storage, Pub/Sub and BigQuery service agents"));
    }
    if (props.role !== USE_ROLE) report(problem("role", props.role, `grant "${USE_ROLE}" only`));
  },
});
