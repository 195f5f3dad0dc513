import { SERVES } from "../controls";
import { isoDurationDays } from "../duration";
import { problem, resourceRule } from "../rule";
import { isSandbox } from "./sandbox";

export const keyRotation = resourceRule({
  name: "azure-key-rotation",
  description: "Every Key Vault key has a rotation policy that rotates at most every maxKeyRotationDays, and is protected from deletion by Pulumi (outside a sandbox)",
  controls: SERVES.confidentiality,
  causes: [
    { names: "rotate trigger.timeAfterCreate", thresholds: ["maxKeyRotationDays"] },
  ],
  types: ["azure-native:keyvault:Key"],
  check: (props, report, settings, args) => {
    const actions = (props.properties?.rotationPolicy?.lifetimeActions ?? []) as any[];
    const rotate = actions.find((a) => String(a.action?.type).toLowerCase() === "rotate");
    const after = rotate?.trigger?.timeAfterCreate;
    if (!rotate) report(problem("properties.rotationPolicy.lifetimeActions", "without a rotate action", `add { action: { type: "rotate" }, trigger: { timeAfterCreate: "P${settings.maxKeyRotationDays}D" } }`));
    else if (!(isoDurationDays(after) <= settings.maxKeyRotationDays)) report(problem("rotate trigger.timeAfterCreate", after, `set at most P${settings.maxKeyRotationDays}D`));
    if (!args.opts.protect && !isSandbox(props)) report(problem("the protect option", args.opts.protect, "create the key with { protect: true, retainOnDelete: true }"));
  },
});
