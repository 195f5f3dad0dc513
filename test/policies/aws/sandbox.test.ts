// The pack on an AWS sandbox stack: the rules a sandbox legitimately fails (protection, locked
// retention, compliance mode, retention floor) skip the resources tagged as a sandbox's, and say
// instead, as advisory, that it is not for records. Without the tag, they fail again.
import { beforeAll, expect, it } from "vitest";
import { SANDBOX_TAG } from "../../../infra/conventions";
import { evaluate } from "../../../policies/check/evaluate";
import { type ProgramRun, type RecordedResource, runProgram } from "../../../policies/check/mockRun";
import { resourcePolicies, stackPolicies } from "../../../policies/policies";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("prod", {
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
