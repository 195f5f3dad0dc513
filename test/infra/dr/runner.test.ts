// The real runner drives the Pulumi CLI; where it is missing (as here and in CI) the operator is
// told so plainly, not shown a spawn error code.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { pulumiRunner } from "../../../infra/dr/runner";

it("says the pulumi CLI is not on PATH, and how to get it", async () => {
  process.env.PATH = "";
  const runner = pulumiRunner(mkdtempSync(join(tmpdir(), "journal-runner-")));
  await expect(runner.preview("acme-bank/email-journal/dr", "Pulumi.dr.yaml", () => undefined)).rejects.toThrow(
    "the pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to the stacks' backend",
  );
});
