// The buckets: the WORM archive, the inbox relays drop mail into, and the function source.
// All three: uniform bucket-level access, public access prevention enforced, the stack's CMEK key.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcsMultiRegionOf, type StackConfig } from "../config";

const DAY_SECONDS = 86_400;
/** The longest soft delete Cloud Storage keeps (90 days): deleted objects of any bucket stay recoverable that long. */
const SOFT_DELETE_SECONDS = 90 * DAY_SECONDS;

export interface Placement {
  /** The bucket's location: the region, or a multi-region for a dual-region. */
  readonly location: string;
  readonly dataLocations?: readonly string[];
  /** Where the CMEK key must live to encrypt this bucket. */
  readonly keyLocation: string;
}

/** Where the archive lives: its region, or a configurable dual-region over region and peerRegion with turbo replication. */
export function archivePlacement(config: StackConfig): Placement {
  if (config.gcp?.replication === "dual-region" && config.role === "primary") {
    const multi = gcsMultiRegionOf(config.region)!;
    return { location: multi, dataLocations: [config.region.toUpperCase(), config.peerRegion.toUpperCase()], keyLocation: multi.toLowerCase() };
  }
  return { location: config.region.toUpperCase(), keyLocation: config.region };
}

export interface BucketArgs {
  readonly project: string;
  readonly name: string;
  readonly placement: Placement;
  readonly kmsKeyName: pulumi.Input<string>;
  readonly labels: Record<string, string>;
  readonly lifecycleRules?: gcp.types.input.storage.BucketLifecycleRule[];
  /** Locked retention (WORM) in days, if any. */
  readonly retention?: { readonly days: number; readonly locked: boolean };
  /** A sandbox's buckets only: `pulumi destroy` deletes their objects first (those past any retention). */
  readonly forceDestroy?: boolean;
}

export function privateBucket(name: string, args: BucketArgs, opts: pulumi.CustomResourceOptions) {
  const dual = args.placement.dataLocations !== undefined;
  return new gcp.storage.Bucket(
    name,
    {
      name: args.name,
      project: args.project,
      location: args.placement.location,
      ...(dual ? { customPlacementConfig: { dataLocations: [...args.placement.dataLocations!] }, rpo: "ASYNC_TURBO" } : {}),
      storageClass: "STANDARD",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      encryption: { defaultKmsKeyName: args.kmsKeyName },
      softDeletePolicy: { retentionDurationSeconds: SOFT_DELETE_SECONDS },
      // A retention policy and Object Versioning cannot both be on a bucket (Cloud Storage, "Bucket Lock",
      // retention policy considerations); retention is what protects records.
      versioning: { enabled: false },
      ...(args.retention ? { retentionPolicy: { retentionPeriod: String(args.retention.days * DAY_SECONDS), isLocked: args.retention.locked } } : {}),
      lifecycleRules: args.lifecycleRules ?? [],
      forceDestroy: args.forceDestroy === true,
      labels: args.labels,
    },
    opts,
  );
}

/** Nearline, Coldline and Archive at the configured ages; deletion at the maximum retention, when one is set. */
export function archiveLifecycleRules(config: StackConfig): gcp.types.input.storage.BucketLifecycleRule[] {
  const { tiers, retention } = config;
  const toClass = (age: number, storageClass: string) => ({ action: { type: "SetStorageClass", storageClass }, condition: { age } });
  return [
    toClass(tiers.coolAfterDays, "NEARLINE"),
    toClass(tiers.coldAfterDays, "COLDLINE"),
    toClass(tiers.archiveAfterDays, "ARCHIVE"),
    ...(retention.maximumDays !== undefined ? [{ action: { type: "Delete" }, condition: { age: retention.maximumDays } }] : []),
  ];
}

/** Inbox objects are copies already archived (or quarantined) by the ingestor: kept 30 days for investigation. */
export const INBOX_LIFECYCLE_RULES = [{ action: { type: "Delete" }, condition: { age: 30 } }];
