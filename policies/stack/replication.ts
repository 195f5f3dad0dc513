import type { PolicyResource } from "@pulumi/policy";
import { SERVES } from "../controls";
import { read, stackRule, UNKNOWN_AT_PREVIEW } from "../rule";
import { type ArchiveStore, archiveStores, arnRegion, namesAccount, ofType } from "./stores";

const GEO_REDUNDANT_SKUS = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"];
// GCS multi-regions and predefined dual-regions keep copies in two regions by themselves.
const GCS_MULTI_OR_DUAL_REGIONS = ["US", "EU", "ASIA", "NAM4", "EUR4", "EUR5", "EUR7", "EUR8", "ASIA1"];

// Where a primary's copy in another region comes from, on each cloud.
const REPLICATED: Record<ArchiveStore["cloud"], (store: ArchiveStore, resources: readonly PolicyResource[]) => string | undefined> = {
  aws: (store, resources) => {
    const config = ofType(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").find((c) => c.props.bucket === store.name);
    if (!config) return "no S3 replication configuration; replicate to the peer stack's archive bucket";
    // The archive's own key ARN says its region. At preview, before that key exists, a replica
    // key in a named region passes; `pulumi up` checks again with the key known.
    const sourceKey = read(
      () =>
        ofType(resources, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((e) => e.props.bucket === store.name)?.props.rules?.[0]
          ?.applyServerSideEncryptionByDefault?.kmsMasterKeyId,
    );
    const sourceRegion = sourceKey === UNKNOWN_AT_PREVIEW ? undefined : arnRegion(sourceKey);
    const rules = ((config.props.rules ?? []) as any[]).filter((r) => r.status === "Enabled");
    const toAnotherRegion = rules.some((r) => {
      const replicaKey = r.destination?.encryptionConfiguration?.replicaKmsKeyId;
      return r.destination?.bucket !== `arn:aws:s3:::${store.name}` && replicaKey && arnRegion(replicaKey) !== (sourceRegion ?? "");
    });
    if (!toAnotherRegion) return `replication ${config.name} has no enabled rule to a bucket in another region under a replica key there; point it at the peer's archive and key`;
    if (rules.some((r) => r.deleteMarkerReplication?.status === "Enabled")) return `replication ${config.name} replicates delete markers; set deleteMarkerReplication.status "Disabled"`;
    return undefined;
  },
  azure: (store, resources) => {
    if (GEO_REDUNDANT_SKUS.includes(store.resource.props.sku?.name)) return undefined;
    const policy = ofType(resources, "azure-native:storage:ObjectReplicationPolicy").find(
      (p) => namesAccount(p.props.sourceAccount, store.name) && !namesAccount(p.props.destinationAccount, store.name) && ((p.props.rules ?? []) as any[]).length > 0,
    );
    return policy ? undefined : `sku ${JSON.stringify(store.resource.props.sku?.name)} keeps no copy in another region and no object replication policy copies it; replicate to the peer stack's account`;
  },
  gcp: (store, resources) => {
    const location = String(store.resource.props.location ?? "").toUpperCase();
    if (GCS_MULTI_OR_DUAL_REGIONS.includes(location) || ((store.resource.props.customPlacementConfig?.dataLocations ?? []) as string[]).length >= 2) return undefined;
    const job = ofType(resources, "gcp:storage/transferJob:TransferJob").find(
      (j) => j.props.transferSpec?.gcsDataSource?.bucketName === store.name && j.props.transferSpec?.gcsDataSink?.bucketName && j.props.transferSpec.gcsDataSink.bucketName !== store.name && j.props.status !== "DISABLED",
    );
    return job ? undefined : `location ${JSON.stringify(location)} is a single region and no transfer job copies it; replicate to the peer stack's bucket`;
  },
};

export const primaryArchiveReplicated = stackRule({
  name: "archive-replicated-to-another-region",
  description: "Every primary archive store keeps a copy in another region (its standby's), without replicating deletions",
  controls: SERVES.availability,
  check: (resources, report) => {
    for (const store of archiveStores(resources)) {
      // A store without a role tag is held to the primary's duty: fail closed.
      if (store.role === "standby") continue;
      // A primary whose peer's region is lost cannot replicate into it; replication-suspended says so on every run.
      if (store.replicationSuspended) continue;
      const problem = REPLICATED[store.cloud](store, resources);
      if (problem) report(`${store.resource.name}: ${problem}`, store.resource.urn);
    }
  },
});
