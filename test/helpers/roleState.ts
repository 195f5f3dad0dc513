// What `primary` and `standby` mean, read off a stack the program built under mocks, in the same
// terms on every cloud: is intake accepting mail, and into which stack does the archive replicate.
import { SAMPLE_STACKS } from "./stacks";
import { beforeAll, expect, it } from "vitest";
import type { Cloud } from "../../infra/config";
import { type ProgramRun, runProgram } from "../../infra/policyCheck/mockRun";
import { CLOUD_MOCKS } from "../../infra/policyCheck/mocks";

export interface RoleState {
  /** Mail can enter: SES rule set active (AWS); functions enabled and subscribed (Azure); relays may invoke and notifications are pushed (GCP). */
  readonly intakeActive: boolean;
  /** The stack whose archive receives this one's copies, or undefined when it replicates nothing. */
  readonly replicatesTo?: string;
}

const appSettings = (run: ProgramRun) => Object.fromEntries(run.one("azure-native:web:WebApp").inputs.siteConfig.appSettings.map((s: { name: string; value: string }) => [s.name, s.value]));

const INTAKE_ACTIVE: Record<Cloud, (run: ProgramRun) => boolean> = {
  aws: (run) => run.ofType("aws:ses/activeReceiptRuleSet:ActiveReceiptRuleSet").length === 1,
  azure: (run) => {
    const settings = appSettings(run);
    return settings["AzureWebJobs.ingestHttp.Disabled"] === "false" && settings["AzureWebJobs.ingestBlob.Disabled"] === "false" && run.ofType("azure-native:eventgrid:SystemTopicEventSubscription").length === 1;
  },
  gcp: (run) => run.ofType("gcp:cloudrunv2/serviceIamMember:ServiceIamMember").some((m) => m.name.includes("relay-invoker")) && run.one("gcp:pubsub/subscription:Subscription", "inbox-subscription").inputs.pushConfig !== undefined,
};

/** The resources that carry the copy, serialised: they must name the peer's archive. */
const REPLICATION: Record<Cloud, string> = {
  aws: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  azure: "azure-native:storage:ObjectReplicationPolicy",
  gcp: "gcp:storage/transferJob:TransferJob",
};

/** The peer's archive name as its outputs give it, on each cloud. */
const PEER_ARCHIVE: Record<Cloud, (outputs: Record<string, unknown>) => string> = {
  aws: (o) => String(o.archiveBucketArn),
  azure: (o) => String(o.archiveAccountName),
  gcp: (o) => String(o.archiveBucket),
};

export function roleState(run: ProgramRun, cloud: Cloud): RoleState {
  const replication = run.ofType(REPLICATION[cloud]);
  const peer = run.ofType("pulumi:pulumi:StackReference").find((r) => r.name === "journal-peer");
  if (replication.length === 0 || !peer) return { intakeActive: INTAKE_ACTIVE[cloud](run) };
  const peerStack = String(peer.inputs.name).split("/").pop()!;
  const archive = PEER_ARCHIVE[cloud](CLOUD_MOCKS[cloud].stackOutputs(peerStack, { stack: peerStack, region: "" }));
  const intoPeer = replication.some((r) => JSON.stringify(r.inputs).includes(archive));
  return { intakeActive: INTAKE_ACTIVE[cloud](run), ...(intoPeer ? { replicatesTo: peerStack } : {}) };
}

/**
 * The standby promoted (its file with role primary, as `npm run dr:promote` leaves it) takes mail
 * and replicates into the old primary, exactly what the primary does. One test file per cloud
 * calls this, because Pulumi's runtime state is global.
 */
export function promotedDrBehavesAsPrimary(cloud: Cloud): void {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(SAMPLE_STACKS[cloud].standby, { config: { "email-journal:role": "primary" } });
  });

  it("accepts mail and replicates into its old primary", () => {
    expect(roleState(run, cloud)).toEqual({ intakeActive: true, replicatesTo: SAMPLE_STACKS[cloud].primary });
  });

  it("keeps its own archive, now marked primary, which the policy pack holds to a primary's duties", () => {
    const marks = (r: (typeof run.resources)[number]) => r.inputs.tags ?? r.inputs.labels;
    const archive = run.resources.filter((r) => marks(r)?.["journal-store"] === "archive");
    expect(archive).toHaveLength(1);
    expect(marks(archive[0]).role).toBe("primary");
  });
}
