// The archive stores of a stack, on any cloud, found by the tag (label on GCP) the program
// puts on them, and small lookups the stack rules share.
import type { PolicyResource } from "@pulumi/policy";
import { ARCHIVE_STORE, LOCK_PENDING_TAG, REPLICATION_TAG, ROLE_TAG, SANDBOX_TAG, STORE_TAG } from "../shared/conventions";

export type Cloud = "aws" | "azure" | "gcp";

export interface ArchiveStore {
  readonly cloud: Cloud;
  readonly resource: PolicyResource;
  /** The bucket or storage account name other resources refer to it by. */
  readonly name: string;
  readonly role: string | undefined;
  /** The primary's peer region is lost: its replication is suspended until the peer is back. */
  readonly replicationSuspended: boolean;
  /** A sandbox's store (SANDBOX_TAG): for trying the platform, never for records. */
  readonly sandbox: boolean;
}

const STORE_TYPES: Readonly<Record<string, { cloud: Cloud; nameProperty: string; tagsProperty: string }>> = {
  "aws:s3/bucket:Bucket": { cloud: "aws", nameProperty: "bucket", tagsProperty: "tags" },
  "azure-native:storage:StorageAccount": { cloud: "azure", nameProperty: "accountName", tagsProperty: "tags" },
  "gcp:storage/bucket:Bucket": { cloud: "gcp", nameProperty: "name", tagsProperty: "labels" },
};

export function archiveStores(resources: readonly PolicyResource[]): ArchiveStore[] {
  return resources.flatMap((resource) => {
    const kind = STORE_TYPES[resource.type];
    const tags = kind ? resource.props[kind.tagsProperty] : undefined;
    if (!kind || tags?.[STORE_TAG] !== ARCHIVE_STORE) return [];
    return [{ cloud: kind.cloud, resource, name: String(resource.props[kind.nameProperty]), role: tags[ROLE_TAG], replicationSuspended: tags[REPLICATION_TAG] === "suspended", sandbox: sandboxed(resource.props) }];
  });
}

/**
 * Whether the program marked a resource as a sandbox's (SANDBOX_TAG, a tag or a GCP label). The
 * rules a sandbox legitimately fails (protection, locked retention, compliance mode, retention
 * floor) skip such resources; every other rule still applies to them.
 */
export const sandboxed = (props: Record<string, any>) => (props.tags ?? props.labels)?.[SANDBOX_TAG] === "true";

export const ofType = (resources: readonly PolicyResource[], ...types: string[]) => resources.filter((r) => types.includes(r.type));

/** Whether an Azure resource id (or a bare name) names `accountName`'s storage account. */
export const namesAccount = (idOrName: unknown, accountName: string) => {
  const text = String(idOrName ?? "").toLowerCase();
  const name = accountName.toLowerCase();
  return text === name || text.endsWith(`/storageaccounts/${name}`) || text.includes(`/storageaccounts/${name}/`);
};

/** The region in an ARN (`arn:aws:kms:us-west-2:…`). */
export const arnRegion = (arn: unknown) => String(arn ?? "").split(":")[3] ?? "";

/** Azure diagnostic settings and metric alerts keep their v2 `insights` token as an alias of `monitor`. */
export const AZURE_DIAGNOSTIC_SETTING = ["azure-native:monitor:DiagnosticSetting", "azure-native:insights:DiagnosticSetting"];
export const AZURE_METRIC_ALERT = ["azure-native:monitor:MetricAlert", "azure-native:insights:MetricAlert"];

/** Whether the program marked a resource's retention as created Unlocked, to be locked by the next update (Azure). */
export const lockPending = (props: Record<string, any>) => props.tags?.[LOCK_PENDING_TAG] === "pending";
