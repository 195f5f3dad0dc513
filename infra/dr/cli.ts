// npm run dr:promote -- --stack <standby> [--dry-run] [--old-primary-lost]
// Makes the standby the primary (and the old primary the standby when it is reachable) through
// the Pulumi Automation API, logging every step; prints the mail cut-over the operator must do.
// The stack file names the cloud and the peer, so any pair of any cloud is promoted the same way.
// Exit 0 when promoted (or previewed), 1 when a step failed (with the state and the next command),
// 2 on a bad invocation or when the stack already is the primary.
import { parseArgs } from "node:util";
import type { Role } from "../config";
import { ROOT } from "../stackFiles";
import { alreadyPromoted, planPromotion } from "./plan";
import { promote, PromotionError } from "./promote";
import { pulumiRunner, type StackRunner } from "./runner";

const USAGE = `usage: npm run dr:promote -- --stack <standby> [--dry-run] [--old-primary-lost]
  --stack             the standby to make primary, e.g. aws-us-west-2 (its file names its cloud and peer)
  --dry-run           show the whole plan and preview both updates against edited copies; change nothing
  --old-primary-lost  the primary's region is gone: promote the standby alone (peerLost)`;

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
      options: { stack: { type: "string" }, "dry-run": { type: "boolean", default: false }, "old-primary-lost": { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (err) {
    env.err(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    env.out(USAGE);
    return 0;
  }
  if (!values.stack) {
    env.err(`--stack is required: the standby to promote, e.g. aws-us-west-2\n${USAGE}`);
    return 2;
  }
  const dryRun = values["dry-run"]!;
  const oldPrimaryLost = values["old-primary-lost"]!;
  let plan;
  try {
    plan = planPromotion({ stack: values.stack, oldPrimaryLost, root: env.root });
  } catch (err) {
    env.err(`cannot plan the promotion: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  // What is deployed says whether a rerun has work left; a stack whose outputs cannot be read counts as its file says.
  const deployed = new Map<string, Role | undefined>();
  for (const change of [plan.promote, plan.demote]) {
    if (change) deployed.set(change.stack, await env.runner.outputs(change.stack).then((o) => (o.role === "primary" || o.role === "standby" ? o.role : undefined), () => undefined));
  }
  if (alreadyPromoted(plan, (stack) => deployed.get(stack))) {
    env.err(`${values.stack} already is the primary${plan.demote ? ` and ${plan.demote.stack} the standby` : ""}, in its stack file and as deployed: nothing to promote. To fail back, promote the other stack of the pair.`);
    return 2;
  }
  const rerun = `npm run dr:promote -- --stack ${values.stack}${oldPrimaryLost ? " --old-primary-lost" : ""}${dryRun ? " --dry-run" : ""}`;
  env.out(`${dryRun ? "DRY RUN (nothing changes): " : ""}promoting ${plan.promote.stack} to primary${plan.demote ? `, demoting ${plan.demote.stack} to standby` : ` (the old primary ${plan.promote.config.peerStack} is lost: not demoted)`}`);
  try {
    const result = await promote(plan, { runner: env.runner, dryRun, rerun, log: env.out });
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
