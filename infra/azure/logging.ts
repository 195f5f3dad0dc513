// Audit logging: every read, write and delete on the archive and inbox blobs, every Key Vault
// operation, and the ingestor's own audit lines (FunctionAppLogs) go to a Log Analytics workspace
// for queries and alerts, and to the log account, whose version-level WORM keeps them unaltered
// for the whole retention (the workspace keeps two years).
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import { armId } from "./naming";

export const WORKSPACE_RETENTION_DAYS = 730;
export const BLOB_AUDIT_CATEGORIES = ["StorageRead", "StorageWrite", "StorageDelete"];

export interface LoggingArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly stack: string;
  readonly logAccountId: pulumi.Input<string>;
  readonly blobServices: { readonly name: string; readonly accountId: pulumi.Input<string> }[];
  readonly vaultId: pulumi.Input<string>;
  readonly functionAppId: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  readonly tags: Record<string, string>;
}

export function auditLogging(name: string, args: LoggingArgs, opts: pulumi.CustomResourceOptions) {
  const workspaceName = `law-email-journal-${args.stack}`;
  const workspace = new azure.operationalinsights.Workspace(
    `${name}-logs`,
    { workspaceName, resourceGroupName: args.resourceGroupName, location: args.location, sku: { name: "PerGB2018" }, retentionInDays: WORKSPACE_RETENTION_DAYS, tags: args.tags },
    opts,
  );
  // The workspace by its id built from names (known at preview); the settings come after it.
  const destinations = { workspaceId: armId(args.subscriptionId, args.resourceGroupName, "Microsoft.OperationalInsights/workspaces", workspaceName), storageAccountId: args.logAccountId };
  const enabled = (categories: string[]) => categories.map((category) => ({ category, enabled: true }));
  const after = { ...opts, dependsOn: [workspace, ...([] as pulumi.Resource[]).concat((opts.dependsOn as pulumi.Resource[]) ?? [])] };
  const settings = args.blobServices.map(
    (service) =>
      new azure.monitor.DiagnosticSetting(
        `${name}-${service.name}-blob-audit`,
        { name: "email-journal-audit", resourceUri: pulumi.interpolate`${service.accountId}/blobServices/default`, logs: enabled(BLOB_AUDIT_CATEGORIES), ...destinations },
        after,
      ),
  );
  const vaultAudit = new azure.monitor.DiagnosticSetting(`${name}-vault-audit`, { name: "email-journal-audit", resourceUri: args.vaultId, logs: enabled(["AuditEvent"]), ...destinations }, after);
  const functionLogs = new azure.monitor.DiagnosticSetting(
    `${name}-ingestor-logs`,
    { name: "email-journal-audit", resourceUri: args.functionAppId, logs: enabled(["FunctionAppLogs"]), ...destinations },
    after,
  );
  return { workspace, settings, vaultAudit, functionLogs };
}
