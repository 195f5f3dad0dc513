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
import { projectKeys, stackFilePath } from "../../policies/check/stackFiles";
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
  /** The standby to promote, by its short name (`dr`). */
  readonly stack: string;
  readonly cloud: Cloud;
  /** The old primary's region is gone: promote only. */
  readonly oldPrimaryLost: boolean;
  /** The project folder whose stack files are read. */
  readonly root?: string;
}

const short = (stack: string) => stack.split("/").pop()!;

function loadStack(stack: string, cloud: Cloud, root?: string): { file: StackFile; config: StackConfig } {
  const path = stackFilePath(stack, cloud, root);
  if (!existsSync(path)) throw new Error(`no stack file for ${stack} on ${cloud}: expected ${path}`);
  const file = readStackFile(path);
  if (file.config["email-journal:cloud"] !== cloud) throw new Error(`${path} deploys ${String(file.config["email-journal:cloud"])}, not ${cloud}`);
  return { file, config: parseStackConfig(projectKeys(file.config), stack) };
}

function change(stack: string, loaded: { file: StackFile; config: StackConfig }, to: Role, peerLost = false): RoleChange {
  return { stack, ...loaded, from: roleOf(loaded.file), to, newText: withRole(loaded.file, to, peerLost) };
}

export function planPromotion(options: PlanOptions): PromotionPlan {
  const target = loadStack(options.stack, options.cloud, options.root);
  const oldPrimaryName = target.config.peerStack;
  const old = loadStack(short(oldPrimaryName), options.cloud, options.root);
  if (short(old.config.peerStack) !== options.stack) {
    throw new Error(`${old.file.path} names ${old.config.peerStack} as its peer, not ${options.stack}: the two files are not one DR pair`);
  }
  const azure = options.cloud === "azure";
  // A rerun after a failure finds steps already done: their role edits are then no-ops.
  return {
    cloud: options.cloud,
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

/** The config file a stack is deployed with: `--config-file` is needed for stacks/<cloud>/ files. */
export function deployCommand(change: RoleChange, root: string): string {
  const relative = change.file.path.startsWith(root) ? change.file.path.slice(root.length + 1) : change.file.path;
  return `pulumi up --stack ${change.stack} --config-file ${relative}`;
}
