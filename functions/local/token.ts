// The HTTP bearer token: JOURNAL_TOKEN, or one generated on the archive's first start and kept in
// `<dir>/http.token` (0600), so it stays the same across restarts and clients keep working.
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const tokenPath = (dir: string) => join(dir, "http.token");

export async function loadOrCreateToken(dir: string): Promise<string> {
  const path = tokenPath(dir);
  const stored = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (stored?.trim()) return stored.trim();
  const token = randomBytes(24).toString("base64url");
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  return token;
}
