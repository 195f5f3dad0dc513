// The real stack files, read the way Pulumi reads them, for tests and the offline checks.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";

const ROOT = join(__dirname, "..", "..");

/** `Pulumi.<stack>.yaml`'s config, keyed as Pulumi keys it (`email-journal:cloud`, `aws:region`). */
export function stackFileConfig(stack: string): Record<string, unknown> {
  const doc = load(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}

/** The project's own keys without their `email-journal:` prefix: what parseStackConfig takes. */
export function projectConfig(stack: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(stackFileConfig(stack))
      .filter(([key]) => key.startsWith("email-journal:"))
      .map(([key, value]) => [key.slice("email-journal:".length), value]),
  );
}

/** The config as `pulumi.runtime.setAllConfig` wants it: strings, structured values as JSON. */
export function runtimeConfig(stack: string): Record<string, string> {
  return Object.fromEntries(Object.entries(stackFileConfig(stack)).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}
