// What an event asks the ingestor to archive: an object finalized in the inbox bucket. It arrives
// either as an Eventarc CloudEvent (google.cloud.storage.object.v1.finalized, data = the object
// resource) or as a Cloud Storage Pub/Sub notification pushed to the function (the framework turns
// it into google.cloud.pubsub.topic.v1.messagePublished; the JSON_API_V1 payload is the same object
// resource), which is how infra/gcp/ingest.ts wires it, to keep a dead-letter topic in the program.
// Anything else is an error, so that it is retried and finally dead-lettered where an alert sees
// it, rather than acknowledged and dropped.
import type { CloudEvent } from "@google-cloud/functions-framework";

export const FINALIZED = "google.cloud.storage.object.v1.finalized";
export const PUBSUB_PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished";

export interface InboxObject {
  /** The object's name inside the inbox bucket. */
  readonly name: string;
  /** The generation that was finalized; reading it pins the bytes to what the event describes. */
  readonly generation?: string;
  /** When the object was created (`timeCreated`). */
  readonly createdAt?: Date;
  /** The object's custom metadata at finalization (the event's data is the object resource). */
  readonly metadata: Readonly<Record<string, string>>;
}

export class UnrecognisedEventError extends Error {
  constructor(why: string) {
    super(`unrecognised Cloud Storage event: ${why}`);
    this.name = "UnrecognisedEventError";
  }
}

type Fields = Record<string, unknown>;
const isRecord = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);

function stringsOf(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/** The object resource a Cloud Storage notification carries, when it reports a finalized object. */
function notificationPayload(data: unknown): unknown {
  const message = isRecord(data) && isRecord(data.message) ? data.message : {};
  const attributes = isRecord(message.attributes) ? message.attributes : {};
  if (attributes.eventType !== "OBJECT_FINALIZE") {
    throw new UnrecognisedEventError(`Pub/Sub message is not a Cloud Storage OBJECT_FINALIZE notification (eventType ${String(attributes.eventType ?? "absent")})`);
  }
  if (attributes.payloadFormat !== "JSON_API_V1" || typeof message.data !== "string") {
    throw new UnrecognisedEventError(`notification payload format is ${String(attributes.payloadFormat ?? "absent")}, expected JSON_API_V1`);
  }
  try {
    return JSON.parse(Buffer.from(message.data, "base64").toString("utf8"));
  } catch {
    throw new UnrecognisedEventError("notification payload is not JSON");
  }
}

function objectResource(event: Pick<CloudEvent<unknown>, "type" | "data">): unknown {
  if (event.type === FINALIZED) return event.data;
  if (event.type === PUBSUB_PUBLISHED) return notificationPayload(event.data);
  throw new UnrecognisedEventError(`type ${event.type}, expected ${FINALIZED} or a Cloud Storage notification (${PUBSUB_PUBLISHED})`);
}

export function inboxObject(event: Pick<CloudEvent<unknown>, "type" | "data">, inboxBucket: string): InboxObject {
  const data = objectResource(event);
  if (!isRecord(data) || typeof data.bucket !== "string" || typeof data.name !== "string" || data.name === "") {
    throw new UnrecognisedEventError("data is not a Cloud Storage object (it needs bucket and name)");
  }
  if (data.bucket !== inboxBucket) throw new UnrecognisedEventError(`object is in bucket ${data.bucket}, not the inbox ${inboxBucket}`);
  const createdAt = typeof data.timeCreated === "string" ? new Date(data.timeCreated) : undefined;
  const generation = typeof data.generation === "string" || typeof data.generation === "number" ? String(data.generation) : undefined;
  return {
    name: data.name,
    ...(generation ? { generation } : {}),
    ...(createdAt && !Number.isNaN(createdAt.getTime()) ? { createdAt } : {}),
    metadata: stringsOf(data.metadata),
  };
}
