// What `npm run preflight` reports: one row per question asked of the account, read-only,
// with the operator's own credentials, before the first `pulumi up`.
import type { StackConfig } from "../config";

export type CheckStatus = "pass" | "fail" | "unknown";

export interface PreflightCheck {
  /** What was asked, in a few words ("Lambda concurrency quota"). */
  readonly name: string;
  readonly status: CheckStatus;
  /** What the account answered, or why it could not be asked. */
  readonly detail: string;
  /** What the operator should do; given for `fail` and `unknown`. */
  readonly fix?: string;
}

/** One cloud's checks. Each takes its SDK clients as arguments, so tests pass SDK mocks. */
export type Preflight<Clients> = (config: StackConfig, clients: Clients) => Promise<PreflightCheck[]>;
