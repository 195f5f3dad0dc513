// Which query engine searches a cloud archive: the stack's own when its outputs name one (Athena on
// AWS, BigQuery on GCP, Synapse serverless SQL on Azure), as the same identity the store acts as; otherwise the scan. The engine is
// opened with the session the store was opened with, so that a person enters an MFA code once.
import { AthenaClient } from "@aws-sdk/client-athena";
import type { TokenCredential } from "@azure/identity";
import { type AuthClient, Impersonated } from "google-auth-library";
import type { SearchEngine } from "../query";
import { scanEngine } from "../scan";
import type { AuditorStore } from "../store";
import { athenaEngine, type AthenaTarget } from "./athena";
import { bigQueryEngine, type BigQueryFetch, type BigQueryTarget } from "./bigquery";
import { synapseEngine, type SynapseTarget } from "./synapse";
import { tediousRunner, type TediousRunnerOptions } from "./tediousRunner";

/** The stack outputs infra/aws/search.ts exports, when the stack has them. */
export function athenaTargetOf(outputs: Record<string, unknown>): AthenaTarget | undefined {
  const [workgroup, database, table] = ["searchWorkgroup", "searchDatabase", "searchTable"].map((n) => outputs[n]);
  return typeof workgroup === "string" && typeof database === "string" && typeof table === "string" && workgroup && database && table ? { workgroup, database, table } : undefined;
}

/** The stack outputs infra/gcp/search.ts exports, when the stack has them. */
export function bigQueryTargetOf(outputs: Record<string, unknown>): BigQueryTarget | undefined {
  const [project, dataset, table, location, kmsKeyName] = ["project", "searchDataset", "searchTable", "searchLocation", "kmsKeyId"].map((n) => outputs[n]);
  if (![project, dataset, table, location].every((v) => typeof v === "string" && v)) return undefined;
  return { project: project as string, dataset: dataset as string, table: table as string, location: location as string, ...(typeof kmsKeyName === "string" && kmsKeyName ? { kmsKeyName } : {}) };
}

/** The stack output infra/azure/search.ts exports, when the stack has it. */
export function synapseTargetOf(outputs: Record<string, unknown>): SynapseTarget | undefined {
  const endpoint = outputs.searchSqlEndpoint;
  return typeof endpoint === "string" && endpoint ? { endpoint } : undefined;
}

type AwsConfig = { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };

/** The sessions a store was opened with, seen as the factories are called. */
export interface Sessions {
  aws?: AwsConfig;
  google?: AuthClient;
  azure?: TokenCredential;
}

/** Factories that note the session they are given, for the engine to act as the same identity. */
export function watching<C extends { s3?: (config: AwsConfig) => unknown; googleSource?: () => Promise<AuthClient>; azureCredential?: () => TokenCredential }>(
  clients: C,
  defaults: Required<Pick<C, "s3" | "googleSource" | "azureCredential">>,
  seen: Sessions,
): C {
  return {
    ...clients,
    s3: (config: AwsConfig) => ((seen.aws = config), (clients.s3 ?? defaults.s3)!(config)),
    googleSource: async () => (seen.google = await (clients.googleSource ?? defaults.googleSource)!()),
    azureCredential: () => (seen.azure = (clients.azureCredential ?? defaults.azureCredential)!()),
  };
}

export interface EngineClients {
  readonly athena?: (config: AwsConfig) => AthenaClient;
  /** BigQuery's REST calls as the impersonated account; tests pass theirs. */
  readonly bigQueryFetch?: (authClient: AuthClient) => BigQueryFetch;
  /** The TDS connection to Synapse; tests pass theirs. */
  readonly tds?: TediousRunnerOptions["connect"];
}

/** Search and read BigQuery, as the auditor account (BigQuery's OAuth scope; the store's token is for storage only). */
const BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery";

export type EngineTarget =
  | { readonly kind: "s3"; readonly bucket: string; readonly athena?: AthenaTarget }
  | { readonly kind: "gcs"; readonly bucket: string; readonly serviceAccount?: string; readonly bigquery?: BigQueryTarget }
  | { readonly kind: "azure-blob"; readonly accountUrl: string; readonly container: string; readonly synapse?: SynapseTarget };

/** The stack's engine for `target`, or undefined when it has none (the scan answers). */
export function searchEngineFor(target: EngineTarget, store: AuditorStore, seen: Sessions, clients: EngineClients = {}): SearchEngine | undefined {
  if (target.kind === "s3" && target.athena && seen.aws) {
    const client = (clients.athena ?? ((config) => new AthenaClient(config)))(seen.aws);
    return athenaEngine({ ...target.athena, client, store, bucket: target.bucket, fallback: scanEngine(store) });
  }
  if (target.kind === "gcs" && target.bigquery && seen.google && target.serviceAccount) {
    const authClient = new Impersonated({ sourceClient: seen.google, targetPrincipal: target.serviceAccount, targetScopes: [BIGQUERY_SCOPE], lifetime: 3600, delegates: [] });
    const fetch = (clients.bigQueryFetch ?? defaultFetch)(authClient);
    return bigQueryEngine({ ...target.bigquery, fetch, store, bucket: target.bucket, fallback: scanEngine(store) });
  }
  if (target.kind === "azure-blob" && target.synapse && seen.azure) {
    // The pool reads the container as the signed-in person (Entra pass-through), the store's own credential.
    const runner = tediousRunner({ endpoint: target.synapse.endpoint, credential: seen.azure, actor: () => store.actor(), ...(clients.tds ? { connect: clients.tds } : {}) });
    return synapseEngine({ runner, store, containerUrl: `${target.accountUrl}/${target.container}` });
  }
  return undefined;
}

function defaultFetch(authClient: AuthClient): BigQueryFetch {
  return async (url, init) => (await authClient.request({ url, method: init.method, data: init.body, responseType: "json" })).data as Record<string, unknown>;
}
