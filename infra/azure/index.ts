// The whole journaling archive on Azure, as one component: the Azure column of DESIGN.md's
// capability matrix. Every child is parented to it and tagged with stack, role and data
// classification.
//
// Locking retention is a two-step on Azure: an account-level immutability policy can only be
// created Disabled or Unlocked, and only an Unlocked policy can then be Locked, irreversibly
// (AccountImmutabilityPolicyProperties.state, Azure Storage REST API). The account is created
// with it Unlocked; every later `pulumi up` of the stack sets it Locked. The program knows which
// from its own stack's last outputs (infra/index.ts). The same bootstrap run leaves out the inbox
// event subscription, which needs the function code deployed first (see ingest.ts).
//
// A sandbox stack (config.sandbox) is for trying the platform: its policies stay Unlocked for
// good, nothing is Pulumi-protected or retained, and every resource carries the sandbox tag; the
// rest is the same. docs/azure.md lists what Azure still makes `pulumi destroy` wait for.
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import type { PeerOutputs } from "../peer";
import { resourceTags, type StackConfig } from "../config";
import { archiveMarks, LOCK_PENDING_TAG, SANDBOX_TAG } from "../../policies/shared/conventions";
import { ACTIONS, assign, AUDIT_TRAIL_READ_CONDITION, AUDIT_TRAIL_WRITE_CONDITION, containerScope, customRole, DATA_ACTIONS, SIDECARS_ONLY_CONDITION } from "./access";
import { alerts } from "./alerts";
import { archiveBackup } from "./backup";
import { intake } from "./ingest";
import { ARCHIVE_KEY_NAME, archiveKey } from "./keys";
import { auditLogging } from "./logging";
import { armId, azureNames, storageAccountId } from "./naming";
import { peerArchive, replicateToPeer } from "./replication";
import { searchEngine } from "./search";
import { archiveLifecycleRules, archiveSku, blobService, container, CONTAINERS, lifecycle, storageAccount } from "./storage";

export interface JournalArchiveAzureArgs {
  /** The stack's checked configuration (infra/config.ts). */
  readonly config: StackConfig;
  /** A primary's peer outputs (infra/peer.ts), read before anything is built; absent on a standby. */
  readonly peer?: PeerOutputs;
  /** Whether this stack has been deployed before; false on its first `pulumi up` (the bootstrap run). */
  readonly deployedBefore: boolean;
}

export class JournalArchiveAzure extends pulumi.ComponentResource {
  readonly outputs: Record<string, pulumi.Input<unknown>>;
  readonly intakeAddresses: readonly string[];

  constructor(name: string, args: JournalArchiveAzureArgs, opts?: pulumi.ComponentResourceOptions) {
    super("email-journal:azure:JournalArchive", name, {}, opts);
    const { config } = args;
    const o: pulumi.CustomResourceOptions = { parent: this };
    const client = azure.authorization.getClientConfigOutput({ parent: this });
    const names = azureNames(client.subscriptionId, config.region, config.stack);
    const tags = { ...resourceTags(config), ...(config.sandbox ? { [SANDBOX_TAG]: "true" } : {}) };
    // What outlives the stack: Pulumi will not delete it, and keeps it if the stack is destroyed. A sandbox keeps nothing.
    const keep: pulumi.CustomResourceOptions = config.sandbox ? {} : { protect: true, retainOnDelete: true };

    const compliance = config.retention.mode === "compliance";
    // Governance mode keeps the policy Unlocked: a privileged role may shorten it, as on AWS. A
    // sandbox is always governance (infra/config.ts) and never locks.
    const lockState = compliance && !config.sandbox && args.deployedBefore ? "Locked" : "Unlocked";
    const lockTags: Record<string, string> = compliance && lockState === "Unlocked" ? { [LOCK_PENDING_TAG]: "pending" } : {};

    const group = new azure.resources.ResourceGroup(`${name}-group`, { resourceGroupName: names.resourceGroup, location: config.region, tags }, { ...o, ...(config.sandbox ? {} : { protect: true }) });
    // Everything else names the group by its fixed name (known at preview) and comes after it.
    const rg = names.resourceGroup;
    o.dependsOn = [group];
    const identityName = (id: string) => `id-email-journal-${id}-${config.stack}`;
    const identity = (id: string) => new azure.managedidentity.UserAssignedIdentity(`${name}-${id}`, { resourceName: identityName(id), resourceGroupName: rg, location: config.region, tags }, o);
    const storageIdentity = identity("storage");
    const ingestorIdentity = identity("ingestor");
    const eventIdentity = identity("events");

    const keys = archiveKey(
      name,
      { vaultName: names.vault, resourceGroupName: rg, location: config.region, tenantId: client.tenantId, subscriptionId: client.subscriptionId, storageIdentityPrincipalId: storageIdentity.principalId, rotationDays: 365, tags, keep },
      o,
    );
    const accountIds = {
      archive: storageAccountId(client.subscriptionId, rg, names.archiveAccount),
      inbox: storageAccountId(client.subscriptionId, rg, names.inboxAccount),
      logs: storageAccountId(client.subscriptionId, rg, names.logAccount),
    };
    // The key's vault and identity by name, so that the accounts' encryption is known at preview.
    const encrypted = { resourceGroupName: rg, location: config.region, keyIdentityId: armId(client.subscriptionId, rg, "Microsoft.ManagedIdentity/userAssignedIdentities", identityName("storage")), keyVaultUri: pulumi.interpolate`https://${names.vault}.vault.azure.net/`, keyName: ARCHIVE_KEY_NAME };
    const accountOpts = { ...o, dependsOn: [keys.storageCanUseKey, storageIdentity] };

    const sku = archiveSku(config.storageRedundancy);
    const archive = storageAccount(
      `${name}-archive`,
      {
        ...encrypted,
        accountName: names.archiveAccount,
        sku,
        tags: { ...tags, ...archiveMarks(config), ...lockTags },
        immutability: { days: config.retention.minimumDays, state: lockState, appendWrites: false },
      },
      { ...accountOpts, ...keep },
    );
    const inbox = storageAccount(`${name}-inbox`, { ...encrypted, accountName: names.inboxAccount, sku: "Standard_ZRS", tags }, accountOpts);
    // Diagnostic logs arrive as append blobs: appends allowed, nothing else.
    const logs = storageAccount(
      `${name}-audit-logs`,
      { ...encrypted, accountName: names.logAccount, sku: "Standard_ZRS", tags: { ...tags, ...lockTags }, immutability: { days: config.retention.minimumDays, state: lockState, appendWrites: true } },
      { ...accountOpts, ...keep },
    );
    const named = { archive: { name: names.archiveAccount, account: archive }, inbox: { name: names.inboxAccount, account: inbox }, logs: { name: names.logAccount, account: logs } };
    const archiveService = blobService(`${name}-archive-blobs`, named.archive, rg, 30, o);
    blobService(`${name}-inbox-blobs`, named.inbox, rg, 7, o);
    blobService(`${name}-audit-log-blobs`, named.logs, rg, 30, o);
    const archiveContainer = container(`${name}-archive-container`, named.archive, rg, CONTAINERS.archive, { ...o, dependsOn: [archiveService] });
    for (const part of [CONTAINERS.inbox, CONTAINERS.deadLetters, CONTAINERS.deployments]) container(`${name}-${part}-container`, named.inbox, rg, part, o);
    lifecycle(`${name}-archive-lifecycle`, named.archive, rg, archiveLifecycleRules(config, sku), o);
    lifecycle(
      `${name}-inbox-lifecycle`,
      named.inbox,
      rg,
      [
        {
          name: "expire-processed",
          enabled: true,
          type: "Lifecycle",
          definition: { filters: { blobTypes: ["blockBlob"], prefixMatch: [`${CONTAINERS.inbox}/`] }, actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: 30 } }, version: { delete: { daysAfterCreationGreaterThan: 1 } } } },
        },
      ],
      o,
    );

    const intakeParts = intake(
      name,
      {
        config,
        resourceGroupName: rg,
        appName: names.functionApp,
        identity: ingestorIdentity,
        archiveBlobEndpoint: archive.primaryEndpoints.blob,
        inboxAccountName: inbox.name,
        inboxAccountId: accountIds.inbox,
        inboxBlobEndpoint: inbox.primaryEndpoints.blob,
        eventIdentity,
        subscribe: args.deployedBefore,
        tags,
      },
      o,
    );

    // Roles, each assignable only on the account it is for.
    const role = (id: string, scope: pulumi.Input<string>, dataActions: readonly string[], description: string, actions: readonly string[] = []) =>
      customRole(
        `${name}-${id}-role`,
        { roleName: `email-journal ${id} (${config.stack})`, subscriptionId: client.subscriptionId, description, resourceGroupId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/resourceGroups/${rg}`, assignableScope: scope, dataActions, actions },
        o,
      );
    const ingestorArchive = role("ingestor-archive", accountIds.archive, DATA_ACTIONS.ingestorArchive, "Create archive blobs; read only sidecars under meta/ (by condition); never delete");
    const ingestorInbox = role("ingestor-inbox", accountIds.inbox, DATA_ACTIONS.ingestorInbox, "Read dropped mail from the inbox");
    const functionHost = role("function-host", accountIds.inbox, DATA_ACTIONS.functionHost, "The Functions host's own containers and blobs (leases, keys, deployment package) in the inbox account", ACTIONS.functionHost);
    const deadLetterWriter = role("dead-letter-writer", accountIds.inbox, DATA_ACTIONS.deadLetterWriter, "Event Grid writes undeliverable events to the dead-letters container");
    const auditor = role("auditor", accountIds.archive, DATA_ACTIONS.auditor, "Read archived messages and sidecars", ACTIONS.auditor);
    const holdAdmin = role("hold-admin", accountIds.archive, DATA_ACTIONS.holdAdmin, "Set and clear legal holds on archived blob versions", ACTIONS.holdAdmin);
    const archiveScope = containerScope(accountIds.archive, CONTAINERS.archive);
    assign(`${name}-ingestor-archive-access`, { scope: archiveScope, role: ingestorArchive, principalId: ingestorIdentity.principalId, servicePrincipal: true, condition: SIDECARS_ONLY_CONDITION }, o);
    assign(`${name}-ingestor-inbox-access`, { scope: containerScope(accountIds.inbox, CONTAINERS.inbox), role: ingestorInbox, principalId: ingestorIdentity.principalId, servicePrincipal: true }, o);
    assign(`${name}-function-host-access`, { scope: accountIds.inbox, role: functionHost, principalId: ingestorIdentity.principalId, servicePrincipal: true }, o);
    assign(`${name}-dead-letter-access`, { scope: containerScope(accountIds.inbox, CONTAINERS.deadLetters), role: deadLetterWriter, principalId: eventIdentity.principalId, servicePrincipal: true }, o);
    config.auditors.forEach((principalId, i) => assign(`${name}-auditor-${i}`, { scope: archiveScope, role: auditor, principalId, servicePrincipal: false }, o));
    config.holdAdmins.forEach((principalId, i) => assign(`${name}-hold-admin-${i}`, { scope: archiveScope, role: holdAdmin, principalId, servicePrincipal: false }, o));
    // The auditor's own trail: both record their acts under audit/; hold admins read it back (and list the container).
    const trailWriter = role("audit-trail-writer", accountIds.archive, DATA_ACTIONS.auditTrailWriter, "Add the auditor's own trail under audit/ (by condition); never replace or delete");
    const trailReader = role("audit-trail-reader", accountIds.archive, DATA_ACTIONS.auditTrailReader, "List the archive; read only the auditor's trail under audit/ (by condition)");
    const writesTrail = { scope: archiveScope, role: trailWriter, servicePrincipal: false, condition: AUDIT_TRAIL_WRITE_CONDITION };
    config.auditors.forEach((principalId, i) => assign(`${name}-auditor-trail-${i}`, { ...writesTrail, principalId }, o));
    config.holdAdmins.forEach((principalId, i) => {
      assign(`${name}-hold-admin-trail-${i}`, { ...writesTrail, principalId }, o);
      assign(`${name}-hold-admin-trail-read-${i}`, { scope: archiveScope, role: trailReader, principalId, servicePrincipal: false, condition: AUDIT_TRAIL_READ_CONDITION }, o);
    });

    const logging = auditLogging(
      name,
      {
        resourceGroupName: rg,
        location: config.region,
        stack: config.stack,
        logAccountId: accountIds.logs,
        blobServices: [
          { name: "archive", accountId: accountIds.archive },
          { name: "inbox", accountId: accountIds.inbox },
        ],
        vaultId: armId(client.subscriptionId, rg, "Microsoft.KeyVault/vaults", names.vault),
        functionAppId: armId(client.subscriptionId, rg, "Microsoft.Web/sites", names.functionApp),
        subscriptionId: client.subscriptionId,
        tags,
      },
      { ...o, dependsOn: [archive, inbox, logs, keys.vault, intakeParts.app] },
    );
    const alerting = alerts(
      name,
      { resourceGroupName: rg, location: config.region, stack: config.stack, email: config.alertEmail, eventTopicId: intakeParts.topic.id, workspaceId: logging.workspace.id, archiveAccountName: archive.name, tags },
      o,
    );
    const backup = archiveBackup(name, { config, resourceGroupName: rg, subscriptionId: client.subscriptionId, archiveAccountId: accountIds.archive, archiveAccountName: archive.name, lockState, tags: { ...tags, ...lockTags }, keep }, o);

    // The archive's query engine (search.ts): a Synapse serverless pool that reads the sidecars as the auditor who asks.
    const search = searchEngine(
      name,
      {
        resourceGroupName: rg,
        location: config.region,
        subscriptionId: client.subscriptionId,
        workspaceName: names.searchWorkspace,
        accountName: names.searchAccount,
        accountId: storageAccountId(client.subscriptionId, rg, names.searchAccount),
        keyVaultUri: encrypted.keyVaultUri,
        keyName: ARCHIVE_KEY_NAME,
        keyId: keys.key.id,
        keyIdentityId: encrypted.keyIdentityId,
        logWorkspaceId: logging.workspace.id,
        logAccountId: accountIds.logs,
        tags,
      },
      { ...accountOpts, dependsOn: [keys.storageCanUseKey, storageIdentity, logs] },
    );

    // A primary copies every archived blob to its peer; a standby receives, and copies nothing of its own.
    if (args.peer) {
      replicateToPeer(name, { subscriptionId: client.subscriptionId, resourceGroupName: rg, accountName: names.archiveAccount, peer: peerArchive(args.peer), dependsOn: [archiveContainer] }, o);
    }

    this.intakeAddresses = config.intake.addresses;
    this.outputs = {
      subscriptionId: client.subscriptionId,
      resourceGroupName: rg,
      archiveAccountName: archive.name,
      archiveAccountId: accountIds.archive,
      archiveContainer: CONTAINERS.archive,
      archiveImmutability: lockState,
      inboxAccountName: inbox.name,
      auditLogAccountName: logs.name,
      keyVaultName: keys.vault.name,
      archiveKeyName: ARCHIVE_KEY_NAME,
      ingestorFunctionApp: intakeParts.app.name,
      // The code is deployed after `pulumi up`, with Entra auth (README, "Azure").
      ingestorDeployCommand: pulumi.interpolate`npm run package:azure && az functionapp deploy --resource-group ${rg} --name ${intakeParts.app.name} --src-path dist/azure-ingestor.zip --type zip`,
      intakeUrl: intakeParts.intakeUrl,
      intakeEnabled: config.role === "primary",
      logWorkspaceId: logging.workspace.id,
      alertActionGroupId: alerting.group.id,
      backupVaultName: backup.vault.name,
      // What `journal search --stack` connects to (functions/auditor/engines/cloud.ts).
      searchWorkspaceName: search.workspace.name,
      searchSqlEndpoint: search.sqlEndpoint,
    };
    this.registerOutputs(this.outputs);
  }
}
