// The Azure engine end to end with the cloud stood in at its two boundaries: the serverless SQL pool
// at tedious's Connection (the statement, its parameters and the connection settings it receives are
// checked, and it answers with the rows the statement computes, per synapseModel.ts, over the same
// sidecars), and the archive container in Azurite, read through the auditor's Blob store. The engine's
// answer must be the scan's on the same container: same hits in the same order, same count, same
// possible hits; and a failure must tell the auditor what to do.
import type { TokenCredential } from "@azure/identity";
import { type ConnectionConfiguration, Request } from "tedious";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobAuditorStore } from "../../../../functions/auditor/blob";
import { synapseEngine } from "../../../../functions/auditor/engines/synapse";
import { planSearch, renderSearch } from "../../../../functions/auditor/engines/synapseSql";
import { tediousRunner, type TdsConnection } from "../../../../functions/auditor/engines/tediousRunner";
import { auditorTargetResolver, stackTarget, type StackOutputsReader } from "../../../../functions/auditor/target";
import type { Query } from "../../../../functions/auditor/query";
import { scanEngine } from "../../../../functions/auditor/scan";
import { type Azurite, startAzurite } from "../../../helpers/azurite";
import { BATTERY, realSidecars, variants, type SidecarFile } from "./azureSidecars";
import { modelKind } from "./synapseModel";

const CONTAINER_URL = "https://ejarceastus0123abcd.blob.core.windows.net/archive";
const ENDPOINT = "syn-ej-eastus-0123abcd-ondemand.sql.azuresynapse.net";
const ACTOR = "azure:alice@contoso.example (object id 00000000-0000-0000-0000-0000000000a1)";
const credential: TokenCredential = { getToken: async () => ({ token: "not-a-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };

let azurite: Azurite;
let container: Awaited<ReturnType<Azurite["container"]>>;
let store: BlobAuditorStore;
let files: SidecarFile[];

beforeAll(async () => {
  azurite = await startAzurite();
  const real = await realSidecars();
  // The one that does not parse is the statement's kind 3 and the scan's note; both are checked apart.
  files = [...real, ...variants(real)];
  container = await azurite.container("archive");
  for (const f of files) await container.getBlockBlobClient(f.key).upload(f.text, Buffer.byteLength(f.text));
  store = new BlobAuditorStore({ container, actor: ACTOR, pageSize: 7 });
}, 120_000);
afterAll(async () => {
  await azurite?.stop();
});

interface Seen {
  config?: ConnectionConfiguration;
  sql?: string;
  parameters?: { name: string; type: string; value: unknown }[];
  closed: number;
}

/** tedious's Connection as the pool would answer: the rows of the statement for `query`, computed over the container's sidecars. */
function pool(query: Query, seen: Seen, fail?: { connect?: string; request?: string }) {
  return (config: ConnectionConfiguration): TdsConnection => {
    seen.config = config;
    const connection = {
      on: () => connection,
      close: () => void seen.closed++,
      connect: (done?: (err?: Error) => void) => setImmediate(() => done?.(fail?.connect ? Object.assign(new Error(fail.connect), { code: "ELOGIN" }) : undefined)),
      execSql: (request: Request) => {
        seen.sql = request.sqlTextOrProcedure;
        seen.parameters = request.parameters.map((p) => ({ name: p.name, type: p.type.name, value: p.value }));
        setImmediate(() => {
          if (fail?.request) return request.callback(Object.assign(new Error(fail.request), { number: 4834 }));
          const plan = planSearch(query);
          const cap = Number(request.parameters.find((p) => p.name === "undecidedCap")!.value);
          const limit = Number(request.parameters.find((p) => p.name === "limit")!.value);
          const byKind = new Map<number, { path: string; at: string; sha: string }[]>();
          // OPENROWSET reads the area's folder, and filepath() keeps the range's years, months and days.
          const folder = plan.area === "quarantine" ? "quarantine" : "meta";
          const read = (key: string) => {
            const [area, year, month, day] = key.split("/");
            return area === folder && (plan.folders.length === 0 || plan.folders.some((f) => f.year === year && (!f.month || f.month === month) && (!f.day || f.day === day)));
          };
          for (const f of files.filter((file) => read(file.key))) {
            const kind = modelKind(plan, f.text);
            if (kind === 0) continue;
            let at = "";
            let sha = "";
            try {
              const s = JSON.parse(f.text) as { receivedAt: string; sha256: string };
              [at, sha] = [s.receivedAt, s.sha256];
            } catch {
              // unreadable: ordered by path alone
            }
            byKind.set(kind, [...(byKind.get(kind) ?? []), { path: `${CONTAINER_URL}/${f.key}`, at, sha }]);
          }
          let n = 0;
          for (const [kind, rows] of [...byKind.entries()].sort(([a], [b]) => a - b)) {
            rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.sha < b.sha ? -1 : 1));
            for (const row of rows.slice(0, kind === 1 ? limit : cap)) {
              n++;
              request.emit("row", { kind: { value: kind }, total: { value: String(rows.length) }, path: { value: row.path } });
            }
          }
          request.callback(null, n);
        });
      },
    };
    return connection as unknown as TdsConnection;
  };
}

function engineFor(query: Query, seen: Seen, fail?: { connect?: string; request?: string }) {
  return synapseEngine({ runner: tediousRunner({ endpoint: ENDPOINT, credential, actor: ACTOR, connect: pool(query, seen, fail) }), store, containerUrl: CONTAINER_URL, undecidedCap: 50 });
}

describe("the Azure engine against the scan, on the same container", () => {
  it.each(BATTERY)("%s", async (_name, query) => {
    const seen: Seen = { closed: 0 };
    const result = await engineFor(query, seen).search(query);
    const reference = await scanEngine(store).search(query);
    expect(result.hits.map((h) => h.sha256)).toEqual(reference.hits.map((h) => h.sha256));
    expect(result.total).toBe(reference.total);
    expect(result.possible.map((h) => h.sha256)).toEqual(reference.possible.map((h) => h.sha256));
    // The notes of each hit (an unverified envelope, a cut field) are the matcher's.
    expect(result.hits.map((h) => h.notes)).toEqual(reference.hits.map((h) => h.notes));
    expect(seen.closed).toBe(1);
  });

  it("counts every hit but returns the first `limit` by date, read from the archive", async () => {
    const query: Query = { area: "messages", limit: 3 };
    const seen: Seen = { closed: 0 };
    const result = await engineFor(query, seen).search(query);
    const all = await scanEngine(store).search({ area: "messages" });
    expect(result.total).toBe(all.total);
    expect(result.hits.map((h) => h.sha256)).toEqual(all.hits.slice(0, 3).map((h) => h.sha256));
    expect(result.hits[0].sidecar.sha256).toBe(result.hits[0].sha256);
  });

  it("says which records it left to the matcher, and which sidecar is not JSON", async () => {
    const query: Query = { area: "messages", from: "kate@example.com" };
    const result = await engineFor(query, { closed: 0 }).search(query);
    expect(result.hits).toHaveLength(1);
    expect(result.notes.join("\n")).toMatch(/record\(s\) T-SQL cannot decide exactly .* were judged by the reference matcher/);
    expect(result.notes.join("\n")).toMatch(/sidecar\(s\) are not readable JSON \(the first: meta\/2026\/11\/20\/e{64}\.json\): run verify/);
  });
});

describe("what the pool receives", () => {
  it("the statement for the query, every value as a typed parameter, over an encrypted connection as the signed-in person", async () => {
    const query: Query = { area: "messages", from: "alice@example.com", since: new Date("2026-11-01T00:00:00Z"), until: new Date("2026-12-01T00:00:00Z"), limit: 10 };
    const seen: Seen = { closed: 0 };
    await engineFor(query, seen).search(query);
    const expected = renderSearch(planSearch(query), { containerUrl: CONTAINER_URL, limit: 10, undecidedCap: 50 });
    expect(seen.sql).toBe(expected.sql);
    expect(seen.parameters).toEqual([
      { name: "from", type: "NVarChar", value: "alice@example.com" },
      { name: "since", type: "DateTime2", value: query.since },
      { name: "until", type: "DateTime2", value: query.until },
      { name: "limit", type: "BigInt", value: 10 },
      { name: "undecidedCap", type: "BigInt", value: 50 },
    ]);
    expect(seen.sql).not.toContain("alice@example.com");
    expect(seen.config).toMatchObject({
      server: ENDPOINT,
      authentication: { type: "token-credential", options: { credential } },
      options: { database: "master", encrypt: true, trustServerCertificate: false, port: 1433 },
    });
  });

  it("asks for one hit row when the limit is 0, which still carries the count", async () => {
    const query: Query = { area: "messages", limit: 0 };
    const seen: Seen = { closed: 0 };
    const result = await engineFor(query, seen).search(query);
    expect(seen.parameters?.find((p) => p.name === "limit")?.value).toBe(1);
    expect(result.hits).toEqual([]);
    expect(result.total).toBe((await scanEngine(store).search({ area: "messages" })).total);
  });
});

describe("when the pool refuses", () => {
  const query: Query = { area: "messages", from: "alice@example.com" };
  const refused = (fail: { connect?: string; request?: string }) => engineFor(query, { closed: 0 }, fail).search(query);

  it("names the firewall and the command that admits a network", async () => {
    await expect(refused({ connect: "Client with IP address '203.0.113.7' is not allowed to access the server." })).rejects.toThrow(/not allowed to access the server.*firewall.*az synapse workspace firewall-rule create/);
  });

  it("names the one-time setup when the person has no login", async () => {
    await expect(refused({ connect: "Login failed for user '<token-identified principal>'." })).rejects.toThrow(new RegExp(`Login failed.*${ACTOR.replace(/[()]/g, ".")} has no login on the serverless pool.*one-time setup`));
  });

  it("names the grant when OPENROWSET is not allowed", async () => {
    await expect(refused({ request: "You do not have permission to use the bulk load statement." })).rejects.toThrow(/ADMINISTER BULK OPERATIONS/);
  });

  it("refuses an endpoint that is not a workspace's serverless endpoint", () => {
    expect(() => tediousRunner({ endpoint: "evil.example.com", credential })).toThrow(/is not a Synapse serverless SQL endpoint/);
  });
});

describe("the engine a stack's search uses on Azure", () => {
  const OUTPUTS = { archiveAccountName: "ejarceastus0123abcd", archiveContainer: "archive", archiveAccountId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/ejarceastus0123abcd", searchSqlEndpoint: ENDPOINT };
  const reader = (outputs: Record<string, unknown>): StackOutputsReader => ({ read: async () => outputs });
  const claims = Buffer.from(JSON.stringify({ upn: "alice@contoso.example", oid: "00000000-0000-0000-0000-0000000000a1" })).toString("base64url");
  const signedIn = () => {
    const made: TokenCredential[] = [];
    const azureCredential = () => {
      const credential: TokenCredential = { getToken: async () => ({ token: `h.${claims}.s`, expiresOnTimestamp: Date.now() + 3_600_000 }) };
      made.push(credential);
      return credential;
    };
    return { made, azureCredential };
  };

  it("reads the stack's serverless endpoint for the auditor, and none for the hold admin", async () => {
    expect(await stackTarget("azure-eastus2", "audit", reader(OUTPUTS))).toMatchObject({ kind: "azure-blob", synapse: { endpoint: ENDPOINT } });
    expect(await stackTarget("azure-eastus2", "hold", reader(OUTPUTS))).not.toHaveProperty("synapse");
    const { searchSqlEndpoint: _, ...without } = OUTPUTS;
    expect(await stackTarget("azure-eastus2", "audit", reader(without))).not.toHaveProperty("synapse");
  });

  it("is Synapse, signed in with the credential the store uses, and answers as the scan does", async () => {
    const { made, azureCredential } = signedIn();
    const query: Query = { area: "messages", to: "sales@contoso.com" };
    const seen: Seen = { closed: 0 };
    const resolution = await auditorTargetResolver(reader(OUTPUTS), { azureCredential, azureContainer: () => container, tds: pool(query, seen) })({ stack: "azure-eastus2", role: "auditor" }, {});
    expect(resolution.engine?.name).toBe("synapse");
    const result = await resolution.engine!.search(query);
    expect(made).toHaveLength(1);
    expect(seen.config).toMatchObject({ server: ENDPOINT, authentication: { type: "token-credential", options: { credential: made[0] } } });
    expect(result.hits.map((h) => h.sha256)).toEqual((await scanEngine(store).search(query)).hits.map((h) => h.sha256));
  });

  it("is the scan (no engine) for a stack without the endpoint, a bare container URL, and a hold admin", async () => {
    const { searchSqlEndpoint: _, ...without } = OUTPUTS;
    for (const [request, outputs] of [
      [{ stack: "azure-eastus2", role: "auditor" }, without],
      [{ archive: "https://ejarceastus0123abcd.blob.core.windows.net/archive", role: "auditor" }, OUTPUTS],
      [{ stack: "azure-eastus2", role: "hold-admin" }, OUTPUTS],
    ] as const) {
      const resolution = await auditorTargetResolver(reader(outputs), { ...signedIn(), azureContainer: () => container })(request, {});
      expect(resolution.engine).toBeUndefined();
    }
  });
});
