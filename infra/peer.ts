// The other half of the DR pair, as a primary needs it: the standby is deployed first, and the
// primary replicates into the archive the standby's outputs name. A primary whose peer has not
// been deployed stops here, before it creates anything, rather than build half a pair.
import * as pulumi from "@pulumi/pulumi";
import type { Cloud, StackConfig } from "./config";

/** The outputs a primary reads from its peer, per cloud. */
export const PEER_OUTPUTS = {
  aws: ["archiveBucketArn", "archiveKmsKeyArn"],
  azure: ["subscriptionId", "resourceGroupName", "archiveAccountName"],
  gcp: ["archiveBucket"],
} as const satisfies Record<Cloud, readonly string[]>;

export type PeerOutputs = Readonly<Record<string, string>>;

/** The command that deploys the peer, for the error that says it must be deployed first. */
const deployPeerCommand = (config: StackConfig) => `pulumi up --stack ${config.peerStack.split("/").pop()}`;

/** A primary's peer outputs, read once; undefined for a standby, or a primary whose peer is lost. */
export async function deployedPeer(config: StackConfig): Promise<PeerOutputs | undefined> {
  // A standby replicates nothing; a primary whose peer's region is lost replicates nothing for now.
  if (config.role !== "primary" || config.peerLost) return undefined;
  const keys: readonly string[] = PEER_OUTPUTS[config.cloud];
  const notReady = (why: string) =>
    new Error(
      `email-journal:peerStack = "${config.peerStack}": ${why}. A primary replicates into its standby, so the standby is deployed first: ` +
        `run \`${deployPeerCommand(config)}\`, then this stack again. Nothing was created.`,
    );
  let values: unknown[];
  try {
    const peer = new pulumi.StackReference("journal-peer", { name: config.peerStack });
    values = await Promise.all(keys.map((key) => peer.getOutputValue(key)));
  } catch (err) {
    throw notReady(`that stack cannot be read (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`);
  }
  const missing = keys.filter((_, i) => typeof values[i] !== "string" || values[i] === "");
  if (missing.length > 0) throw notReady(`that stack has no ${missing.join(", ")} output${missing.length > 1 ? "s" : ""} yet`);
  return Object.fromEntries(keys.map((key, i) => [key, values[i] as string]));
}
