// A primary reads its peer's outputs before it builds anything (infra/peer.ts). When the standby
// has not been deployed, the error names the peer, what is missing and the command to run first.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig, type Cloud } from "../../infra/config";
import { deployedPeer, PEER_OUTPUTS } from "../../infra/peer";
import { projectConfig } from "../../policies/check/stackFiles";

// The one deployed peer in this test: acme-bank/email-journal/dr-deployed.
const DEPLOYED: Record<string, string> = { archiveBucketArn: "arn:aws:s3:::dr", archiveKmsKeyArn: "arn:aws:kms:us-west-2:1:key/k" };
const references: string[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        references.push(args.inputs.name);
        return { id: args.inputs.name, state: { ...args.inputs, outputs: args.inputs.name.endsWith("dr-deployed") ? DEPLOYED : {} } };
      },
      call: (args) => args.inputs,
    },
    "email-journal",
    "prod",
    false,
  );
});

const configOf = (stack: string, cloud: Cloud, change: Record<string, unknown> = {}) => parseStackConfig({ ...projectConfig(stack, cloud), ...change }, stack);

describe("deployedPeer", () => {
  it.each([
    ["aws", "run `pulumi up --stack dr`", "archiveBucketArn, archiveKmsKeyArn outputs"],
    ["azure", "run `pulumi up --stack dr --config-file stacks/azure/Pulumi.dr.yaml`", "subscriptionId, resourceGroupName, archiveAccountName outputs"],
    ["gcp", "run `pulumi up --stack dr --config-file stacks/gcp/Pulumi.dr.yaml`", "archiveBucket output"],
  ] as const)("stops a %s primary whose standby is not deployed, naming what is missing and the command", async (cloud, command, missing) => {
    await expect(deployedPeer(configOf("prod", cloud))).rejects.toThrow(
      `email-journal:peerStack = "acme-bank/email-journal/dr": that stack has no ${missing} yet. A primary replicates into its standby, so the standby is deployed first: ${command}, then this stack again. Nothing was created.`,
    );
  });

  it("returns the peer's outputs once it is deployed", async () => {
    expect(await deployedPeer(configOf("prod", "aws", { peerStack: "acme-bank/email-journal/dr-deployed" }))).toEqual(DEPLOYED);
    expect(Object.keys(DEPLOYED)).toEqual([...PEER_OUTPUTS.aws]);
  });

  it("reads nothing for a standby: it is deployed first, before its peer exists", async () => {
    const before = references.length;
    expect(await deployedPeer(configOf("dr", "gcp"))).toBeUndefined();
    expect(references.length).toBe(before);
  });
});
