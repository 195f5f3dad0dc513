// What the Functions host is told at start: the function names the infrastructure wires (app
// settings that disable intake on a standby, the Event Grid endpoint), the HTTP route and its
// key requirement. `app` is the host boundary, so it is the one thing replaced here.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { FUNCTIONS } from "../../../infra/azure/ingest";

const registered = vi.hoisted(() => ({ http: new Map<string, Record<string, unknown>>(), eventGrid: new Map<string, Record<string, unknown>>() }));

vi.mock("@azure/functions", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  app: {
    http: (name: string, options: Record<string, unknown>) => registered.http.set(name, options),
    eventGrid: (name: string, options: Record<string, unknown>) => registered.eventGrid.set(name, options),
  },
}));

beforeAll(async () => {
  await import("../../../functions/azure/index");
});

describe("functions/azure/index registers", () => {
  it("the HTTP intake under the name the program disables on a standby, POST only, behind a function key, at /api/ingest", () => {
    expect([...registered.http.keys()]).toEqual([FUNCTIONS.http]);
    expect(registered.http.get(FUNCTIONS.http)).toMatchObject({ methods: ["POST"], authLevel: "function", route: "ingest" });
  });

  it("the blob intake under the name the Event Grid subscription's endpoint names", () => {
    expect([...registered.eventGrid.keys()]).toEqual([FUNCTIONS.blob]);
    expect(registered.eventGrid.get(FUNCTIONS.blob)!.handler).toBeTypeOf("function");
  });

  it("reads its settings on the first invocation, which fails naming each missing one", async () => {
    // The import above ran with no app settings and did not throw: a bad setting surfaces in the
    // invocation's log, where it is read, instead of a host that will not start.
    const { HttpRequest, InvocationContext } = await import("@azure/functions");
    const handler = registered.http.get(FUNCTIONS.http)!.handler as (r: unknown, c: unknown) => Promise<unknown>;
    await expect(handler(new HttpRequest({ method: "POST", url: "https://x/api/ingest" }), new InvocationContext())).rejects.toThrow(
      /invalid ingestor settings:\n {2}ARCHIVE_BLOB_ENDPOINT=null: must be an HTTPS blob endpoint/,
    );
  });
});
