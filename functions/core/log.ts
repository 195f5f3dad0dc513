// Operational logs: structured JSON, identifiers and figures only. Never subjects,
// addresses or body text, which belong in the archive, not in a log service.

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Fields a log line may carry. Deliberately closed: nothing here can hold message content. */
export interface LogFields {
  readonly sha256?: string;
  readonly key?: string;
  readonly status?: string;
  readonly source?: string;
  readonly size?: number;
  readonly durationMs?: number;
  readonly reason?: string;
  readonly error?: string;
  readonly port?: number;
  readonly count?: number;
  readonly path?: string;
  /** A queue or event record id (an SQS messageId), never its body. */
  readonly record?: string;
}

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Whether a line at `level` passes a logger set to `minLevel`. */
export const logs = (level: LogLevel, minLevel: LogLevel) => LEVELS.indexOf(level) >= LEVELS.indexOf(minLevel);

export function jsonLogger(write: (line: string) => void = (line) => process.stderr.write(line), minLevel: LogLevel = "info"): Logger {
  return {
    log(level, msg, fields) {
      if (!logs(level, minLevel)) return;
      write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }) + "\n");
    },
  };
}

export const silentLogger: Logger = { log() {} };

/** An error's class and message without its stack; safe for a log line. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
