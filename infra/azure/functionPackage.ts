// The Function App's code package: the ingestor bundled by esbuild with host.json and a
// package.json, zipped. `pulumi up` cannot upload it (see ingest.ts), so CI builds it with
// `npm run package:azure` and deploys it with `az functionapp deploy` (README, "Azure").
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { bundleFunction } from "../bundle";
import { zip } from "../zip";
import { NODE_VERSION } from "./ingest";

export const AZURE_ENTRY = "azure/index.ts";
export const AZURE_BUNDLE_TARGET = `node${NODE_VERSION}`;
/** Provided by the Functions worker at run time, never bundled. */
export const AZURE_EXTERNALS = ["@azure/functions-core"] as const;

export const HOST_JSON = {
  version: "2.0",
  // The Event Grid trigger comes from the extension bundle.
  extensionBundle: { id: "Microsoft.Azure.Functions.ExtensionBundle", version: "[4.*, 5.0.0)" },
  // Every invocation's lines are kept: audit lines travel in them, so none may be sampled away.
  logging: { applicationInsights: { samplingSettings: { isEnabled: false } } },
};

export function functionPackage(): Buffer {
  const bundle = bundleFunction(AZURE_ENTRY, AZURE_BUNDLE_TARGET, AZURE_EXTERNALS);
  const manifest = { name: "email-journal-ingestor", private: true, main: "index.js", type: "commonjs" };
  return zip([
    { name: "host.json", data: Buffer.from(JSON.stringify(HOST_JSON, null, 2)) },
    { name: "package.json", data: Buffer.from(JSON.stringify(manifest, null, 2)) },
    { name: "index.js", data: Buffer.from(bundle.code) },
  ]);
}

if (require.main === module) {
  const target = resolve(process.argv[2] ?? "dist/azure-ingestor.zip");
  mkdirSync(dirname(target), { recursive: true });
  const archive = functionPackage();
  writeFileSync(target, archive);
  process.stdout.write(`${target}: ${archive.length} bytes\n`);
}
