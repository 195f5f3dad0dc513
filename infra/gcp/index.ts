// The whole journaling archive on Google Cloud, as one component: the GCP column of DESIGN.md's
// capability matrix. Every child is parented to it and created through one provider that pins
// the project and region and labels every resource with stack, role and data classification.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { PeerOutputs } from "../peer";
import { gcpLabels, resourceTags, type StackConfig } from "../config";
import { archiveMarks, SANDBOX_TAG } from "../../policies/shared/conventions";
import { access, identities } from "./access";
import { alerts } from "./alerts";
import { buildIdentity } from "./build";
import { archiveKey } from "./keys";
import { auditLogging } from "./logging";
import { gcpNames } from "./naming";
import { intake } from "./ingest";
import { replicateToPeer } from "./replication";
import { archiveLifecycleRules, archivePlacement, INBOX_LIFECYCLE_RULES, privateBucket } from "./storage";
import { archiveSearch } from "./search";

export interface JournalArchiveGcpArgs {
  /** The stack's checked configuration (infra/config.ts); `config.gcp` is set for a gcp stack. */
  readonly config: StackConfig;
  /** A primary's peer outputs (infra/peer.ts), read before anything is built; absent on a standby. */
  readonly peer?: PeerOutputs;
}

export class JournalArchiveGcp extends pulumi.ComponentResource {
  readonly outputs: Record<string, pulumi.Input<unknown>>;
  readonly intakeAddresses: readonly string[];

  constructor(name: string, args: JournalArchiveGcpArgs, opts?: pulumi.ComponentResourceOptions) {
    super("email-journal:gcp:JournalArchive", name, {}, opts);
    const { config } = args;
    if (!config.gcp) throw new Error("email-journal:gcp is not set: a gcp stack needs gcp.project and gcp.relayInvokers (see infra/config.ts)");
    const { project } = config.gcp;
    // A sandbox marks everything it creates, so that the pack's GCP rules can tell what may be destroyed.
    const labels = gcpLabels({ ...resourceTags(config), ...(config.sandbox ? { [SANDBOX_TAG]: "true" } : {}) });
    // Records outlive the stack; a sandbox (never records) is removed whole by `pulumi destroy`.
    const kept = config.sandbox ? {} : { protect: true, retainOnDelete: true };
    const provider = new gcp.Provider(`${name}-provider`, { project, region: config.region, defaultLabels: labels }, { parent: this });
    const o: pulumi.CustomResourceOptions = { parent: this, provider };
    const names = gcpNames(project, config.stack);

    // The Google-managed identities that act for the stack: Cloud Storage (CMEK, notifications) and Pub/Sub (CMEK, dead letters).
    const storageAgent = gcp.storage.getProjectServiceAccountOutput({ project }, o).emailAddress;
    const projectNumber = gcp.organizations.getProjectOutput({ projectId: project }, o).number;
    const pubsubAgent = pulumi.interpolate`service-${projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;

    const placement = archivePlacement(config);
    const stackKey = (keyName: string, location: string, keyRingName: string) =>
      archiveKey(keyName, { project, location, keyRingName, rotationDays: 365, serviceAgents: { storage: storageAgent, pubsub: pubsubAgent }, labels, kept: !config.sandbox }, o);
    const keys = stackKey(name, placement.keyLocation, names.keyRing);
    // A dual-region archive needs its key in the multi-region; the stack's other buckets use a regional key.
    const regionalKey = placement.keyLocation === config.region ? keys : stackKey(`${name}-regional`, config.region, `${names.keyRing}-${config.region}`);
    const keyGrants = regionalKey === keys ? keys.grants : [...keys.grants, ...regionalKey.grants];
    const afterKeys = { ...o, dependsOn: keyGrants };
    const regional = { location: config.region.toUpperCase(), keyLocation: config.region };

    const archive = privateBucket(
      `${name}-archive`,
      {
        project,
        name: names.archiveBucket,
        placement,
        kmsKeyName: keys.key.id,
        labels: { ...labels, ...archiveMarks(config) },
        lifecycleRules: archiveLifecycleRules(config),
        // Compliance mode locks the policy: nobody can shorten or remove it, or delete the bucket before every object expires.
        // A sandbox is always governance mode (infra/config.ts), so its short policy stays unlocked.
        retention: { days: config.retention.minimumDays, locked: config.retention.mode === "compliance" },
        forceDestroy: config.sandbox,
      },
      // The archive outlives the stack: Pulumi will not delete it, and keeps it if the stack is destroyed.
      { ...afterKeys, ...kept },
    );
    const inbox = privateBucket(`${name}-inbox`, { project, name: names.inboxBucket, placement: regional, kmsKeyName: regionalKey.key.id, labels, lifecycleRules: INBOX_LIFECYCLE_RULES, forceDestroy: config.sandbox }, afterKeys);
    const source = privateBucket(`${name}-source`, { project, name: names.sourceBucket, placement: regional, kmsKeyName: regionalKey.key.id, labels, forceDestroy: config.sandbox }, afterKeys);

    const ids = identities(name, { project, names, stack: config.stack }, o);
    access(name, { config, project, names, archiveBucket: archive.name, inboxBucket: inbox.name, ids }, o);
    // BigQuery over the sidecars, for the auditor account alone (search.ts).
    const search = archiveSearch(name, { config, project, projectNumber, placement, archiveBucket: archive.name, kmsKeyName: keys.key.id, auditorEmail: ids.emails.auditor, labels }, { ...o, dependsOn: ids.created });
    const build = buildIdentity(name, { project, region: config.region, projectNumber, names, email: ids.emails.build, sourceBucket: source.name, labels }, { ...o, dependsOn: ids.created });

    const intakeParts = intake(
      name,
      {
        config,
        project,
        names,
        archiveBucket: archive.name,
        inboxBucket: inbox,
        sourceBucket: source.name,
        kmsKeyName: regionalKey.key.id,
        ingestorEmail: ids.emails.ingestor,
        pusherEmail: ids.emails.push,
        storageAgent,
        pubsubAgent,
        keyGrants,
        build,
        labels,
      },
      // The functions build as the build account: its grants come first.
      { ...o, dependsOn: [...ids.created, ...build.grants] },
    );
    const functionNames = [names.functions.http, names.functions.object];
    const logging = auditLogging(name, { project, region: config.region, logBucketId: names.logBucket, retentionDays: config.retention.minimumDays, buckets: [archive.name, inbox.name], functionNames, sandbox: config.sandbox }, o);
    const alerting = alerts(name, { project, stack: config.stack, email: config.alertEmail, functionNames, deliverySubscription: intakeParts.subscription.name, archiveBucket: archive.name }, o);

    // A primary copies every archived object to its peer, unless its bucket is itself a dual-region.
    const transfer =
      args.peer && placement.dataLocations === undefined
        ? replicateToPeer(
            name,
            {
              project,
              stack: config.stack,
              archiveBucket: archive.name,
              peerBucket: args.peer.archiveBucket,
              topicName: names.topics.archiveChanges,
              kmsKeyName: keys.key.id,
              deadLetterTopic: intakeParts.deadLetterTopicId,
              storageAgent,
              pubsubAgent,
              dependsOn: [...keys.grants, intakeParts.deadLetterTopic],
              labels,
            },
            o,
          )
        : undefined;

    this.intakeAddresses = config.intake.addresses;
    this.outputs = {
      project,
      archiveBucket: archive.name,
      archiveLocation: archive.location,
      archiveRetentionLocked: config.retention.mode === "compliance",
      inboxBucket: inbox.name,
      kmsKeyId: keys.key.id,
      ingestorServiceAccount: ids.accounts.ingestor.email,
      buildServiceAccount: ids.accounts.build.email,
      auditorServiceAccount: ids.accounts.auditor.email,
      holdAdminServiceAccount: ids.accounts.holdAdmin.email,
      intakeUrl: intakeParts.intakeUrl,
      intakeEnabled: config.role === "primary",
      deadLetterSubscription: intakeParts.deadLetters.name,
      auditLogBucket: logging.logBucket.name,
      alertChannel: alerting.channel.name,
      replication: transfer ? "transfer" : placement.dataLocations ? "dual-region" : "none (standby)",
      ...search.outputs,
    };
    this.registerOutputs(this.outputs);
  }
}
