import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { sandboxed } from "../stack/stores";

export const keyRotation = resourceRule({
  name: "aws-kms-key-rotation",
  description: "Every KMS key rotates automatically at most every maxKeyRotationDays, waits the longest deletion window, and is protected from deletion by Pulumi (a sandbox's key excepted)",
  controls: SERVES.confidentiality,
  causes: [
    { names: "rotationPeriodInDays", thresholds: ["maxKeyRotationDays"] },
  ],
  types: ["aws:kms/key:Key"],
  check: (props, report, settings, args) => {
    if (props.enableKeyRotation !== true) report(problem("enableKeyRotation", props.enableKeyRotation, "set true"));
    // AWS rotates yearly when no period is given.
    const period = props.rotationPeriodInDays ?? 365;
    if (period > settings.maxKeyRotationDays) report(problem("rotationPeriodInDays", period, `set at most ${settings.maxKeyRotationDays}`));
    if (props.deletionWindowInDays !== undefined && props.deletionWindowInDays < 30) report(problem("deletionWindowInDays", props.deletionWindowInDays, "set 30, so a mistaken deletion can be cancelled"));
    // A sandbox's key is scheduled for deletion with its stack, by design.
    if (!args.opts.protect && !sandboxed(props)) report(problem("the protect option", args.opts.protect, "create the key with { protect: true, retainOnDelete: true }"));
  },
});
