// The promotion plan: which files change and which updates run, in order, worked out from the
// stack files alone, so that `--dry-run` can show it whole before anything changes.
//   1. promote: the standby's file says `role: primary`, then its update turns intake on and
//      starts replication into the old primary;
//   2. demote (when the old primary is reachable): its file says `role: standby`, then its update
//      turns its intake off and stops its replication: the copy now runs the other way;
//   3. cut over the mail (instructions: DNS, relays).
// On Azure the demotion comes first: a container that is the destination of an object replication
// policy refuses writes (409), so the standby's archive cannot take mail until the old primary's
// policy into it is gone.
import { existsSync } from "node:fs";
import { parseStackConfig, type Cloud, type Role, type StackConfig } from "../config";
import { projectKeys, stackFilePath } from "../stackFiles";
import { readStackFile, roleOf, withRole, type StackFile } from "./stackFile";

export interface RoleChange {
  /** The stack as Pulumi names it, `<org>/<project>/<stack>`. */
  readonly stack: string;
  readonly file: StackFile;
  readonly config: StackConfig;
  readonly from: Role;
  readonly to: Role;
  /** The file's text after the change (the same text when the role already is `to`). */
  readonly newText: string;
}

export interface PromotionPlan {
  readonly cloud: Cloud;
  readonly promote: RoleChange;
  /** Undefined when the old primary is lost: it is demoted later, once its region is back. */
  readonly demote?: RoleChange;
  /** Demote before promoting (Azure: see above). */
  readonly demoteFirst: boolean;
  /** Steps the operator must take before the promotion can succeed (Azure, old primary lost). */
  readonly before: readonly string[];
}

export interface PlanOptions {
  /** The standby to promote, by its short name (`aws-us-west-2`); its file names the cloud and its peer. */
  readonly stack: string;
  /** The old primary's region is gone: promote only. */
  readonly oldPrimaryLost: boolean;
  /** The project folder whose stack files are read. */
  readonly root?: string;
}

const short = (stack: string) => stack.split("/").pop()!;

function loadStack(stack: string, root?: string): { file: StackFile; config: StackConfig } {
  const path = stackFilePath(stack, root);
  if (!existsSync(path)) throw new Error(`no stack file for ${stack}: expected ${path}`);
  const file = readStackFile(path);
  return { file, config: parseStackConfig(projectKeys(file.config), stack) };
}

function change(stack: string, loaded: { file: StackFile; config: StackConfig }, to: Role, peerLost = false): RoleChange {
  return { stack, ...loaded, from: roleOf(loaded.file), to, newText: withRole(loaded.file, to, peerLost) };
}

export function planPromotion(options: PlanOptions): PromotionPlan {
  const target = loadStack(options.stack, options.root);
  const oldPrimaryName = target.config.peerStack;
  const old = loadStack(short(oldPrimaryName), options.root);
  if (short(old.config.peerStack) !== options.stack) {
    throw new Error(`${old.file.path} names ${old.config.peerStack} as its peer, not ${options.stack}: the two files are not one DR pair`);
  }
  if (old.config.cloud !== target.config.cloud) throw new Error(`${options.stack} deploys ${target.config.cloud} and its peer ${short(oldPrimaryName)} ${old.config.cloud}: a DR pair is on one cloud`);
  const azure = target.config.cloud === "azure";
  // A rerun after a failure finds steps already done: their role edits are then no-ops.
  return {
    cloud: target.config.cloud,
    // With the old primary lost, the new one takes mail without replicating into it (peerLost).
    promote: change(old.config.peerStack, target, "primary", options.oldPrimaryLost),
    ...(options.oldPrimaryLost ? {} : { demote: change(oldPrimaryName, old, "standby") }),
    demoteFirst: azure,
    before:
      azure && options.oldPrimaryLost
        ? [
            `Remove the old primary's object replication policy from ${options.stack}'s archive account, which refuses writes while it is a replication destination: ` +
              `az storage account or-policy list --account-name <archiveAccountName of ${options.stack}> --resource-group <resourceGroupName of ${options.stack}>, then az storage account or-policy delete --policy-id <id> with the same account and group.`,
          ]
        : [],
  };
}

/** The command that deploys a stack with its edited file: Pulumi reads Pulumi.<stack>.yaml itself. */
export const deployCommand = (change: RoleChange) => `pulumi up --stack ${change.stack}`;

/**
 * Whether the pair already is where this promotion would take it: the files say so, and so do the
 * deployed stacks (`deployedRole`, undefined where it could not be read). A rerun after a failed
 * update is not done: that update's stack still has its old role deployed.
 */
export function alreadyPromoted(plan: PromotionPlan, deployedRole: (stack: string) => Role | undefined): boolean {
  const settled = (change: RoleChange | undefined) => !change || (change.newText === change.file.text && (deployedRole(change.stack) ?? change.to) === change.to);
  return settled(plan.promote) && settled(plan.demote);
}
