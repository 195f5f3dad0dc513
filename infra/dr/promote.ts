// Running a promotion plan: each step logged as it starts and ends; the first failure stops the
// run with what is done, what is not, and the command that carries on from there (the same
// command: every step is safe to repeat).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cutover, type Cutover } from "./cutover";
import { deployCommand, type PromotionPlan, type RoleChange } from "./plan";
import type { StackRunner } from "./runner";

export interface PromoteOptions {
  readonly runner: StackRunner;
  /** Preview every update against the edited files, in a temporary folder; change nothing. */
  readonly dryRun: boolean;
  /** The command that reruns this promotion, printed when a step fails. */
  readonly rerun: string;
  readonly log: (line: string) => void;
}

export interface PromoteResult {
  /** The promoted stack's outputs after its update (empty on a dry run). */
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly cutover: Cutover;
}

export class PromotionError extends Error {
  constructor(step: string, cause: unknown, readonly done: readonly string[], readonly next: string) {
    super(`step "${step}" failed: ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}`, { cause });
    this.name = "PromotionError";
  }
}

/** The lines the change removes (-) and adds (+), or that it changes nothing. */
function diff(change: RoleChange): string[] {
  const before = change.file.text.split("\n");
  const after = change.newText.split("\n");
  const lines = [...before.filter((l) => !after.includes(l)).map((l) => `- ${l.trim()}`), ...after.filter((l) => !before.includes(l)).map((l) => `+ ${l.trim()}`)];
  return lines.length > 0 ? [`${change.file.path}:`, ...lines.map((l) => `  ${l}`)] : [`${change.file.path}: already says role ${change.to}; no change`];
}

/** The changes in the order they run. */
const ordered = (plan: PromotionPlan): Array<["promote" | "demote", RoleChange]> => {
  const promote: ["promote", RoleChange] = ["promote", plan.promote];
  if (!plan.demote) return [promote];
  return plan.demoteFirst ? [["demote", plan.demote], promote] : [promote, ["demote", plan.demote]];
};

/** The whole plan, before anything runs: each file's change, each update in order, and the mail cut-over. */
export function describePlan(plan: PromotionPlan): string[] {
  const lines = ["the plan, in order:"];
  plan.before.forEach((instruction) => lines.push(`  first, by hand: ${instruction}`));
  ordered(plan).forEach(([verb, change], i) => {
    lines.push(`  ${i + 1}. ${verb} ${change.stack} (role ${change.from} → ${change.to})`);
    for (const line of diff(change)) lines.push(`       ${line}`);
    lines.push(`       then ${deployCommand(change)}`);
  });
  if (!plan.demote) lines.push(`  the old primary ${plan.promote.config.peerStack} is not demoted now: it is lost`);
  const { automatic, manual } = cutover(plan.promote.config, {});
  lines.push(`  ${ordered(plan).length + 1}. the mail cut-over:`);
  for (const line of automatic) lines.push(`       done by the update: ${line}`);
  manual.forEach((line, i) => lines.push(`       ${String.fromCharCode(97 + i)}. ${line}`));
  return lines;
}

export async function promote(plan: PromotionPlan, options: PromoteOptions): Promise<PromoteResult> {
  const { runner, log } = options;
  const done: string[] = [];
  const skipped: string[] = [];
  const scratch = options.dryRun ? mkdtempSync(join(tmpdir(), "journal-promote-")) : undefined;
  let outputs: Readonly<Record<string, unknown>> = {};

  const step = async (name: string, action: () => Promise<void>) => {
    log(`[${new Date().toISOString()}] ${name}: started`);
    try {
      await action();
    } catch (err) {
      throw new PromotionError(name, err, done, options.rerun);
    }
    done.push(name);
    log(`[${new Date().toISOString()}] ${name}: done`);
  };

  /** Sets the role in the stack file (a copy on a dry run), then updates (or previews) the stack with it. */
  const apply = async (verb: string, change: RoleChange) => {
    let configFile = change.file.path;
    await step(`${verb} ${change.stack}: set role ${change.to}`, async () => {
      for (const line of diff(change)) log(`  ${line}`);
      if (scratch) {
        configFile = join(scratch, `${verb}-${change.stack.replace(/\//g, "_")}.yaml`);
        writeFileSync(configFile, change.newText);
      } else if (change.newText !== change.file.text) {
        writeFileSync(change.file.path, change.newText);
      }
    });
    if (scratch) {
      // A preview that cannot run (no CLI, no credentials, no backend) does not hide the rest of the plan.
      log(`  ${deployCommand(change)} (previewed with the edited file, nothing changed)`);
      try {
        const summary = await runner.preview(change.stack, configFile, (line) => log(`    ${line}`));
        log(`  would change: ${Object.entries(summary).filter(([op, n]) => op !== "same" && n > 0).map(([op, n]) => `${n} ${op}`).join(", ") || "nothing"}`);
      } catch (err) {
        const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
        skipped.push(`${change.stack}: ${why}`);
        log(`  preview skipped: ${why}`);
      }
      return;
    }
    await step(`${verb} ${change.stack}: update`, async () => {
      log(`  ${deployCommand(change)}`);
      const result = await runner.up(change.stack, configFile, (line) => log(`    ${line}`));
      if (verb === "promote") outputs = result;
    });
  };

  try {
    if (options.dryRun) for (const line of describePlan(plan)) log(line);
    for (const instruction of plan.before) log(`before promoting: ${instruction}`);
    for (const [verb, change] of ordered(plan)) await apply(verb, change);
    if (!plan.demote) log(`the old primary (${plan.promote.config.peerStack}) is not demoted: when its region is back, run ${options.rerun} without --old-primary-lost before it takes mail again`);
    if (options.dryRun) log(skipped.length === 0 ? "every preview ran" : `previews skipped (the plan above still stands):\n${skipped.map((s) => `  ${s}`).join("\n")}`);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
  return { outputs, cutover: cutover(plan.promote.config, outputs) };
}
