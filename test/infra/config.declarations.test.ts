// Pulumi.yaml declares the project's settings for the Pulumi CLI and editors; infra/config.ts's
// SETTINGS checks them when the program starts. These tests keep the two from drifting apart, and
// check the shipped stack files against both: the CLI cannot run here, so its checks are redone.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig, PROJECT, SETTINGS } from "../../infra/config";
import { declarations, type Declaration } from "../../infra/configSchema";
import { projectKeys, ROOT, stackFileConfig, stackNames } from "../../infra/stackFiles";

const text = readFileSync(join(ROOT, "Pulumi.yaml"), "utf8");
const project = load(text) as { name: string; config: Record<string, Declaration> };
const { declared, undeclarable } = declarations(SETTINGS);

/**
 * Pulumi's own type check of a config value against a declared type, as in pulumi/pulumi v3.248.0,
 * sdk/go/common/workspace/project.go, ValidateConfigValue: an integer may be a whole float or a
 * numeric string, a boolean the string "true" or "false", an object any map.
 */
function pulumiAccepts(type: string, items: { type: string } | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value) && items !== undefined && value.every((item) => pulumiAccepts(items.type, undefined, item));
    default:
      return false;
  }
}

/** A stack file's config, or undefined when the file went away (another test's temporary stack). */
function stackFileOrGone(stack: string): Record<string, unknown> | undefined {
  try {
    return stackFileConfig(stack);
  } catch (err) {
    if (/no stack file/.test(String(err))) return undefined;
    throw err;
  }
}


describe("Pulumi.yaml", () => {
  it("is this project's file", () => {
    expect(project.name).toBe(PROJECT);
  });

  it("declares exactly the settings the validator knows, each with its type, items, description and default", () => {
    expect(project.config).toEqual(declared);
  });

  it("names in a comment each setting it cannot declare, and together with the declared ones they are every setting", () => {
    const commented = [...text.matchAll(/^# {3}(\w+): /gm)].map((m) => m[1]);
    expect(commented).toEqual(undeclarable);
    expect([...Object.keys(project.config), ...undeclarable].sort()).toEqual(Object.keys(SETTINGS).sort());
    // Pulumi requires every declared key without a default on every stack: only settings needed everywhere may lack one.
    for (const [key, declaration] of Object.entries(project.config)) {
      if (declaration.default === undefined) expect(SETTINGS[key as keyof typeof SETTINGS].required, key).toBe(true);
    }
  });

  it("is a config section Pulumi 3.248 loads: known types, items for arrays, defaults of their type", () => {
    for (const [key, declaration] of Object.entries(project.config)) {
      // The schema's ConfigTypeDeclaration allows only these attributes (additionalProperties: false).
      expect(Object.keys(declaration).filter((a) => !["type", "items", "description", "default", "secret", "value"].includes(a)), key).toEqual([]);
      expect(["string", "integer", "boolean", "array", "object"], key).toContain(declaration.type);
      if (declaration.type === "array") expect(declaration.items, key).toEqual({ type: "string" });
      if (declaration.default !== undefined) expect(pulumiAccepts(declaration.type, declaration.items, declaration.default), key).toBe(true);
    }
  });

  it("has defaults that, filled in by the CLI, change nothing the program reads", () => {
    for (const stack of stackNames()) {
      const file = stackFileOrGone(stack);
      if (!file) continue;
      const own = projectKeys(file);
      const defaults = Object.fromEntries(Object.entries(project.config).filter(([, d]) => d.default !== undefined).map(([key, d]) => [key, d.default]));
      expect((parseStackConfig({ ...defaults, ...own }, stack)), stack).toEqual((parseStackConfig(own, stack)));
    }
  });
});

describe("every shipped stack file", () => {
  it.each(stackNames())("%s passes the CLI's checks: each key declared without a default set, each declared key of its type", (stack) => {
    const file = stackFileOrGone(stack);
    if (!file) return;
    const own = projectKeys(file);
    for (const [key, declaration] of Object.entries(project.config)) {
      if (declaration.default === undefined) expect(own[key], `${stack} lacks ${PROJECT}:${key}`).toBeDefined();
      if (own[key] !== undefined) expect(pulumiAccepts(declaration.type, declaration.items, own[key]), `${stack}: ${PROJECT}:${key}`).toBe(true);
    }
  });

  it.each(stackNames())("%s sets only keys the program knows, at every level", (stack) => {
    const file = stackFileOrGone(stack);
    if (!file) return;
    // The program builds its providers from email-journal:region; a provider's own key (aws:region) would be ignored.
    expect(Object.keys(file).filter((key) => !key.startsWith(`${PROJECT}:`))).toEqual([]);
    expect(Object.keys(projectKeys(file)).filter((key) => !(key in SETTINGS))).toEqual([]);
    let problems: readonly string[] = [];
    try {
      parseStackConfig(projectKeys(file), stack);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual([]);
  });
});
