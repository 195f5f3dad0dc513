// The stack files, read the way Pulumi reads them: `Pulumi.<stack>.yaml` beside Pulumi.yaml, one per
// stack, named for its cloud and region (`aws-us-east-1`). For the offline checks, the preflight,
// promotion and tests; the program itself gets its config from Pulumi.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";

export const ROOT = join(__dirname, "..");

/** The stack file of `stack` (its short name), in the project folder `root`. */
export function stackFilePath(stack: string, root = ROOT): string {
  return join(root, `Pulumi.${stack.split("/").pop()}.yaml`);
}

/** The stack file's config, keyed as Pulumi keys it (`email-journal:cloud`, `aws:region`). */
export function stackFileConfig(stack: string, root = ROOT): Record<string, unknown> {
  const path = stackFilePath(stack, root);
  if (!existsSync(path)) throw new Error(`no stack file for ${stack}: expected ${path} (pulumi stack init ${stack}, then write its config there)`);
  return (load(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | undefined)?.config ?? {};
}

/** A stack file's own project keys without their `email-journal:` prefix: what parseStackConfig takes. */
export function projectKeys(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith("email-journal:"))
      .map(([key, value]) => [key.slice("email-journal:".length), value]),
  );
}

/** The project's own keys of a stack's file, for parseStackConfig. */
export function projectConfig(stack: string, root = ROOT): Record<string, unknown> {
  return projectKeys(stackFileConfig(stack, root));
}

/** The config as `pulumi.runtime.setAllConfig` wants it: strings, structured values as JSON. */
export function runtimeConfig(stack: string, root = ROOT): Record<string, string> {
  return Object.fromEntries(Object.entries(stackFileConfig(stack, root)).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

/** Every stack file in the project folder, by stack name. */
export function stackNames(root = ROOT): string[] {
  return readdirSync(root)
    .map((name: string) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
    .filter((name: string | undefined): name is string => name !== undefined)
    .sort();
}
