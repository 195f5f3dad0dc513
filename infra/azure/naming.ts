// Azure names fixed before anything exists, so that policies, the peer stack and the policy pack
// can refer to resources by name at preview. Storage accounts and key vaults share global
// namespaces: a short hash of subscription, region and stack keeps them unique and stable.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

const suffix = (subscriptionId: string, region: string, stack: string) => createHash("sha256").update(`${subscriptionId}/${region}/${stack}`).digest("hex").slice(0, 8);
/** The stack name in a few letters, without the cloud it says again (`azure-eastus2` → `eastus`). */
const compact = (stack: string, max: number) => stack.toLowerCase().replace(/^azure-/, "").replace(/[^a-z0-9]/g, "").slice(0, max);

export interface AzureNames {
  readonly resourceGroup: string;
  /** Storage accounts: 3-24 lower-case letters and digits, globally unique. */
  readonly archiveAccount: pulumi.Output<string>;
  readonly inboxAccount: pulumi.Output<string>;
  readonly logAccount: pulumi.Output<string>;
  /** Key vault: 3-24 letters, digits and dashes, globally unique. */
  readonly vault: pulumi.Output<string>;
  readonly functionApp: pulumi.Output<string>;
  /** The search engine's Synapse workspace (1-50 lower-case letters, digits, hyphens, globally unique) and its storage account. */
  readonly searchWorkspace: pulumi.Output<string>;
  readonly searchAccount: pulumi.Output<string>;
}

/** The stack's resource group: named by the stack alone, so the preflight knows it before anything exists. */
export const resourceGroupName = (stack: string) => `rg-email-journal-${stack}`;

export function azureNames(subscriptionId: pulumi.Output<string>, region: string, stack: string): AzureNames {
  const s = compact(stack, 6);
  const named = (make: (hash: string) => string) => subscriptionId.apply((id) => make(suffix(id, region, stack)));
  return {
    resourceGroup: resourceGroupName(stack),
    archiveAccount: named((h) => `ejarc${s}${h}`),
    inboxAccount: named((h) => `ejinb${s}${h}`),
    logAccount: named((h) => `ejlog${s}${h}`),
    vault: named((h) => `kv-ej-${s}-${h}`),
    functionApp: named((h) => `func-ej-${s}-${h}`),
    searchWorkspace: named((h) => `syn-ej-${s}-${h}`),
    searchAccount: named((h) => `ejsyn${s}${h}`),
  };
}

/** An Azure resource id from its parts: known at preview, unlike a created resource's `id`. */
export const armId = (subscriptionId: pulumi.Input<string>, resourceGroup: pulumi.Input<string>, type: string, name: pulumi.Input<string>) =>
  pulumi.interpolate`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;

export const storageAccountId = (subscriptionId: pulumi.Input<string>, resourceGroup: pulumi.Input<string>, account: pulumi.Input<string>) =>
  armId(subscriptionId, resourceGroup, "Microsoft.Storage/storageAccounts", account);
