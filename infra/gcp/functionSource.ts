// The ingestor's source as Cloud Functions builds it: one esbuild bundle plus a package.json
// naming the Functions Framework, which the platform installs and which loads the bundle. The
// framework stays outside the bundle: a bundled copy would keep its own registry of functions,
// which the platform's copy would never see.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { bundleFunction } from "../bundle";

export const GCP_ENTRY = "gcp/index.ts";
export const GCP_RUNTIME = "nodejs22";
export const GCP_BUNDLE_TARGET = "node22";
export const FRAMEWORK = { name: "@google-cloud/functions-framework", version: "5.0.5" } as const;
export const GCP_EXTERNALS = [FRAMEWORK.name] as const;

export const SOURCE_PACKAGE = {
  name: "email-journal-ingestor",
  private: true,
  main: "index.js",
  engines: { node: "22" },
  dependencies: { [FRAMEWORK.name]: FRAMEWORK.version },
};

export function functionSource() {
  const code = bundleFunction(GCP_ENTRY, GCP_BUNDLE_TARGET, GCP_EXTERNALS).code;
  const manifest = JSON.stringify(SOURCE_PACKAGE, null, 2);
  // The object name carries the content hash, so that a code change redeploys the functions.
  const hash = createHash("sha256").update(code).update(manifest).digest("hex").slice(0, 16);
  return {
    objectName: `ingestor-${hash}.zip`,
    archive: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(code), "package.json": new pulumi.asset.StringAsset(manifest) }),
  };
}
