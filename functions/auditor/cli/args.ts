// Argument parsing shared by the journal commands: node:util parseArgs, strict (an unknown option is
// refused with the command's usage, exit 2), `--help` on every command, and the options that choose
// the archive.
import { parseArgs } from "node:util";

/** A mistake in how the command was called: printed with the usage, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** `--help` was asked for: the usage is printed, exit 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super("help");
  }
}

export type Spec = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;
type Values<S extends Spec> = { [K in keyof S]?: S[K]["type"] extends "string" ? (S[K]["multiple"] extends true ? string[] : string) : boolean };

export const TARGET_OPTIONS = { archive: { type: "string" }, stack: { type: "string" } } as const;
export const TARGET_USAGE = "--archive <./dir | s3://bucket | https://ACCOUNT.blob.core.windows.net/CONTAINER | gs://bucket> | --stack NAME   (default: the local archive at JOURNAL_DIR)";

export function options<S extends Spec>(args: string[], spec: S, usage: string, positionals = 0): { values: Values<S>; positionals: string[] } {
  if (args.includes("--help") || args.includes("-h")) throw new HelpRequested(usage);
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), usage);
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`, usage);
  return parsed as never;
}

export function target(values: { archive?: string; stack?: string }, usage: string): { archive?: string; stack?: string } {
  if (values.archive !== undefined && values.stack !== undefined) throw new UsageError("give --archive or --stack, not both", usage);
  if (values.stack !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(values.stack)) throw new UsageError(`--stack must be a stack name (letters, digits, ".", "_", "-", "/"), got "${values.stack}"`, usage);
  if (values.archive === "") throw new UsageError("--archive must name an archive (a folder, s3://…, an Azure container URL or gs://…)", usage);
  return { ...(values.archive !== undefined ? { archive: values.archive } : {}), ...(values.stack !== undefined ? { stack: values.stack } : {}) };
}

/** A whole number from `min` to `max`, or a usage error naming the option. */
export function integer(name: string, value: string | undefined, min: number, max: number, usage: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`, usage);
  return Number(value);
}

/** A progress line on a terminal only (stderr), never into a pipe or a file. */
export function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write("\n");
}

/** Output to stdout that a slow pipe receives whole before the process exits. */
export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}
