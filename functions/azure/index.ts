// The Function App's entry: registers both functions with the Azure Functions host.
// The HTTP intake needs a function key (authLevel "function"); the blob intake is called by
// the Event Grid subscription only. Clients authenticate as the app's user-assigned identity
// (AZURE_CLIENT_ID), since the storage accounts accept no shared keys.
import { app } from "@azure/functions";
import { ContainerClient } from "@azure/storage-blob";
import { createHandlers, FUNCTION_NAMES, type AzureIngestor } from "./handlers";
import { ManagedIdentityCredential } from "./managedIdentity";
import { readAzureSettings } from "./settings";

let ingestor: AzureIngestor | undefined;

/** Built once per instance, on first use, so that warm invocations reuse the clients and tokens. */
function fromEnvironment(): AzureIngestor {
  if (!ingestor) {
    const settings = readAzureSettings(process.env);
    const credential = ManagedIdentityCredential.fromEnvironment(process.env);
    ingestor = {
      settings,
      archive: new ContainerClient(`${settings.archiveBlobEndpoint}${settings.archiveContainer}`, credential),
      inbox: new ContainerClient(`${settings.inboxBlobEndpoint}${settings.inboxContainer}`, credential),
    };
  }
  return ingestor;
}

const handlers = createHandlers(fromEnvironment);

app.http(FUNCTION_NAMES.http, { methods: ["POST"], authLevel: "function", route: "ingest", handler: handlers.ingestHttp });
app.eventGrid(FUNCTION_NAMES.blob, { handler: handlers.ingestBlob });
