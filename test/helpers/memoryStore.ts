// An ObjectStore held in memory, with the create-only semantics of S3/Azure/GCS
// conditional writes, and a switch that makes chosen writes fail the way a cloud
// store does (throttling, 5xx), to test that the pipeline never loses or half-writes.
import type { ObjectInfo, ObjectStore, PutOptions, PutOutcome } from "../../functions/core/objectStore";
import { StoreUnavailableError } from "../../functions/core/objectStore";

export interface StoredObject {
  readonly body: Buffer;
  readonly options: PutOptions;
}

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  /** Keys matching this are refused with a StoreUnavailableError. */
  failWrites?: RegExp;
  puts = 0;

  async putIfAbsent(key: string, body: Buffer, options: PutOptions): Promise<PutOutcome> {
    this.puts++;
    if (this.failWrites?.test(key)) throw new StoreUnavailableError(`injected failure writing ${key}`);
    if (this.objects.has(key)) return "exists";
    this.objects.set(key, { body: Buffer.from(body), options });
    return "created";
  }

  async get(key: string): Promise<Buffer | undefined> {
    return this.objects.get(key)?.body;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const found = this.objects.get(key);
    return found && { key, size: found.body.length, retainUntil: found.options.retainUntil };
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    for (const key of [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
      yield (await this.head(key))!;
    }
  }

  keys(prefix = ""): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  json<T>(key: string): T {
    const found = this.objects.get(key);
    if (!found) throw new Error(`no object at ${key}; have ${this.keys().join(", ")}`);
    return JSON.parse(found.body.toString("utf8")) as T;
  }
}
