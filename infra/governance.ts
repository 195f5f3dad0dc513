// What Pulumi Cloud governance knows of an archive stack. The archive program itself creates no
// governance resource: a stack that governed itself could drop its own policy group, drift schedule
// and permissions in the very update they should guard. The controls live in governance/, a
// separate Pulumi project the platform team owns, which reads each archive stack's file and
// attaches them from outside (docs/governance.md).
import type { StackConfig } from "./config";

/** The stack tags auditors filter journal stacks by in Pulumi Cloud: frameworks, classification, role, cloud, region. */
export function stackTags(config: StackConfig): Record<string, string> {
  return {
    frameworks: config.frameworks.join(",") || "none",
    "data-classification": config.dataClassification,
    role: config.role,
    cloud: config.cloud,
    region: config.region,
  };
}
