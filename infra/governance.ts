// Pulumi Cloud governance of a journal stack, enabled by `governance.enabled`. Each stack governs
// itself, so prod and dr carry the same controls and a promotion changes none of them:
//  - a policy group enforcing the compliance pack on every update (preventative: a mandatory
//    violation stops the update, whoever runs it);
//  - daily drift detection, never auto-remediated (drift in a WORM archive is an incident to read);
//  - stack tags auditors filter by: frameworks, data classification, role, cloud, region;
//  - read-only access to the stack for the auditors' team;
//  - a webhook on updates, failed previews and updates (a policy violation fails them), and drift;
//  - deployment settings, so that updates and `dr:promote`'s updates can run in Pulumi Deployments.
// Approval rules in Pulumi Cloud apply to ESC environments, not stack updates (ApprovalRule takes
// an environment identifier): changes to prod are gated by the repository's review rules and the
// policy group instead.
import * as pulumi from "@pulumi/pulumi";
import * as service from "@pulumi/pulumiservice";
import { PROJECT, type StackConfig } from "./config";

export const POLICY_PACK = "email-journal-compliance";
/** 06:00 UTC daily, before the working day. */
export const DRIFT_SCHEDULE = "0 6 * * *";
export const WEBHOOK_EVENTS = [
  service.WebhookFilters.UpdateSucceeded,
  service.WebhookFilters.UpdateFailed,
  service.WebhookFilters.PreviewFailed,
  service.WebhookFilters.DestroySucceeded,
  service.WebhookFilters.DestroyFailed,
  service.WebhookFilters.DeploymentFailed,
  service.WebhookFilters.DriftDetected,
  service.WebhookFilters.DriftDetectionFailed,
  service.WebhookFilters.StackDeleted,
];

export interface JournalGovernanceArgs {
  /** The stack's checked configuration; `governance` must be set and enabled. */
  readonly config: StackConfig;
  /** The Pulumi Cloud organization the stack lives in, when the config does not name one. */
  readonly organization: string;
}

export class JournalGovernance extends pulumi.ComponentResource {
  readonly outputs: Record<string, pulumi.Input<unknown>>;

  constructor(name: string, args: JournalGovernanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("email-journal:governance:JournalGovernance", name, {}, opts);
    const { config } = args;
    const governance = config.governance!;
    const organization = governance.organization ?? args.organization;
    const o = { parent: this };
    const stack = { organization, project: PROJECT, stack: config.stack };

    const group = new service.PolicyGroup(
      `${name}-policy-group`,
      {
        organizationName: organization,
        name: `${PROJECT}-${config.stack}`,
        entityType: "stacks",
        mode: "preventative",
        stacks: [{ name: config.stack, routingProject: PROJECT }],
        policyPacks: [{ name: POLICY_PACK, config: { all: "mandatory" } }],
      },
      o,
    );
    new service.DriftSchedule(`${name}-drift`, { ...stack, scheduleCron: DRIFT_SCHEDULE, autoRemediate: false }, o);

    const tags: Record<string, string> = {
      frameworks: config.frameworks.join(",") || "none",
      "data-classification": config.dataClassification,
      role: config.role,
      cloud: config.cloud,
      region: config.region,
    };
    for (const [tagName, value] of Object.entries(tags)) new service.StackTag(`${name}-tag-${tagName}`, { ...stack, name: tagName, value }, o);

    if (governance.auditorsTeam) {
      new service.TeamStackPermission(`${name}-auditors-read`, { ...stack, team: governance.auditorsTeam, permission: service.TeamStackPermissionScope.Read }, o);
    }
    if (governance.webhookUrl) {
      new service.Webhook(
        `${name}-webhook`,
        { organizationName: organization, projectName: PROJECT, stackName: config.stack, displayName: `${PROJECT} ${config.stack}`, payloadUrl: governance.webhookUrl, active: true, format: service.WebhookFormat.Raw, filters: WEBHOOK_EVENTS },
        o,
      );
    }
    if (governance.repository) {
      new service.DeploymentSettings(
        `${name}-deployments`,
        {
          ...stack,
          sourceContext: { git: { branch: `refs/heads/${governance.branch}` } },
          github: { repository: governance.repository, deployCommits: false, previewPullRequests: true },
          operationContext: { preRunCommands: ["npm ci"], options: { shell: "bash" } },
        },
        o,
      );
    }
    this.outputs = { policyGroup: group.name, driftSchedule: DRIFT_SCHEDULE, stackTags: tags, auditorsTeam: governance.auditorsTeam ?? "none" };
    this.registerOutputs(this.outputs);
  }
}
