// The pack as `pulumi policy publish` ships it and a Pulumi CLI that enforces it installs it:
// publish runs `npm pack` in the pack's folder and uploads that tarball (pulumi/pulumi,
// pkg/backend/httpstate/policypack.go, Publish: npm.Pack for a nodejs pack); the CLI unpacks it
// into a folder of its own and installs its dependencies there. Here: the same tarball, unpacked
// into a temporary folder, installed from its own lockfile, run as a policy plugin, and asked for
// its rules and their verdicts on a stack's planned resources. The folder alone must be enough.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "../../infra/policyCheck/evaluate";
import { type ProgramRun, runProgram } from "../../infra/policyCheck/mockRun";
import { policyNames, resourcePolicies, stackPolicies } from "../../policies/policies";
import { PACK_NAME, PACK_VERSION } from "../../policies/shared/pack";
import { edit } from "./mutations";
import { importsOutside } from "./packImports";
import { type PackPlugin, startPackPlugin } from "./packPlugin";

const PACK = join(__dirname, "..", "..", "policies");
const work = mkdtempSync(join(tmpdir(), "policy-pack-"));
const shipped = join(work, "package");
const quiet = { npm_config_update_notifier: "false", npm_config_loglevel: "error" };
const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", env: { ...process.env, ...quiet } });

afterAll(() => rmSync(work, { recursive: true, force: true }));

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (name === "node_modules" ? [] : statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [relative(shipped, join(dir, name))]));

describe("the published pack", () => {
  beforeAll(() => {
    const started = Date.now();
    // What `pulumi policy publish` uploads, unpacked where nothing else of this repository is.
    const tarball = npm(["pack", "--pack-destination", work], PACK).trim().split("\n").pop()!;
    execFileSync("tar", ["-xzf", join(work, tarball), "-C", work]);
    npm(["ci", "--prefer-offline", "--no-audit", "--no-fund"], shipped);
    console.log(`policy pack packed and installed from its tarball in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 120_000);

  it("holds the pack, its lockfile and nothing of the offline check", () => {
    const shippedFiles = files(shipped);
    // package-lock.json never ships (npm pack leaves it out); npm-shrinkwrap.json does, so the CLI installs what was tested.
    expect(shippedFiles).toEqual(expect.arrayContaining(["PulumiPolicy.yaml", "package.json", "npm-shrinkwrap.json", "tsconfig.json", "index.ts", "shared/pack.ts"]));
    expect(shippedFiles.filter((f) => /^(check|node_modules)\//.test(f) || f.endsWith(".test.ts"))).toEqual([]);
  });

  it("imports nothing from outside its folder, and only packages it declares", () => {
    expect(importsOutside(shipped)).toEqual([]);
  });

  it("compiles with its own tsconfig and its own TypeScript", () => {
    const tsc = join(shipped, "node_modules", "typescript", "bin", "tsc");
    const compiled = spawnSync(process.execPath, [tsc, "--noEmit", "-p", shipped], { encoding: "utf8" });
    expect({ status: compiled.status, errors: compiled.stdout }).toEqual({ status: 0, errors: "" });
  });

  describe("run as Pulumi runs a policy pack", () => {
    let plugin: PackPlugin | undefined;
    let run: ProgramRun;
    beforeAll(async () => {
      [plugin, run] = await Promise.all([startPackPlugin(shipped), runProgram("aws-us-east-1")]);
    }, 120_000);
    afterAll(() => plugin?.stop());

    it("loads as Pulumi loads it, with the name and version the policy group pins and every rule", async () => {
      const info = await plugin!.info();
      expect(info).toMatchObject({ name: PACK_NAME, version: PACK_VERSION });
      expect(PACK_VERSION).toBe(JSON.parse(readFileSync(join(PACK, "package.json"), "utf8")).version);
      expect(info.policies.sort()).toEqual(policyNames().sort());
    });

    it("judges a stack's planned resources as the offline check does", async () => {
      // The primary with its archive's retention shortened and a key's rotation off: resource and stack rules both fire.
      let planned = edit(run.resources, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "archive", (inputs) => (inputs.rule.defaultRetention.days = 30));
      planned = edit(planned, "aws:kms/key:Key", "", (inputs) => (inputs.enableKeyRotation = false));
      const verdict = (v: { policy: string; message: string; enforcementLevel: string }) => `${v.enforcementLevel} ${v.policy}: ${v.message}`;
      const fromTarball = (await plugin!.analyze(planned)).map(verdict).sort();
      const inRepo = (await evaluate(planned, { resource: resourcePolicies, stack: stackPolicies })).map(verdict).sort();
      expect(fromTarball).toEqual(inRepo);
      expect(fromTarball).toEqual(expect.arrayContaining([expect.stringMatching(/^mandatory aws-s3-object-lock-retention: .*days is 30/), expect.stringMatching(/^mandatory aws-kms-key-rotation: .*enableKeyRotation is false/)]));
      expect(await plugin!.analyze(run.resources)).toEqual([]);
    });
  });
});

describe("importsOutside", () => {
  it("names a relative import out of the folder and an undeclared package, and passes the rest", () => {
    const dir = mkdtempSync(join(tmpdir(), "pack-imports-"));
    try {
      mkdirSync(join(dir, "aws"));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ dependencies: { "@pulumi/policy": "1.21.0" } }));
      writeFileSync(join(dir, "shared.ts"), "export const X = 1;\n");
      writeFileSync(
        join(dir, "aws", "rule.ts"),
        ['import type { ResourceValidationPolicy } from "@pulumi/policy";', 'import { X } from "../shared";', 'import { readFileSync } from "node:fs";', 'import { SANDBOX_TAG } from "../../infra/conventions";', 'import { load } from "js-yaml";'].join("\n"),
      );
      expect(importsOutside(dir)).toEqual(["aws/rule.ts: ../../infra/conventions (outside the pack folder)", "aws/rule.ts: js-yaml (js-yaml is not a dependency in its package.json)"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
