// The program entry under Pulumi mocks, with the real prod stack file as its config.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { runtimeConfig } from "../../policies/check/stackFiles";

const outputValue = <T>(output: pulumi.Output<T> | T): Promise<T> =>
  new Promise((resolve) => (pulumi.Output.isInstance(output) ? (output as pulumi.Output<T>).apply(resolve) : resolve(output as T)));

let program: Record<string, unknown>;

beforeAll(async () => {
  pulumi.runtime.setAllConfig(runtimeConfig("prod"));
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    "email-journal",
    "prod",
    true,
  );
  // The program exports its main function, which Pulumi's Node runtime calls.
  const main = (await import("../../infra/index")) as unknown as { default: () => Promise<Record<string, unknown>> };
  program = await main.default();
});

describe("infra/index.ts on the prod stack", () => {
  it("exports the checked config the DR pair and operators rely on", async () => {
    expect(await outputValue(program.cloud)).toBe("aws");
    expect(await outputValue(program.role)).toBe("primary");
    expect(await outputValue(program.peerStack)).toBe("acme-bank/email-journal/dr");
    expect(await outputValue(program.retention)).toEqual({ minimumDays: 2557, maximumDays: 2922, mode: "compliance" });
    expect(await outputValue(program.tags)).toMatchObject({ stack: "prod", role: "primary", "data-classification": "restricted" });
  });
});
