// A primary reads its peer's outputs before it builds anything (infra/peer.ts). When the standby
// has not been deployed, the error names the peer, what is missing and the command to run first.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../infra/config";
import { deployedPeer, PEER_OUTPUTS } from "../../infra/peer";
import { projectConfig } from "../../infra/stackFiles";

// The one deployed peer in this test: acme-bank/email-journal/standby-deployed.
const DEPLOYED: Record<string, string> = { archiveBucketArn: "arn:aws:s3:::dr", archiveKmsKeyArn: "arn:aws:kms:us-west-2:1:key/k" };
const references: string[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        references.push(args.inputs.name);
        return { id: args.inputs.name, state: { ...args.inputs, outputs: args.inputs.name.endsWith("standby-deployed") ? DEPLOYED : {} } };
      },
      call: (args) => args.inputs,
    },
    "email-journal",
    "aws-us-east-1",
    false,
  );
});

const configOf = (stack: string, change: Record<string, unknown> = {}) => parseStackConfig({ ...projectConfig(stack), ...change }, stack);

describe("deployedPeer", () => {
  it.each([
    ["aws-us-east-1", "aws-us-west-2", "archiveBucketArn, archiveKmsKeyArn outputs"],
    ["azure-eastus2", "azure-centralus", "subscriptionId, resourceGroupName, archiveAccountName outputs"],
    ["gcp-us-east4", "gcp-us-central1", "archiveBucket output"],
  ] as const)("stops the primary %s whose standby is not deployed, naming what is missing and the command", async (primary, standby, missing) => {
    await expect(deployedPeer(configOf(primary))).rejects.toThrow(
      `email-journal:peerStack = "acme-bank/email-journal/${standby}": that stack has no ${missing} yet. A primary replicates into its standby, so the standby is deployed first: run \`pulumi up --stack ${standby}\`, then this stack again. Nothing was created.`,
    );
  });

  it("returns the peer's outputs once it is deployed", async () => {
    expect(await deployedPeer(configOf("aws-us-east-1", { peerStack: "acme-bank/email-journal/standby-deployed" }))).toEqual(DEPLOYED);
    expect(Object.keys(DEPLOYED)).toEqual([...PEER_OUTPUTS.aws]);
  });

  it("reads nothing for a standby: it is deployed first, before its peer exists", async () => {
    const before = references.length;
    expect(await deployedPeer(configOf("gcp-us-central1"))).toBeUndefined();
    expect(references.length).toBe(before);
  });
});
