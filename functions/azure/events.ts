// What an Event Grid event asks the ingestor to archive: a blob created in the inbox container.
// The subscription (infra/azure/ingest.ts) filters on Microsoft.Storage.BlobCreated and the
// inbox container; anything else that arrives is an error, so that Event Grid retries it and
// finally dead-letters it where the DeadLetteredCount alert sees it, rather than dropping it.
import type { EventGridEvent } from "@azure/functions";

export interface InboxBlob {
  /** The blob's name inside the inbox container. */
  readonly name: string;
  /** When the blob was created, from the event. */
  readonly createdAt?: Date;
}

export class UnrecognisedEventError extends Error {
  constructor(why: string) {
    super(`unrecognised Event Grid event: ${why}`);
    this.name = "UnrecognisedEventError";
  }
}

const SUBJECT = /^\/blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/;

export function inboxBlob(event: Pick<EventGridEvent, "eventType" | "subject" | "eventTime" | "data">, inbox: { endpoint: string; container: string }): InboxBlob {
  if (event.eventType !== "Microsoft.Storage.BlobCreated") throw new UnrecognisedEventError(`type ${event.eventType}, expected Microsoft.Storage.BlobCreated`);
  const match = SUBJECT.exec(event.subject ?? "");
  if (!match) throw new UnrecognisedEventError("subject is not /blobServices/default/containers/<container>/blobs/<name>");
  const [, container, name] = match;
  if (container !== inbox.container) throw new UnrecognisedEventError(`blob is in container ${container}, not the inbox ${inbox.container}`);
  // The subject does not name the account: the URL does, and it must be the inbox's.
  const url = typeof event.data?.url === "string" ? event.data.url : "";
  if (!url.startsWith(`${inbox.endpoint}${inbox.container}/`)) throw new UnrecognisedEventError("data.url is not a blob in the inbox account's inbox container");
  const createdAt = new Date(event.eventTime);
  return { name, ...(Number.isNaN(createdAt.getTime()) ? {} : { createdAt }) };
}
