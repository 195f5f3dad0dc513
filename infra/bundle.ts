// Function code is bundled by the Pulumi program itself, from functions/, with esbuild:
// one minified file with every dependency pinned inside (the AWS SDK included, rather than
// whatever version the runtime happens to ship).
import { buildSync, type Metafile } from "esbuild";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";

const ROOT = join(__dirname, "..");

export interface Bundle {
  readonly code: string;
  readonly metafile: Metafile;
}

/**
 * Bundles `functions/<entry>` for Node.js `target` (e.g. "node22") as CommonJS. `external` names
 * modules the platform provides at run time (Azure's worker injects `@azure/functions-core`).
 */
export function bundleFunction(entry: string, target: string, external: readonly string[] = []): Bundle {
  const result = buildSync({
    entryPoints: [join(ROOT, "functions", entry)],
    bundle: true,
    minify: true,
    platform: "node",
    target,
    format: "cjs",
    external: [...external],
    // ESM dependencies (Azure's storage-common) read import.meta.url, which CommonJS output lacks.
    define: { "import.meta.url": "__bundleUrl" },
    // Packages whose every use in the functions Node itself covers (functions/shims says how each is used).
    alias: { "whatwg-url": join(ROOT, "functions", "shims", "whatwgUrl.ts"), "encoding-japanese": join(ROOT, "functions", "shims", "encodingJapanese.ts") },
    banner: { js: 'const __bundleUrl=require("node:url").pathToFileURL(__filename).href;' },
    write: false,
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
  });
  return { code: result.outputFiles[0].text, metafile: result.metafile };
}

/** The bundle as a Lambda/Functions code archive with one file, `index.js`. */
export function bundleArchive(entry: string, target: string): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleFunction(entry, target).code) });
}
