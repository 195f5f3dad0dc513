// `npm start` as a child process, on free ports, for tests that need a real server to kill,
// restart or run beside: it resolves once the server has printed its ports.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const MAIN = join(__dirname, "..", "..", "functions", "local", "main.ts");
export const CLI = join(__dirname, "..", "..", "functions", "local", "cli.ts");

export interface LocalServer {
  readonly process: ChildProcess;
  readonly smtpPort: number;
  readonly httpPort: number;
  readonly token: string;
  /** Everything the server wrote to stderr (its JSON log) so far. */
  log(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

/** Starts the server; rejects with what it printed if it exits before it is ready. */
export function startServer(dir: string, env: Record<string, string> = {}): Promise<LocalServer> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, JOURNAL_DIR: dir, JOURNAL_SMTP_PORT: "0", JOURNAL_HTTP_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const smtp = /SMTP\s+\S+:(\d+)/.exec(stdout);
      const http = /HTTP\s+http:\/\/\S+:(\d+)/.exec(stdout);
      if (smtp && http && /retention: .*\n/.test(stdout)) {
        resolve({
          process: child,
          smtpPort: Number(smtp[1]),
          httpPort: Number(http[1]),
          token: env.JOURNAL_TOKEN ?? readFileSync(join(dir, "http.token"), "utf8").trim(),
          log: () => stderr,
          exited,
        });
      }
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before it was ready:\n${stdout}${stderr}`)));
  });
}
