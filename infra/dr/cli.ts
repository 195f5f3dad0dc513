// npm run dr:promote -- --stack dr [--cloud aws|azure|gcp] [--dry-run] [--old-primary-lost]
// Makes the standby the primary (and the old primary the standby when it is reachable) through
// the Pulumi Automation API, logging every step; prints the mail cut-over the operator must do.
// Exit 0 when promoted (or previewed), 1 when a step failed (with the state and the next command),
// 2 on a bad invocation.
import { parseArgs } from "node:util";
import { CLOUDS, type Cloud } from "../config";
import { ROOT } from "../../policies/check/stackFiles";
import { planPromotion } from "./plan";
import { promote, PromotionError } from "./promote";
import { pulumiRunner, type StackRunner } from "./runner";

const USAGE = "usage: npm run dr:promote -- --stack <standby> [--cloud aws|azure|gcp] [--dry-run] [--old-primary-lost]";

export interface CliEnvironment {
  readonly root: string;
  readonly runner: StackRunner;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export async function main(argv: readonly string[], env: CliEnvironment): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { stack: { type: "string" }, cloud: { type: "string", default: "aws" }, "dry-run": { type: "boolean", default: false }, "old-primary-lost": { type: "boolean", default: false } },
      strict: true,
    }));
  } catch (err) {
    env.err(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (!values.stack) {
    env.err(`--stack is required: the standby to promote, e.g. dr\n${USAGE}`);
    return 2;
  }
  if (!(CLOUDS as readonly string[]).includes(values.cloud!)) {
    env.err(`--cloud is "${values.cloud}"; use one of ${CLOUDS.join(", ")}\n${USAGE}`);
    return 2;
  }
  const dryRun = values["dry-run"]!;
  const oldPrimaryLost = values["old-primary-lost"]!;
  let plan;
  try {
    plan = planPromotion({ stack: values.stack, cloud: values.cloud as Cloud, oldPrimaryLost, root: env.root });
  } catch (err) {
    env.err(`cannot plan the promotion: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const rerun = `npm run dr:promote -- --stack ${values.stack} --cloud ${values.cloud}${oldPrimaryLost ? " --old-primary-lost" : ""}${dryRun ? " --dry-run" : ""}`;
  env.out(`${dryRun ? "DRY RUN (nothing changes): " : ""}promoting ${plan.promote.stack} to primary${plan.demote ? `, demoting ${plan.demote.stack} to standby` : ` (the old primary ${plan.promote.config.peerStack} is lost: not demoted)`}`);
  try {
    const result = await promote(plan, { runner: env.runner, dryRun, root: env.root, rerun, log: env.out });
    env.out(`\nmail cut-over${dryRun ? " (after the real run)" : ""}:`);
    for (const line of result.cutover.automatic) env.out(`  done by the update: ${line}`);
    result.cutover.manual.forEach((line, i) => env.out(`  ${i + 1}. ${line}`));
    return 0;
  } catch (err) {
    if (!(err instanceof PromotionError)) throw err;
    env.err(`\npromotion stopped: ${err.message}`);
    env.err(`done: ${err.done.length > 0 ? err.done.join("; ") : "nothing"}`);
    env.err(`next: fix the cause above, then run \`${err.next}\` (every step is safe to repeat)`);
    return 1;
  }
}

if (require.main === module) {
  const print = (stream: NodeJS.WriteStream) => (line: string) => stream.write(`${line}\n`);
  main(process.argv.slice(2), { root: ROOT, runner: pulumiRunner(ROOT), out: print(process.stdout), err: print(process.stderr) }).then((code) => process.exit(code));
}
