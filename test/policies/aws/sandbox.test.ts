// The pack on an AWS sandbox stack: the rules a sandbox legitimately fails (protection, locked
// retention, compliance mode, retention floor) skip the resources tagged as a sandbox's, and say
// instead, as advisory, that it is not for records. Without the tag, they fail again.
import { beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_TAG } from "../../../policies/shared/conventions";
import { evaluate } from "../../../infra/policyCheck/evaluate";
import { type ProgramRun, type RecordedResource, runProgram } from "../../../infra/policyCheck/mockRun";
import { resourcePolicies, stackPolicies } from "../../../policies/policies";
import { archiveLockedAndKeyed } from "../../../policies/stack/archiveProtected";
import { sandboxNotForRecords } from "../../../policies/stack/sandbox";
import { changed, type Fixture, REMOVE, stackMessages } from "../helpers";
import { azureStack, gcpStack } from "../stack/fixtures";

/** The fixture stack with its archive store's `path` replaced. */
const changedStore = (fixtures: Fixture[], path: string, value: unknown) => fixtures.map((f) => (f.name === "archive" ? { ...f, inputs: changed(f.inputs, path, value) } : f));

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1", {
    firstDeployment: true,
    config: { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 7, mode: "governance" } },
  });
}, 60_000);
const pack = { resource: resourcePolicies, stack: stackPolicies };

const untagged = (resources: RecordedResource[]) =>
  resources.map((r) => {
    if (!r.inputs.tags?.[SANDBOX_TAG]) return r;
    const { [SANDBOX_TAG]: _removed, ...tags } = r.inputs.tags;
    return { ...r, inputs: { ...r.inputs, tags } };
  });

it("finds no mandatory violation, and says the archive is not for records", async () => {
  const found = await evaluate(run.resources, pack);
  expect(found.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  expect(found).toEqual([
    {
      policy: "sandbox-not-for-records",
      enforcementLevel: "advisory",
      message: expect.stringMatching(/^journal-archive: a sandbox's store \(journal-sandbox\), not for records/),
      urn: expect.stringContaining("journal-archive"),
    },
  ]);
});

it("fails protection, locked retention, compliance mode and the retention floor again once the tag is removed", async () => {
  const found = (await evaluate(untagged(run.resources), pack)).filter((v) => v.enforcementLevel === "mandatory");
  expect(new Set(found.map((v) => v.policy))).toEqual(
    new Set(["archive-store-worm-and-key", "archive-lifecycle-respects-retention", "aws-s3-object-lock-retention", "aws-s3-archive-bucket-protected", "aws-kms-key-rotation", "aws-backup-vault-lock"]),
  );
  expect(found.map((v) => v.message)).toEqual(
    expect.arrayContaining([
      expect.stringContaining("journal-archive: the protect option is false"),
      expect.stringContaining('journal-archive-object-lock: rule.defaultRetention.mode is "GOVERNANCE"'),
      expect.stringContaining("journal-trail-logs-object-lock: rule.defaultRetention.days is 7"),
      expect.stringContaining("forceDestroy is true; set false"),
    ]),
  );
});

describe("on the other clouds' stores, tagged or labelled the same way", () => {
  const withTag = (fixtures: Fixture[], property: "tags" | "labels") =>
    fixtures.map((f) => (f.name === "archive" ? { ...f, protect: false, inputs: { ...f.inputs, [property]: { ...(f.inputs[property] as object), [SANDBOX_TAG]: "true" } } } : f));
  const azure = () => withTag(changedStore(azureStack(), "immutableStorageWithVersioning.immutabilityPolicy", { state: "Unlocked", immutabilityPeriodSinceCreationInDays: 7, allowProtectedAppendWrites: false }), "tags");
  const gcp = () => withTag(changedStore(gcpStack(), "retentionPolicy", { isLocked: false, retentionPeriod: String(7 * 86_400) }), "labels");

  it.each([
    ["azure", azure],
    ["gcp", gcp],
  ] as const)("%s: skips only the unlocked, short, unprotected retention, and says it is not for records", async (_cloud, sandbox) => {
    expect(await stackMessages(archiveLockedAndKeyed, sandbox())).toEqual([]);
    expect(await stackMessages(sandboxNotForRecords, sandbox())).toEqual([expect.stringMatching(/^archive: a sandbox's store \(journal-sandbox\), not for records/)]);
    const untagged = sandbox().map((f) => {
      if (f.name !== "archive") return f;
      const property = f.inputs.tags ? "tags" : "labels";
      return { ...f, inputs: changed(f.inputs, `${property}.${SANDBOX_TAG}`, REMOVE) };
    });
    const found = await stackMessages(archiveLockedAndKeyed, untagged);
    expect(found).toHaveLength(3);
    expect(found).toEqual(expect.arrayContaining([expect.stringContaining("the protect option is false"), expect.stringMatching(/(state is "Unlocked"|isLocked is false)/)]));
  });
});
