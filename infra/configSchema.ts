// A small schema for stack settings and the one walker that checks raw config against it. Each
// setting says its type, what is allowed, its default and whether it must be set; the walker
// reports every problem as `<namespace>:<path> = <value>: <what is allowed>`, refuses keys the
// schema does not know at every level (naming the nearest valid one), and never shows a secret.
// The same schema gives the project's declarations in Pulumi.yaml (`declarations`), so the CLI,
// editors and the program agree on the keys, their types and their defaults.
// Hand-written rather than a schema library: it is a page long, needs no dependency, and gives
// both the messages this project promises and Pulumi.yaml's declarations from one description.
import * as pulumi from "@pulumi/pulumi";

/** What a setting may depend on: the top-level settings checked before it, and those of its own map. */
export interface Scope {
  readonly root: Readonly<Record<string, unknown>>;
  readonly siblings: Readonly<Record<string, unknown>>;
}
type Dynamic<T> = T | ((scope: Scope) => T);

interface Base {
  /** For operators: Pulumi.yaml carries it, so the CLI and editors show it. */
  readonly description: string;
  /** Must be set. A setting with a default never needs to be. */
  readonly required?: Dynamic<boolean>;
  /** Allowed only where this holds; elsewhere a value is refused with `problem` and not checked further. */
  readonly onlyWhen?: { readonly holds: (scope: Scope) => boolean; readonly problem: string };
  /** Checked only when what it depends on is valid (a region needs a valid cloud); otherwise skipped. */
  readonly checkedWhen?: (scope: Scope) => boolean;
}

/** What a string must be: one of `values`, and/or matching `pattern`. */
export interface TextRule {
  readonly values?: Dynamic<readonly string[]>;
  readonly pattern?: Dynamic<RegExp>;
  /** An allowed value, as a noun phrase ("an email address"). Defaults to "one of <values>". */
  readonly is?: Dynamic<string>;
}

export interface TextSpec extends Base, TextRule {
  readonly type: "string";
  /** The problem's wording after "must ", when it is not "be <is>". */
  readonly must?: string;
  readonly default?: Dynamic<string>;
  /**
   * A secret (`secure:` in the stack file): read as a secret `pulumi.Output<string>`, never shown in
   * a problem. Pulumi decrypts it for the program; read from the stack file by a tool, it is unknown.
   */
  readonly secret?: true;
}

export interface IntegerSpec extends Base {
  readonly type: "integer";
  readonly min: number;
  readonly max: Dynamic<number>;
  readonly default?: Dynamic<number>;
  /** Why the range is what it is, added to the problem where it applies. */
  readonly because?: (scope: Scope) => string | undefined;
}

export interface BooleanSpec extends Base {
  readonly type: "boolean";
  readonly default?: boolean;
}

export interface ListSpec extends Base {
  readonly type: "array";
  readonly items: TextRule;
  /** When set, at least one item. */
  readonly nonEmpty?: boolean;
  readonly default?: Dynamic<readonly string[]>;
}

export interface MapSpec extends Base {
  readonly type: "object";
  readonly fields: Fields;
  /** The value an unset map is checked as (its fields' own defaults then apply). */
  readonly default?: Readonly<Record<string, unknown>>;
}

export type Spec = TextSpec | IntegerSpec | BooleanSpec | ListSpec | MapSpec;
export type Fields = Readonly<Record<string, Spec>>;
/** The settings of a typed map, each key exactly once: the compiler keeps schema and interface in step. */
export type FieldsOf<T> = { readonly [K in keyof T]-?: Spec };

/** One problem line: the key, the value found (or how it is hidden) and what is allowed. */
export function problemLine(namespace: string, path: string, shown: string, allowed: string): string {
  return `${namespace}:${path} = ${shown}: ${allowed}`;
}

/** How a value appears in a problem: never a secret, nor anything under a key the schema does not know. */
function shown(value: unknown, spec: Spec | undefined): string {
  if (value === undefined) return "(not set)";
  if (spec === undefined) return "[not shown]";
  if (holdsSecret(spec)) return "[secret]";
  return JSON.stringify(value);
}

function holdsSecret(spec: Spec): boolean {
  if (spec.type === "string") return spec.secret === true;
  return spec.type === "object" && Object.values(spec.fields).some(holdsSecret);
}

/** A value the stack file keeps encrypted, as a tool reading the file (not Pulumi) sees it. */
function isCiphertext(value: unknown): value is { secure: string } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as { secure?: unknown }).secure === "string";
}

const resolve = <T>(value: Dynamic<T>, scope: Scope): T => (typeof value === "function" ? (value as (scope: Scope) => T)(scope) : value);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

export interface Checked {
  /** The settings that passed, defaults applied; a setting with a problem is absent. */
  readonly values: Record<string, unknown>;
  readonly problems: string[];
}

/** Checks `raw` (keys without the namespace) against `fields`, collecting every problem. */
export function checkSettings(namespace: string, fields: Fields, raw: Readonly<Record<string, unknown>>): Checked {
  const problems: string[] = [];
  const report = (path: string, value: unknown, spec: Spec | undefined, allowed: string) => problems.push(problemLine(namespace, path, shown(value, spec), allowed));
  const values: Record<string, unknown> = {};
  checkMap(fields, raw, "", values, values, report);
  return { values, problems };
}

type Report = (path: string, value: unknown, spec: Spec | undefined, allowed: string) => void;

function checkMap(fields: Fields, raw: Readonly<Record<string, unknown>>, path: string, out: Record<string, unknown>, root: Record<string, unknown>, report: Report): void {
  const keys = Object.keys(fields);
  for (const key of Object.keys(raw)) {
    if (key in fields) continue;
    const near = nearest(key, keys);
    report(join(path, key), raw[key], undefined, `unknown key${path ? ` in ${path}` : ""}; ${near ? `did you mean ${near}? ` : ""}valid keys: ${keys.join(", ")}`);
  }
  for (const [key, spec] of Object.entries(fields)) {
    const value = checkValue(spec, raw[key], join(path, key), { root, siblings: out }, report);
    if (value !== undefined) out[key] = value;
  }
}

function checkValue(spec: Spec, value: unknown, path: string, scope: Scope, report: Report): unknown {
  if (spec.checkedWhen && !spec.checkedWhen(scope)) return undefined;
  if (value !== undefined && spec.onlyWhen && !spec.onlyWhen.holds(scope)) {
    report(path, value, spec, spec.onlyWhen.problem);
    return undefined;
  }
  if (value === undefined) {
    if (spec.default !== undefined) return spec.type === "object" ? checkValue(spec, spec.default, path, scope, report) : copy(resolve(spec.default, scope));
    if (spec.required !== undefined && resolve(spec.required, scope)) report(path, undefined, spec, expected(spec, scope));
    return undefined;
  }
  if (isCiphertext(value)) {
    // Only a tool reading the stack file meets this form; Pulumi hands the program the decrypted value.
    if (spec.type === "string" && spec.secret) return pulumi.secret(pulumi.unknown as unknown as string);
    report(path, value, spec, `is encrypted, but it is not a secret setting: set it in plain text (pulumi config set --plaintext); it ${expected(spec, scope)}`);
    return undefined;
  }
  switch (spec.type) {
    case "string":
      if (typeof value === "string" && allows(spec, value, scope)) return spec.secret ? pulumi.secret(value) : value;
      break;
    case "integer": {
      const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
      if (typeof n === "number" && Number.isInteger(n) && n >= spec.min && n <= resolve(spec.max, scope)) return n;
      break;
    }
    case "boolean":
      if (typeof value === "boolean") return value;
      if (value === "true" || value === "false") return value === "true";
      break;
    case "array":
      if (Array.isArray(value) && !(spec.nonEmpty && value.length === 0)) {
        const items = value.filter((item, i) => {
          const ok = typeof item === "string" && allows(spec.items, item, scope);
          if (!ok) report(`${path}[${i}]`, item, spec, `must be ${describe(spec.items, scope)}`);
          return ok;
        });
        return items.length === value.length ? items : undefined;
      }
      break;
    case "object":
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const out: Record<string, unknown> = {};
        checkMap(spec.fields, value as Record<string, unknown>, path, out, scope.root as Record<string, unknown>, report);
        return out;
      }
      break;
  }
  report(path, value, spec, expected(spec, scope));
  return undefined;
}

function allows(rule: TextRule, value: string, scope: Scope): boolean {
  const values = rule.values === undefined ? undefined : resolve(rule.values, scope);
  const pattern = rule.pattern === undefined ? undefined : resolve(rule.pattern, scope);
  return (values === undefined || values.includes(value)) && (pattern === undefined || pattern.test(value));
}

function describe(rule: TextRule, scope: Scope): string {
  if (rule.is !== undefined) return resolve(rule.is, scope);
  return `one of ${resolve(rule.values ?? [], scope).join(", ")}`;
}

/** What a setting must be, as its problem says it. */
function expected(spec: Spec, scope: Scope): string {
  switch (spec.type) {
    case "string":
      return `must ${spec.must ?? `be ${describe(spec, scope)}`}`;
    case "integer": {
      const because = spec.because?.(scope);
      return `must be a whole number from ${spec.min} to ${resolve(spec.max, scope)}${because ? `: ${because}` : ""}`;
    }
    case "boolean":
      return "must be true or false";
    case "array":
      return `must be a ${spec.nonEmpty ? "non-empty " : ""}list, each ${describe(spec.items, scope)}`;
    case "object":
      return `must be a map of settings: ${Object.keys(spec.fields).join(", ")}`;
  }
}

const copy = <T>(value: T): T => (Array.isArray(value) ? ([...value] as T) : value);

/**
 * The valid key closest to a misspelt one (case ignored), when it is close enough to be what was
 * meant: a few letters off, or a part of it (hookUrl for webhookUrl).
 */
export function nearest(key: string, valid: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  const typed = key.toLowerCase();
  for (const candidate of valid) {
    const name = candidate.toLowerCase();
    const part = Math.min(typed.length, name.length) >= 4 && (name.includes(typed) || typed.includes(name));
    const distance = part ? 0.5 : editDistance(typed, name);
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(key.length / 4)) ? best.key : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** A key's declaration in Pulumi.yaml's `config` section, as Pulumi 3.248 reads it. */
export interface Declaration {
  readonly type: "string" | "integer" | "boolean" | "array" | "object";
  readonly items?: { readonly type: "string" };
  readonly description: string;
  readonly default?: unknown;
}

/**
 * Pulumi.yaml's declarations of the top-level settings. Pulumi requires every declared key that has
 * no default, on every stack; so a setting that is optional without a default, or required only
 * on some clouds, cannot be declared and is listed in `undeclarable` instead. Pulumi checks only a
 * declared key's type: allowed values, patterns, ranges and the fields of a map are this schema's.
 */
export function declarations(fields: Fields): { declared: Record<string, Declaration>; undeclarable: string[] } {
  const declared: Record<string, Declaration> = {};
  const undeclarable: string[] = [];
  const scope: Scope = { root: {}, siblings: {} };
  for (const [key, spec] of Object.entries(fields)) {
    const staticDefault = spec.default !== undefined && typeof spec.default !== "function";
    if (spec.onlyWhen || !(spec.required === true || staticDefault)) {
      undeclarable.push(key);
      continue;
    }
    const noProblems: Report = (path) => {
      throw new Error(`the default of ${path} does not pass its own checks`);
    };
    declared[key] = {
      type: spec.type,
      ...(spec.type === "array" ? { items: { type: "string" as const } } : {}),
      description: declaredDescription(spec),
      ...(staticDefault ? { default: checkValue(spec, undefined, key, scope, noProblems) } : {}),
    };
  }
  return { declared, undeclarable };
}

/** The description, plus what Pulumi.yaml cannot say as a type: a fixed set of values, a map's keys. */
function declaredDescription(spec: Spec): string {
  if (spec.type === "string" && Array.isArray(spec.values)) return `${spec.description} One of: ${spec.values.join(", ")}.`;
  if (spec.type === "array" && Array.isArray(spec.items.values)) return `${spec.description} Each one of: ${spec.items.values.join(", ")}.`;
  if (spec.type === "object") return `${spec.description} Keys: ${Object.keys(spec.fields).join(", ")}.`;
  return spec.description;
}
