// The Pulumi program: read and check the stack's config once, build the chosen cloud's
// archive, and export what the DR peer and operators need. Pulumi Cloud governance is not made
// here: the governance/ project attaches it from outside, so no update of this stack can remove it.
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, resourceTags, type StackConfig } from "./config";
import { deployedPeer } from "./peer";

/** Whether this stack has been deployed before: its own last outputs name its archive. */
async function deployedBefore(): Promise<boolean> {
  const self = new pulumi.StackReference("journal-self", { name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}` });
  const archive = await self.getOutputValue("archiveAccountName");
  return typeof archive === "string" && archive.length > 0;
}

// Each cloud's component is loaded only for a stack on that cloud: a provider's SDK takes most of a
// second to load, and a stack never needs the other two.
async function build(config: StackConfig) {
  const peer = await deployedPeer(config);
  switch (config.cloud) {
    case "aws": {
      const { checkLockedSettings, JournalArchiveAws } = await import("./aws");
      // A change the locked buckets' policies refuse the normal deployer stops here, naming the role to use.
      await checkLockedSettings(config);
      return new JournalArchiveAws("journal", { config, peer });
    }
    case "azure": {
      const { JournalArchiveAzure } = await import("./azure");
      // Azure locks retention on the update after the one that creates it (see infra/azure/index.ts).
      return new JournalArchiveAzure("journal", { config, peer, deployedBefore: await deployedBefore() });
    }
    case "gcp": {
      const { JournalArchiveGcp } = await import("./gcp");
      return new JournalArchiveGcp("journal", { config, peer });
    }
  }
}

export = async () => {
  const config = loadStackConfig();
  const archive = await build(config);
  // The same keys on every cloud first, then the cloud's own (the peer stack reads some of them).
  return {
    cloud: config.cloud,
    region: config.region,
    role: config.role,
    peerStack: config.peerStack,
    peerRegion: config.peerRegion,
    retention: config.retention,
    frameworks: config.frameworks,
    tags: resourceTags(config),
    intakeAddresses: archive.intakeAddresses,
    ...archive.outputs,
  };
};
