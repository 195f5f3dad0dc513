// The third-party corpus beside the checkout (../shared/corpus), read-only.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const CORPUS_DIR = resolve(process.env.JOURNAL_CORPUS_DIR ?? join(__dirname, "..", "..", "..", "shared", "corpus"));

/** Every corpus message file, sorted; empty when the corpus is not there. */
export function corpusFiles(dir = CORPUS_DIR): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".eml")) out.push(path);
    }
  };
  walk(dir);
  return out;
}
