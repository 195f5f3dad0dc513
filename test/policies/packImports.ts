// What a pack folder's TypeScript imports that the folder alone cannot provide: a relative path
// leading out of it, or a package its package.json does not declare. `pulumi policy publish`
// ships the folder alone, so either would break the published pack.
import { builtinModules } from "node:module";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    return statSync(path).isDirectory() ? sources(path) : name.endsWith(".ts") ? [path] : [];
  });
}

/** The package a bare specifier names: `@scope/name` or `name`. */
const packageOf = (specifier: string) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/** Each import of the folder's .ts files that reaches outside it, as `<file>: <specifier> (<why>)`. */
export function importsOutside(packDir: string): string[] {
  const root = resolve(packDir);
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  const problems: string[] = [];
  for (const file of sources(root)) {
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
      const where = `${relative(root, file)}: ${specifier}`;
      if (specifier.startsWith(".")) {
        const target = resolve(dirname(file), specifier);
        if (target !== root && !target.startsWith(root + sep)) problems.push(`${where} (outside the pack folder)`);
      } else if (specifier.startsWith("node:") || builtinModules.includes(specifier)) {
        continue;
      } else if (!declared.has(packageOf(specifier))) {
        problems.push(`${where} (${packageOf(specifier)} is not a dependency in its package.json)`);
      }
    }
  }
  return problems;
}
