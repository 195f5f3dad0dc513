// The real stack files, read the way Pulumi reads them, for tests and the offline checks.
// `Pulumi.<stack>.yaml` is the deployment the project ships (AWS); the same stacks on another
// cloud are `stacks/<cloud>/Pulumi.<stack>.yaml`, which `pulumi up --config-file` takes as is.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";

export const ROOT = join(__dirname, "..", "..");

const read = (file: string) => ((load(readFileSync(file, "utf8")) as { config?: Record<string, unknown> }).config ?? {});

/** The stack file for `stack` on `cloud` (the top-level one when it deploys that cloud, or when no cloud is asked). */
export function stackFilePath(stack: string, cloud?: string, root = ROOT): string {
  const topLevel = join(root, `Pulumi.${stack}.yaml`);
  if (!cloud || (existsSync(topLevel) && read(topLevel)["email-journal:cloud"] === cloud)) return topLevel;
  return join(root, "stacks", cloud, `Pulumi.${stack}.yaml`);
}

/** The stack file's config, keyed as Pulumi keys it (`email-journal:cloud`, `aws:region`). */
export function stackFileConfig(stack: string, cloud?: string): Record<string, unknown> {
  return read(stackFilePath(stack, cloud));
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
export function projectConfig(stack: string, cloud?: string): Record<string, unknown> {
  return projectKeys(stackFileConfig(stack, cloud));
}

/** The config as `pulumi.runtime.setAllConfig` wants it: strings, structured values as JSON. */
export function runtimeConfig(stack: string, cloud?: string): Record<string, string> {
  return Object.fromEntries(Object.entries(stackFileConfig(stack, cloud)).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}
