// The gcp dr stack promoted: the same stack file with role primary, as `npm run dr:promote` leaves it.
// It takes mail and replicates into the old primary, exactly what prod does as primary; as a
// standby (dr.test.ts) it does neither.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../policies/check/mockRun";
import { roleState } from "../../helpers/roleState";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("dr", { cloud: "gcp", config: { "email-journal:role": "primary" } });
});

it("accepts mail and replicates into prod, its old primary", () => {
  expect(roleState(run, "gcp")).toEqual({ intakeActive: true, replicatesTo: "prod" });
});

it("keeps its own archive, now marked primary, which the policy pack holds to a primary's duties", () => {
  const marks = (r: (typeof run.resources)[number]) => r.inputs.tags ?? r.inputs.labels;
  const archive = run.resources.filter((r) => marks(r)?.["journal-store"] === "archive");
  expect(archive).toHaveLength(1);
  expect(marks(archive[0]).role).toBe("primary");
});
