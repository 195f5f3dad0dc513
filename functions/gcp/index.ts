// The Cloud Functions entry: registers both functions with the Functions Framework. Each deployed
// function picks one by its entry point: `ingestHttp` behind IAM invoker auth, `ingestObject` for
// the inbox bucket's finalize events (a Pub/Sub push of its notifications, or an Eventarc trigger).
// The Storage client authenticates as the function's service account (Application Default
// Credentials); settings are read on the first invocation, so a bad one shows in that
// invocation's log instead of an instance that will not start.
import * as functions from "@google-cloud/functions-framework";
import { Storage } from "@google-cloud/storage";
import { createHandlers, FUNCTION_NAMES, type GcpIngestor } from "./handlers";
import { readGcpSettings } from "./settings";

let ingestor: GcpIngestor | undefined;

/** Built once per instance, on first use, so that warm invocations reuse the client and its tokens. */
function fromEnvironment(): GcpIngestor {
  if (!ingestor) {
    const settings = readGcpSettings(process.env);
    // A custom endpoint (tests only, loopback only) makes the client send no credentials at all.
    const storage = new Storage(settings.storageApiEndpoint ? { apiEndpoint: settings.storageApiEndpoint } : {});
    ingestor = { settings, archive: storage.bucket(settings.archiveBucket), inbox: storage.bucket(settings.inboxBucket) };
  }
  return ingestor;
}

const handlers = createHandlers(fromEnvironment);

functions.http(FUNCTION_NAMES.http, handlers.ingestHttp);
functions.cloudEvent(FUNCTION_NAMES.event, handlers.ingestObject);
