// The customer key: a Cloud KMS key ring and HSM key in the stack's own region (CMEK requires the
// key in the bucket's location; the standby has its own), rotating on the configured period,
// usable by the Cloud Storage and Pub/Sub service agents only.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface ArchiveKeyArgs {
  readonly project: string;
  /** The key's location: the bucket's region, or the multi-region of a dual-region bucket. */
  readonly location: string;
  readonly keyRingName: string;
  readonly rotationDays: number;
  /** Service agents that encrypt and decrypt with the key on the stack's behalf. */
  readonly serviceAgents: Readonly<Record<string, pulumi.Input<string>>>;
  readonly labels: Record<string, string>;
  /** Protected and retained on delete (every stack but a sandbox). */
  readonly kept: boolean;
}

const DAY_SECONDS = 86_400;

export function archiveKey(name: string, args: ArchiveKeyArgs, opts: pulumi.CustomResourceOptions) {
  // Key rings and keys cannot be deleted in Cloud KMS; protect says so to Pulumi too. A sandbox's
  // `pulumi destroy` drops them from the stack and destroys the key's versions; ring and key remain.
  const kept = args.kept ? { ...opts, protect: true, retainOnDelete: true } : opts;
  const ring = new gcp.kms.KeyRing(`${name}-key-ring`, { name: args.keyRingName, location: args.location, project: args.project }, kept);
  const key = new gcp.kms.CryptoKey(
    `${name}-key`,
    {
      name: "archive",
      keyRing: ring.id,
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: `${args.rotationDays * DAY_SECONDS}s`,
      versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: "HSM" },
      // A destroyed key version makes every object under it unreadable: the longest wait KMS allows.
      destroyScheduledDuration: `${120 * DAY_SECONDS}s`,
      labels: args.labels,
    },
    kept,
  );
  const grants = Object.entries(args.serviceAgents).map(
    ([agent, email]) =>
      new gcp.kms.CryptoKeyIAMMember(`${name}-key-${agent}`, { cryptoKeyId: key.id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: pulumi.interpolate`serviceAccount:${email}` }, opts),
  );
  return { ring, key, grants };
}
