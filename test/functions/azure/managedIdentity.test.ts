// The Function App's identity asked of the platform's token endpoint as Azure documents it: the
// request's shape, the token's reuse until near its expiry, and an error that never shows the secret.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedIdentityCredential } from "../../../functions/azure/managedIdentity";

const HEADER = "identity-header-secret-0123";
const CLIENT = "7d3c2b1a-0000-4000-8000-123456789abc";
const requests: IncomingMessage[] = [];
let expiresIn = 3600;
let refuse = false;
let endpoint: string;
const server = createServer((req, res) => {
  requests.push(req);
  if (refuse) {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ statusCode: 400, message: "No managed identity found for the specified ClientId" }));
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ access_token: `token-${requests.length}`, expires_on: String(Math.floor(Date.now() / 1000) + expiresIn), resource: "https://storage.azure.com/", token_type: "Bearer", client_id: CLIENT }));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("ManagedIdentityCredential", () => {
  it("asks for the storage resource as the user-assigned identity, with the platform's header, and reuses the token", async () => {
    const credential = ManagedIdentityCredential.fromEnvironment({ AZURE_CLIENT_ID: CLIENT, IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: HEADER });
    const first = await credential.getToken("https://storage.azure.com/.default");
    expect(first.token).toBe("token-1");
    expect(first.expiresOnTimestamp).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
    const url = new URL(requests[0].url!, "http://x");
    expect([url.pathname, url.searchParams.get("resource"), url.searchParams.get("api-version"), url.searchParams.get("client_id")]).toEqual(["/msi/token", "https://storage.azure.com", "2019-08-01", CLIENT]);
    expect(requests[0].headers["x-identity-header"]).toBe(HEADER);
    expect((await credential.getToken(["https://storage.azure.com/.default"])).token).toBe("token-1");
    expect(requests).toHaveLength(1);
  });

  it("asks again for a token about to expire", async () => {
    requests.length = 0;
    expiresIn = 60;
    const credential = ManagedIdentityCredential.fromEnvironment({ AZURE_CLIENT_ID: CLIENT, IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: HEADER });
    await credential.getToken("https://storage.azure.com/.default");
    await credential.getToken("https://storage.azure.com/.default");
    expect(requests).toHaveLength(2);
    expiresIn = 3600;
  });

  it("says why a token was refused, without the header secret", async () => {
    refuse = true;
    const credential = ManagedIdentityCredential.fromEnvironment({ AZURE_CLIENT_ID: CLIENT, IDENTITY_ENDPOINT: endpoint, IDENTITY_HEADER: HEADER });
    const error = await credential.getToken("https://storage.azure.com/.default").then(() => undefined, (err: Error) => err);
    expect(error?.message).toBe("managed identity token for https://storage.azure.com refused (HTTP 400): No managed identity found for the specified ClientId");
    expect(error?.message).not.toContain(HEADER);
    refuse = false;
  });

  it("names every variable it lacks", () => {
    expect(() => ManagedIdentityCredential.fromEnvironment({ AZURE_CLIENT_ID: CLIENT })).toThrow("managed identity unavailable: IDENTITY_ENDPOINT, IDENTITY_HEADER not set");
  });
});
