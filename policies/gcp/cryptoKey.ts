import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";
import { isSandbox } from "./sandbox";

export const cryptoKeyRotation = resourceRule({
  name: "gcp-kms-key-rotation",
  description: "Every Cloud KMS key rotates at most every maxKeyRotationDays and is protected from deletion by Pulumi (a sandbox's key is not)",
  controls: SERVES.confidentiality,
  causes: [
    { names: "rotationPeriod", thresholds: ["maxKeyRotationDays"] },
  ],
  types: ["gcp:kms/cryptoKey:CryptoKey"],
  check: (props, report, settings, args) => {
    const seconds = Number(String(props.rotationPeriod ?? "").replace(/s$/, ""));
    const limit = settings.maxKeyRotationDays * 86_400;
    if (!props.rotationPeriod || !(seconds <= limit)) report(problem("rotationPeriod", props.rotationPeriod, `set at most "${limit}s" (${settings.maxKeyRotationDays} days)`));
    if (!args.opts.protect && !isSandbox(props)) report(problem("the protect option", args.opts.protect, "create the key with { protect: true, retainOnDelete: true }"));
  },
});
