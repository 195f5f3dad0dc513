// The Function App package `npm run package:azure` builds and `az functionapp deploy` uploads:
// a zip any unzip tool reads (checked with Python's zipfile, an independent reader), holding
// host.json, package.json and a bundle that loads on its own, without node_modules.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionPackage } from "../../../infra/azure/functionPackage";
import { FUNCTIONS } from "../../../infra/azure/ingest";

let dir: string;
let archive: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "journal-azure-package-"));
  archive = functionPackage();
  writeFileSync(join(dir, "package.zip"), archive);
  const python = `import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nz.extractall(sys.argv[2])\nprint("\\n".join(z.namelist()))`;
  execFileSync("python3", ["-c", python, join(dir, "package.zip"), join(dir, "app")]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the Azure function package", () => {
  it("holds host.json with the extension bundle (the Event Grid trigger), and package.json whose main is the bundle", () => {
    const host = JSON.parse(readFileSync(join(dir, "app", "host.json"), "utf8"));
    expect(host).toMatchObject({ version: "2.0", extensionBundle: { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" } });
    expect(host.logging.applicationInsights.samplingSettings.isEnabled).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "app", "package.json"), "utf8"))).toMatchObject({ main: "index.js" });
  });

  it("loads without node_modules and registers both functions with the host", () => {
    // Outside the Functions host, @azure/functions says which registrations it skipped: proof that they ran.
    const result = spawnSync(process.execPath, ["-e", "require('./index.js')"], { cwd: join(dir, "app"), encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(result.status, result.stderr).toBe(0);
    for (const name of Object.values(FUNCTIONS)) expect(result.stderr).toContain(`register function "${name}"`);
  });

  it("is byte-identical when built twice from the same sources", () => {
    expect(functionPackage().equals(archive)).toBe(true);
  });
});
