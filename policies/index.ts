// The compliance policy pack, as `pulumi preview --policy-pack policies` loads it. This file only
// assembles the rules; they live one per file under aws/, azure/, gcp/ and stack/.
import { PolicyPack } from "@pulumi/policy";
import { resourcePolicies, stackPolicies } from "./policies";
import { PACK_NAME } from "./shared/pack";

new PolicyPack(PACK_NAME, {
  enforcementLevel: "mandatory",
  policies: [...resourcePolicies, ...stackPolicies],
});
