// The pack's thresholds, settable per policy in the pack's config (`pulumi policy enable
// --config`, or a Pulumi Cloud policy group). The defaults satisfy the strictest of the
// chosen frameworks; a value below what a chosen framework requires is raised to it.
import type { PolicyConfigSchema } from "@pulumi/policy";
import { FRAMEWORK_RULES, FRAMEWORKS, type Framework, requiredMinimumDays } from "./shared/frameworks";

export interface Settings {
  readonly frameworks: readonly Framework[];
  /** The shortest WORM retention accepted: the larger of the configured and the frameworks' minimum. */
  readonly minimumRetentionDays: number;
  readonly maxKeyRotationDays: number;
  readonly minimumLogRetentionDays: number;
  /** Whether only compliance-mode (nobody may shorten or remove) retention will do. */
  readonly requiresComplianceMode: boolean;
  /** Whether archived records must be deleted after a maximum retention. */
  readonly requiresDeletion: boolean;
}

const THRESHOLDS = {
  frameworks: { type: "array", items: { type: "string", enum: [...FRAMEWORKS] }, default: [...FRAMEWORKS], description: "Frameworks whose requirements apply" },
  minimumRetentionDays: { type: "integer", minimum: 0, default: 0, description: "Shortest locked retention; 0 takes the chosen frameworks' minimum" },
  maxKeyRotationDays: { type: "integer", minimum: 1, maximum: 365, default: 365, description: "Longest customer-key rotation period" },
  minimumLogRetentionDays: { type: "integer", minimum: 90, default: 365, description: "Shortest retention of audit logs in their log service" },
} satisfies PolicyConfigSchema["properties"];

/** A threshold of the pack's config (policy-pack-config), by name. */
export type Threshold = keyof typeof THRESHOLDS;

export const settingsSchema: PolicyConfigSchema = { properties: THRESHOLDS };

export function settingsOf(config: Record<string, unknown>): Settings {
  const frameworks = (config.frameworks as Framework[] | undefined) ?? [...FRAMEWORKS];
  return {
    frameworks,
    minimumRetentionDays: Math.max(Number(config.minimumRetentionDays ?? 0), requiredMinimumDays(frameworks).days),
    maxKeyRotationDays: Number(config.maxKeyRotationDays ?? 365),
    minimumLogRetentionDays: Number(config.minimumLogRetentionDays ?? 365),
    requiresComplianceMode: frameworks.some((f) => FRAMEWORK_RULES[f].requiresComplianceMode),
    requiresDeletion: frameworks.some((f) => FRAMEWORK_RULES[f].requiresMaximum),
  };
}
