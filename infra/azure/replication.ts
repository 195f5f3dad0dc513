// The DR copy: object replication from the primary's archive container to the standby's.
//
// Why object replication, not geo-redundant storage: GZRS copies to the paired region Microsoft
// chooses, under the same account and key, and the copy is readable only after a Microsoft- or
// customer-initiated failover of that account. The standby instead has its own account, key,
// roles and logs in the region the operator chose, and can be promoted on its own. What the choice
// costs (Azure docs, "Object replication for block blobs"): replication is asynchronous with no
// SLA; versioning is required on both accounts and the change feed on the source (both are on);
// a blob moved to the archive tier on either side stops replicating, which the lifecycle does only
// after tiers.archiveAfterDays, long after replication; and version-level WORM on the destination
// makes replicated deletes or overwrites fail there, which is what an archive wants.
//
// The policy is created on the destination first (Azure assigns its id), then on the source with
// that id and rule. Both are made by the primary stack: the peer's account is named by its outputs.
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { storageAccountId } from "./naming";
import { CONTAINERS } from "./storage";

export interface PeerArchive {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly accountName: string;
}

/** The peer's archive account, from its stack's outputs (infra/peer.ts). */
export function peerArchive(outputs: Readonly<Record<string, string>>): PeerArchive {
  return { subscriptionId: outputs.subscriptionId, resourceGroupName: outputs.resourceGroupName, accountName: outputs.archiveAccountName };
}

export interface ReplicationArgs {
  readonly subscriptionId: pulumi.Input<string>;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly accountName: pulumi.Input<string>;
  readonly peer: PeerArchive;
  readonly dependsOn: pulumi.Resource[];
}

export function replicateToPeer(name: string, args: ReplicationArgs, opts: pulumi.CustomResourceOptions) {
  const sourceAccount = storageAccountId(args.subscriptionId, args.resourceGroupName, args.accountName);
  const destinationAccount = storageAccountId(args.peer.subscriptionId, args.peer.resourceGroupName, args.peer.accountName);
  const rule = { sourceContainer: CONTAINERS.archive, destinationContainer: CONTAINERS.archive, filters: { prefixMatch: [] } };
  const destination = new azure.storage.ObjectReplicationPolicy(
    `${name}-replication-destination`,
    { accountName: args.peer.accountName, resourceGroupName: args.peer.resourceGroupName, objectReplicationPolicyId: "default", sourceAccount, destinationAccount, rules: [rule] },
    { ...opts, dependsOn: args.dependsOn },
  );
  const source = new azure.storage.ObjectReplicationPolicy(
    `${name}-replication`,
    {
      accountName: args.accountName,
      resourceGroupName: args.resourceGroupName,
      objectReplicationPolicyId: destination.policyId,
      sourceAccount,
      destinationAccount,
      rules: destination.rules.apply((rules) => (rules ?? []).map((r) => ({ ...rule, ruleId: r.ruleId }))),
      metrics: { enabled: true },
    },
    opts,
  );
  return { destination, source };
}
