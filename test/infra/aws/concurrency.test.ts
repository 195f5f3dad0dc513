// The ingestor's reserved concurrency is the stack's choice (finding 6): Lambda refuses a reservation
// that leaves the account fewer than 100 unreserved executions, so none is made unless asked for.
import { beforeAll, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1", { config: { "email-journal:reservedConcurrency": 50 } });
}, 60_000);

it("reserves what email-journal:reservedConcurrency asks, and alarms when the ingestor is throttled", () => {
  expect(run.one("aws:lambda/function:Function").inputs.reservedConcurrentExecutions).toBe(50);
  expect(run.one("aws:cloudwatch/metricAlarm:MetricAlarm", "throttles").inputs).toMatchObject({ namespace: "AWS/Lambda", metricName: "Throttles" });
});
