// Reading a cloud function's settings from its environment: every problem is collected, and
// one error names each variable, the value found and what is allowed.
import { ALL_DETECTORS } from "./detectors";
import type { LogLevel } from "./log";
import type { DetectorName } from "./types";

export type Env = Readonly<Record<string, string | undefined>>;

export interface EnvReader {
  /** A value that must match `pattern`; `allowed` says what that is in words. */
  text(name: string, pattern: RegExp, allowed: string): string;
  integer(name: string, min: number, max: number): number;
  /** DETECTORS: a comma-separated subset of the detectors; all when unset. */
  detectors(): DetectorName[];
  /** LOG_LEVEL: debug, info (default), warn or error. */
  logLevel(): LogLevel;
  /** Throws one error listing every problem found so far. */
  check(): void;
}

export function envReader(env: Env): EnvReader {
  const problems: string[] = [];
  const shown = (name: string) => JSON.stringify(env[name] ?? null);
  return {
    text(name, pattern, allowed) {
      const value = env[name] ?? "";
      if (!pattern.test(value)) problems.push(`${name}=${shown(name)}: must be ${allowed}`);
      return value;
    },
    integer(name, min, max) {
      const value = Number(env[name]);
      if (!/^\d+$/.test(env[name] ?? "") || value < min || value > max) problems.push(`${name}=${shown(name)}: must be a whole number from ${min} to ${max}`);
      return value;
    },
    detectors() {
      const names = (env.DETECTORS ?? ALL_DETECTORS.join(",")).split(",").filter(Boolean) as DetectorName[];
      for (const name of names) if (!ALL_DETECTORS.includes(name)) problems.push(`DETECTORS=${shown("DETECTORS")}: each must be one of ${ALL_DETECTORS.join(", ")}`);
      return names;
    },
    logLevel() {
      const level = (env.LOG_LEVEL ?? "info") as LogLevel;
      if (!["debug", "info", "warn", "error"].includes(level)) problems.push(`LOG_LEVEL=${shown("LOG_LEVEL")}: must be debug, info, warn or error`);
      return level;
    },
    check() {
      if (problems.length > 0) throw new Error(`invalid ingestor settings:\n  ${problems.join("\n  ")}`);
    },
  };
}
