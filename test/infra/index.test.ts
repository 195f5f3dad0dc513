// The program entry under Pulumi mocks, with the real primary file as its config.
import { beforeAll, describe, expect, it } from "vitest";
import { type ProgramRun, runProgram } from "../../infra/policyCheck/mockRun";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("aws-us-east-1");
});

describe("infra/index.ts on the primary", () => {
  it("exports the checked config the DR pair and operators rely on", () => {
    expect(run.outputs).toMatchObject({
      cloud: "aws",
      role: "primary",
      peerStack: "acme-bank/email-journal/aws-us-west-2",
      retention: { minimumDays: 2557, maximumDays: 2922, mode: "compliance" },
      tags: { stack: "aws-us-east-1", role: "primary", "data-classification": "restricted" },
    });
  });

  it("reads its peer once, and on AWS its own last outputs once, before building", () => {
    expect(run.ofType("pulumi:pulumi:StackReference").map((r) => [r.name, r.inputs.name])).toEqual([
      ["journal-peer", "acme-bank/email-journal/aws-us-west-2"],
      ["journal-self", "acme-bank/email-journal/aws-us-east-1"],
    ]);
  });
});
