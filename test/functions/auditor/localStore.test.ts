// The local archive's AuditorStore adapter passes the conformance suite every store passes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { LocalAuditorStore } from "../../../functions/auditor/local/localStore";
import { openLocalArchive } from "../../../functions/local/archive";
import { auditorStoreContract } from "../../helpers/auditorStoreContract";

auditorStoreContract({
  name: "local archive",
  async open(records) {
    const dir = mkdtempSync(join(tmpdir(), "journal-auditor-contract-"));
    const archive = await openLocalArchive({ dir });
    for (const r of records) {
      // Sidecars and records are bound to their key in their header, raw bytes by their hash, as the pipeline writes them.
      await archive.store.putIfAbsent(r.key, r.body, { contentType: r.contentType, retainUntil: r.retainUntil, sha256: r.sha256 });
    }
    await archive.close();
    const opened: LocalAuditorStore[] = [];
    const open = () => {
      const store = new LocalAuditorStore({ dir });
      opened.push(store);
      return store;
    };
    return {
      store: open(),
      location: dir,
      actor: `cli:${process.env.USER || userInfo().username}`,
      reopen: async () => open(),
      async close() {
        for (const store of opened) await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});
