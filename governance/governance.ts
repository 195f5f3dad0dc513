// Pulumi Cloud governance of the journal archive stacks, made from outside them (this project, run
// by the platform team), so that no update of an archive stack can remove the controls guarding it:
//  - one policy group enforcing the compliance pack, at a pinned version, on every governed stack
//    (preventative: a mandatory violation stops the update, whoever runs it);
//  - per stack: deployment settings, daily drift detection (never auto-remediated: drift in a WORM
//    archive is an incident to read), the stack tags auditors filter by, read-only access for the
//    auditors' team, and a signed webhook on updates, failures and drift.
// Approval rules in Pulumi Cloud apply to ESC environments, not stack updates (ApprovalRule takes an
// environment identifier): changes to the archive stacks are gated by the repository's review rules
// and the policy group instead.
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import * as random from "@pulumi/random";
import { PROJECT } from "../infra/config";

/** 06:00 UTC daily, before the working day. */
export const DRIFT_SCHEDULE = "0 6 * * *";
export const POLICY_GROUP = `${PROJECT}-archives`;

/**
 * Events a stack webhook reports. Pulumi Cloud Webhooks, "Event Filtering"
 * (https://www.pulumi.com/docs/deployments/concepts/webhooks/#event-filtering): `stack_created` and
 * `stack_deleted` are for organization webhooks only, so they are not here but on the
 * organization webhook below.
 */
export const STACK_WEBHOOK_EVENTS = [
  service.WebhookFilters.UpdateSucceeded,
  service.WebhookFilters.UpdateFailed,
  service.WebhookFilters.PreviewFailed,
  service.WebhookFilters.DestroySucceeded,
  service.WebhookFilters.DestroyFailed,
  service.WebhookFilters.RefreshFailed,
  service.WebhookFilters.DeploymentFailed,
  service.WebhookFilters.DriftDetected,
  service.WebhookFilters.DriftDetectionFailed,
];
/** The same page's "Organization webhooks only" filters. */
export const ORGANIZATION_ONLY_EVENTS: readonly service.WebhookFilters[] = [service.WebhookFilters.StackCreated, service.WebhookFilters.StackDeleted];
/** What the organization webhook reports: a journal stack deleted (the receiver filters by project). */
export const ORGANIZATION_WEBHOOK_EVENTS = [service.WebhookFilters.StackDeleted];
/** Length of the generated webhook signing secret (the HMAC-SHA256 key). */
export const SIGNING_SECRET_LENGTH = 48;

export interface ArchiveStackGovernanceArgs {
  readonly organization: string;
  /** The archive stack's short name. */
  readonly stack: string;
  /** Its stack tags (infra/governance.ts stackTags). */
  readonly tags: Readonly<Record<string, string>>;
  readonly auditorsTeam?: string;
  /** The webhook's URL and signing secret, both secrets. */
  readonly webhook?: { readonly url: pulumi.Input<string>; readonly secret: pulumi.Input<string> };
  readonly repository: string;
  readonly branch: string;
}

/** The Pulumi Cloud controls of one archive stack. */
export class ArchiveStackGovernance extends pulumi.ComponentResource {
  constructor(name: string, args: ArchiveStackGovernanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("email-journal:governance:ArchiveStackGovernance", name, {}, opts);
    const o = { parent: this };
    const stack = { organization: args.organization, project: PROJECT, stack: args.stack };

    // PR previews run in CI with read-only cloud roles (docs/ci.md), and updates are run by people:
    // Deployments here only run the scheduled drift checks, from the reviewed branch.
    const settings = new service.DeploymentSettings(
      `${name}-deployments`,
      {
        ...stack,
        sourceContext: { git: { branch: `refs/heads/${args.branch}` } },
        github: { repository: args.repository, deployCommits: false, previewPullRequests: false },
        operationContext: { preRunCommands: ["npm ci --no-audit --no-fund"], options: { shell: "bash" } },
      },
      o,
    );
    // "To use drift detection and remediation with Pulumi Deployments, you must first configure the
    // deployment settings for your stack" (Pulumi Cloud, "Drift detection and remediation",
    // https://www.pulumi.com/docs/deployments/concepts/drift/): the schedule waits for them.
    new service.DriftSchedule(`${name}-drift`, { ...stack, scheduleCron: DRIFT_SCHEDULE, autoRemediate: false }, { ...o, dependsOn: [settings] });

    for (const [tagName, value] of Object.entries(args.tags)) new service.StackTag(`${name}-tag-${tagName}`, { ...stack, name: tagName, value }, o);

    if (args.auditorsTeam) {
      new service.TeamStackPermission(`${name}-auditors-read`, { ...stack, team: args.auditorsTeam, permission: service.TeamStackPermissionScope.Read }, o);
    }
    if (args.webhook) {
      new service.Webhook(
        `${name}-webhook`,
        {
          organizationName: args.organization,
          projectName: PROJECT,
          stackName: args.stack,
          displayName: `${PROJECT} ${args.stack}`,
          payloadUrl: args.webhook.url,
          // Deliveries carry Pulumi-Webhook-Signature, an HMAC-SHA256 of the body under this key
          // (Pulumi Cloud Webhooks, "Headers").
          secret: args.webhook.secret,
          active: true,
          format: service.WebhookFormat.Raw,
          filters: STACK_WEBHOOK_EVENTS,
        },
        o,
      );
    }
    this.registerOutputs({});
  }
}

/** A published policy pack, by name and version tag. */
export interface PolicyPackRef {
  readonly name: string;
  readonly version: string;
}

export interface JournalGovernanceArgs {
  readonly organization: string;
  /** The archive stacks, each with its tags. */
  readonly stacks: readonly { readonly name: string; readonly tags: Readonly<Record<string, string>> }[];
  /** The pack the policy group enforces, at the version this commit publishes. */
  readonly pack: PolicyPackRef;
  readonly auditorsTeam?: string;
  /** Already a secret (config read as one). */
  readonly webhookUrl?: pulumi.Output<string>;
  readonly repository: string;
  readonly branch: string;
}

export class JournalGovernance extends pulumi.ComponentResource {
  /** The HMAC key webhook receivers verify deliveries with; a secret, undefined without a webhook. */
  readonly webhookSigningSecret?: pulumi.Output<string>;
  readonly policyGroup: pulumi.Output<string>;

  constructor(name: string, args: JournalGovernanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("email-journal:governance:JournalGovernance", name, {}, opts);
    const o = { parent: this };

    // The pack's own enforcement levels stand (an advisory rule such as sandbox-not-for-records
    // stays advisory); the group makes them run on every update of every governed stack.
    const group = new service.PolicyGroup(
      `${name}-policy-group`,
      {
        organizationName: args.organization,
        name: POLICY_GROUP,
        entityType: "stacks",
        mode: "preventative",
        stacks: args.stacks.map((stack) => ({ name: stack.name, routingProject: PROJECT })),
        policyPacks: [{ name: args.pack.name, versionTag: args.pack.version }],
      },
      o,
    );
    this.policyGroup = group.name;

    let webhook: ArchiveStackGovernanceArgs["webhook"];
    if (args.webhookUrl) {
      const signing = new random.RandomPassword(`${name}-webhook-signing-secret`, { length: SIGNING_SECRET_LENGTH, special: false }, o);
      this.webhookSigningSecret = pulumi.secret(signing.result);
      webhook = { url: args.webhookUrl, secret: this.webhookSigningSecret };
      new service.Webhook(
        `${name}-stack-deleted`,
        { organizationName: args.organization, displayName: `${PROJECT} stack deleted`, payloadUrl: webhook.url, secret: webhook.secret, active: true, format: service.WebhookFormat.Raw, filters: ORGANIZATION_WEBHOOK_EVENTS },
        o,
      );
    }
    for (const stack of args.stacks) {
      new ArchiveStackGovernance(
        `${name}-${stack.name}`,
        { organization: args.organization, stack: stack.name, tags: stack.tags, repository: args.repository, branch: args.branch, ...(args.auditorsTeam ? { auditorsTeam: args.auditorsTeam } : {}), ...(webhook ? { webhook } : {}) },
        o,
      );
    }
    this.registerOutputs({ policyGroup: this.policyGroup, webhookSigningSecret: this.webhookSigningSecret });
  }
}
