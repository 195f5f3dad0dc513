// The Pulumi program: read and check the stack's config once, build the chosen cloud's archive, export what the
// DR pair, governance and operators need.
import { loadStackConfig, resourceTags } from "./config";

const config = loadStackConfig();

// The chosen cloud's archive component is built here (infra/aws, infra/azure, infra/gcp).

export const cloud = config.cloud;
export const region = config.region;
export const role = config.role;
export const peerStack = config.peerStack;
export const peerRegion = config.peerRegion;
export const retention = config.retention;
export const frameworks = config.frameworks;
export const intakeAddresses = config.intake.addresses;
export const tags = resourceTags(config);
