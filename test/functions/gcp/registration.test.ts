// What the Functions Framework is told at start: the entry points the deployment names (the HTTP
// intake, and the event intake its trigger targets), each with the signature it is called with.
// Registration is recorded on its way to the real framework, whose test server then serves it.
import { getTestServer } from "@google-cloud/functions-framework/testing";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FUNCTION_NAMES } from "../../../functions/gcp/handlers";

const registered = vi.hoisted(() => ({ http: [] as string[], cloudEvent: [] as string[] }));

vi.mock("@google-cloud/functions-framework", async (importOriginal) => {
  const framework = await importOriginal<typeof import("@google-cloud/functions-framework")>();
  return {
    ...framework,
    http: (name: string, handler: Parameters<typeof framework.http>[1]) => {
      registered.http.push(name);
      framework.http(name, handler);
    },
    cloudEvent: (name: string, handler: Parameters<typeof framework.cloudEvent>[1]) => {
      registered.cloudEvent.push(name);
      framework.cloudEvent(name, handler);
    },
  };
});

const SETTINGS = ["ARCHIVE_BUCKET", "INBOX_BUCKET", "RETENTION_DAYS", "MAX_MESSAGE_BYTES", "DETECTORS", "LOG_LEVEL", "STORAGE_API_ENDPOINT", "STORAGE_EMULATOR_HOST"];
let server: Server | undefined;

beforeAll(async () => {
  for (const name of SETTINGS) delete process.env[name];
  // Importing with no settings at all must not throw: they are read on the first invocation.
  await import("../../../functions/gcp/index");
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

describe("functions/gcp/index registers", () => {
  it("exactly the HTTP intake and the event intake, under the entry point names", () => {
    expect(registered).toEqual({ http: [FUNCTION_NAMES.http], cloudEvent: [FUNCTION_NAMES.event] });
    expect(FUNCTION_NAMES).toEqual({ http: "ingestHttp", event: "ingestObject" });
  });

  it("reads its settings on the first invocation, which fails naming each missing one", async () => {
    // The framework logs a failed invocation's stack with console.error; Cloud Logging shows it.
    const crashes = vi.spyOn(console, "error").mockImplementation(() => undefined);
    server = getTestServer(FUNCTION_NAMES.http);
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: "POST", body: "x", headers: { "content-type": "message/rfc822" } });
    expect(response.status).toBe(500);
    const logged = crashes.mock.calls.map((args) => String(args[0])).join("\n");
    expect(logged).toMatch(/invalid ingestor settings:\n {2}ARCHIVE_BUCKET=null: must be a bucket name.*\n {2}INBOX_BUCKET=null: must be a bucket name/);
    crashes.mockRestore();
  });
});
