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

/** The file's text with its role set to `role`; unchanged when it already is. */
export function withRole(file: StackFile, role: Role): string {
  roleOf(file);
  return file.text.replace(ROLE_LINE, (_line, head: string, quote: string, _old: string, tail: string) => `${head}${quote}${role}${quote}${tail}`);
}
