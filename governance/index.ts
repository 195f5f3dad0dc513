// The governance program (its own Pulumi project, run by the platform team): read and check the
// config once, read each governed archive stack's file for its tags, attach the controls.
import { parseStackConfig } from "../infra/config";
import { stackTags } from "../infra/governance";
import { projectConfig } from "../infra/stackFiles";
import { loadGovernanceConfig } from "./config";
import { JournalGovernance } from "./governance";
import { PACK_NAME, PACK_VERSION } from "../policies/shared/pack";

export = async () => {
  const config = loadGovernanceConfig();
  // `pulumi policy publish policies` publishes the pack at the version in policies/package.json;
  // the group pins that version, so a new pack applies once this stack is updated, not on publish.
  const pack = { name: PACK_NAME, version: PACK_VERSION };
  // Each archive stack's file is checked as its own program checks it: a broken file stops here too.
  const stacks = config.stacks.map((name) => ({ name, tags: stackTags(parseStackConfig(projectConfig(name), name)) }));
  const governance = new JournalGovernance("journal", {
    organization: config.organization,
    stacks,
    pack,
    repository: config.repository,
    branch: config.branch,
    ...(config.auditorsTeam ? { auditorsTeam: config.auditorsTeam } : {}),
    ...(config.webhookUrl ? { webhookUrl: config.webhookUrl } : {}),
  });
  return {
    organization: config.organization,
    governedStacks: config.stacks,
    policyGroup: governance.policyGroup,
    policyPack: pack,
    auditorsTeam: config.auditorsTeam ?? "none",
    ...(governance.webhookSigningSecret ? { webhookSigningSecret: governance.webhookSigningSecret } : {}),
  };
};
