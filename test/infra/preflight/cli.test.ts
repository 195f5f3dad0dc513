// The preflight command as an operator meets it: a table that says what failed and what to do,
// and a refusal that names a bad argument. The checks themselves are tested per cloud against
// SDK mocks (aws.test.ts, azure.test.ts, gcp.test.ts).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { renderChecks } from "../../../infra/preflight/cli";

const run = promisify(execFile);
const CLI = join(__dirname, "..", "..", "..", "infra", "preflight", "cli.ts");

describe("the preflight table", () => {
  it("shows each check's status and, for what failed or could not be asked, what to do", () => {
    const table = renderChecks("prod", [
      { name: "Lambda concurrency", status: "pass", detail: "unreserved: 1000 available", fix: "never shown for a pass" },
      { name: "SES rule set", status: "fail", detail: "rule set legacy-inbound is active", fix: "merge its rules into ours first" },
      { name: "domain verified", status: "unknown", detail: "AWS did not say (AccessDenied)", fix: "check SES identities by hand" },
    ]);
    expect(table.split("\n")).toEqual([
      "preflight for stack prod",
      "pass  Lambda concurrency  unreserved: 1000 available",
      "FAIL  SES rule set        rule set legacy-inbound is active",
      "                          → merge its rules into ours first",
      "????  domain verified     AWS did not say (AccessDenied)",
      "                          → check SES identities by hand",
      "1 passed, 1 failed, 1 unknown",
    ]);
  });
});

describe("npm run preflight", () => {
  const preflight = (args: string[]) =>
    run(process.execPath, ["--import", "tsx", CLI, ...args]).then(
      (out) => ({ code: 0, stdout: out.stdout, stderr: out.stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );

  it("refuses a missing stack or an unknown cloud with the usage, exit 2", async () => {
    const [none, cloud] = await Promise.all([preflight([]), preflight(["--stack", "prod", "--cloud", "oracle"])]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--stack is required\n\nusage: npm run preflight/);
    expect(cloud.code).toBe(2);
    expect(cloud.stderr).toMatch(/--cloud must be one of aws, azure, gcp, got "oracle"/);
  });
});
