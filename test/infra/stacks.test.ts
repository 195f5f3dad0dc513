// Every stack file the project ships, as a platform team meets them: each parses, each is named for
// its cloud and region, and each names as its peer a stack whose file names it back, on the same
// cloud in another region. `pulumi up --stack <name>` then needs no other flag.
import { describe, expect, it } from "vitest";
import { parseStackConfig, type StackConfig } from "../../infra/config";
import { projectConfig, stackNames } from "../../infra/stackFiles";

const stacks = stackNames();
const configs = new Map<string, StackConfig>(stacks.map((stack) => [stack, parseStackConfig(projectConfig(stack), stack)]));

describe("the shipped stacks", () => {
  it("are at least three regions and two clouds' pairs, each file where Pulumi looks for it", () => {
    expect(stacks).toEqual(expect.arrayContaining(["aws-us-east-1", "aws-us-west-2", "aws-eu-west-1", "aws-eu-central-1", "azure-eastus2", "azure-centralus", "gcp-us-east4", "gcp-us-central1"]));
    expect(new Set([...configs.values()].map((c) => `${c.cloud}/${c.region}`)).size).toBe(stacks.length);
  });

  it.each(stacks)("%s is named for its cloud and region", (stack) => {
    const config = configs.get(stack)!;
    expect(stack).toBe(`${config.cloud}-${config.region}`);
  });

  it.each(stacks)("%s names a peer whose file names it back: one primary and one standby, one cloud, two regions", (stack) => {
    const config = configs.get(stack)!;
    const peerName = config.peerStack.split("/").pop()!;
    const peer = configs.get(peerName);
    expect(peer, `${stack}'s peer ${peerName} has no stack file`).toBeDefined();
    expect(peer!.peerStack.split("/").pop()).toBe(stack);
    expect(peer!.cloud).toBe(config.cloud);
    expect(peer!.region).toBe(config.peerRegion);
    expect([config.role, peer!.role].sort()).toEqual(["primary", "standby"]);
  });
});
