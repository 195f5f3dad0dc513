// The Azure engine's connection to the workspace's serverless SQL endpoint, through tedious (TDS):
// signed in as the person's own Entra identity (a token for Azure SQL from their credential: tedious's
// "token-credential" authentication), so that the pool reads the archive as them (Entra pass-through).
// Every statement runs with its values as parameters: tedious's execSql sends it through sp_executesql.
import { Connection, type ConnectionConfiguration, Request, TYPES } from "tedious";
import type { TokenCredential } from "@azure/identity";
import type { SqlRunner } from "./synapse";
import type { SqlParameter } from "./synapseSql";

/** What a Connection is to this runner: tedious's own, or a test's stand-in at that boundary. */
export type TdsConnection = Pick<Connection, "connect" | "execSql" | "close" | "on">;

export interface TediousRunnerOptions {
  /** The workspace's serverless SQL endpoint, `<workspace>-ondemand.sql.azuresynapse.net` (stack output searchSqlEndpoint). */
  readonly endpoint: string;
  readonly credential: TokenCredential;
  /** Who is signed in, for error messages. */
  readonly actor?: string | (() => Promise<string>);
  /** How long a search may run; an archive-scale scan takes minutes. */
  readonly requestTimeoutMs?: number;
  readonly connect?: (config: ConnectionConfiguration) => TdsConnection;
}

const ENDPOINT = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?-ondemand\.sql\.azuresynapse\.net$/;

/** The service's answer, with what to do about the ones an auditor meets first. */
export function explainSqlError(err: Error & { code?: string; number?: number }, endpoint: string, actor = "you"): Error {
  const said = err.message;
  const setup = "docs/azure.md, \"Searching the archive\"";
  let advice = "";
  if (/not allowed to access the server|firewall/i.test(said)) advice = `the workspace's firewall does not admit this network: an administrator adds its egress range (az synapse workspace firewall-rule create; ${setup})`;
  else if (/login failed|cannot open server|token-identified principal/i.test(said)) advice = `${actor} has no login on the serverless pool: an administrator runs the one-time setup for each auditor (${setup})`;
  else if (/ADMINISTER BULK OPERATIONS|permission to use the bulk load|bulk load/i.test(said)) advice = `${actor} may not run OPENROWSET: the one-time setup grants ADMINISTER BULK OPERATIONS (${setup})`;
  else if (/cannot be listed|cannot be opened|does not exist or it is used by another process|access denied|403/i.test(said)) advice = `the pool reads the archive as ${actor}, who needs the stack's auditor role on the archive container`;
  else if (/data processed|cost control|limit/i.test(said) && /exceed|reach/i.test(said)) advice = "the pool's data-processed limit stops it; an administrator raises it (sp_set_data_processed_limit) or the search waits for the next period";
  return new Error(`search through the Synapse serverless pool ${endpoint} failed: ${said}${advice ? `. ${advice}` : ""}`, { cause: err });
}

export function tediousRunner(options: TediousRunnerOptions): SqlRunner {
  if (!ENDPOINT.test(options.endpoint)) throw new Error(`"${options.endpoint}" is not a Synapse serverless SQL endpoint (<workspace>-ondemand.sql.azuresynapse.net)`);
  const connect = options.connect ?? ((config) => new Connection(config));
  return {
    query: (sql, parameters) =>
      new Promise((resolve, reject) => {
        const connection = connect({
          server: options.endpoint,
          authentication: { type: "token-credential", options: { credential: options.credential } },
          // Serverless SQL pools accept encrypted connections only; OPENROWSET runs from master.
          options: { database: "master", encrypt: true, trustServerCertificate: false, port: 1433, useColumnNames: true, requestTimeout: options.requestTimeoutMs ?? 30 * 60_000 },
        });
        const fail = (err: Error) => {
          connection.close();
          const actor = options.actor;
          void (typeof actor === "function" ? actor().catch(() => undefined) : Promise.resolve(actor)).then((who) => reject(explainSqlError(err, options.endpoint, who)));
        };
        connection.on("error", fail);
        connection.connect((err) => {
          if (err) return fail(err);
          const rows: Array<Record<string, unknown>> = [];
          const request = new Request(sql, (error) => {
            if (error) return fail(error);
            connection.close();
            resolve(rows);
          });
          for (const p of parameters) addParameter(request, p);
          request.on("row", (columns: Record<string, { value: unknown }>) => rows.push(Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, c.value]))));
          connection.execSql(request);
        });
      }),
  };
}

function addParameter(request: Request, p: SqlParameter): void {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(p.name)) throw new Error(`not a parameter name: ${p.name}`);
  if (p.type === "NVarChar") request.addParameter(p.name, TYPES.NVarChar, String(p.value));
  else if (p.type === "BigInt") request.addParameter(p.name, TYPES.BigInt, p.value);
  else request.addParameter(p.name, TYPES.DateTime2, p.value, { scale: 3 });
}
