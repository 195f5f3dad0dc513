// A stack file's role, read and changed in place: promotion edits the one line that says
// `email-journal:role`, so the file keeps its comments and everything else byte for byte.
import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import type { Role } from "../config";

const ROLE_LINE = /^(\s*email-journal:role:\s*)(["']?)(primary|standby)\2(\s*(#.*)?)$/m;

export interface StackFile {
  readonly path: string;
  readonly text: string;
  /** The file's config, keyed as Pulumi keys it. */
  readonly config: Readonly<Record<string, unknown>>;
}

export function readStackFile(path: string): StackFile {
  const text = readFileSync(path, "utf8");
  const config = ((load(text) as { config?: Record<string, unknown> } | undefined)?.config ?? {}) as Record<string, unknown>;
  return { path, text, config };
}

export function roleOf(file: StackFile): Role {
  const match = ROLE_LINE.exec(file.text);
  if (!match) throw new Error(`${file.path}: no \`email-journal:role: primary|standby\` line; promotion edits that line and nothing else`);
  return match[3] as Role;
}

const PEER_LOST_LINE = /^\s*email-journal:peerLost:.*(\r?\n|$)/m;

/**
 * The file's text with its role set to `role`, and `email-journal:peerLost: true` right below it
 * when `peerLost`, or no peerLost line when not; unchanged when it already says so.
 */
export function withRole(file: StackFile, role: Role, peerLost = false): string {
  roleOf(file);
  const text = file.text.replace(PEER_LOST_LINE, "");
  return text.replace(ROLE_LINE, (_line, head: string, quote: string, _old: string, tail: string) => {
    const line = `${head}${quote}${role}${quote}${tail}`;
    return peerLost ? `${line}\n${head.replace("role:", "peerLost:").replace(/:\s*$/, ": ")}true` : line;
  });
}
