// What Azurite does not implement, added on the wire: blob legal holds and version-level immutability
// policies. A small HTTP proxy in front of Azurite, which answers everything else for real (the shared
// key signature does not cover the host, so requests pass through unchanged). The proxy
//   - answers Set Blob Legal Hold (PUT ?comp=legalhold) itself: 404 BlobNotFound for a missing blob,
//     else the hold is kept and echoed in x-ms-legal-hold, as the service does;
//   - gives every blob a Put Blob creates the account's default immutability policy (now + days, locked),
//     as version-level immutability with an account default does;
//   - adds x-ms-legal-hold and x-ms-immutability-policy-until-date/-mode to Get Blob and Get Blob
//     Properties, and LegalHold/ImmutabilityPolicyUntilDate/ImmutabilityPolicyMode to List Blobs;
//   - refuses (403 AuthorizationPermissionMismatch) reads of blobs outside a prefix when asked to, as a
//     role assignment whose condition confines blobs/read to a path does (List Blobs stays open).
// It cannot show that the service refuses to delete or overwrite a held or retained blob, nor how the
// service authorises each call: those are the service's, and the plan's roles are checked in test/contracts/.
import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ContainerClient } from "@azure/storage-blob";

export interface BlobImmutability {
  legalHold: boolean;
  until?: Date;
  mode?: "locked" | "unlocked";
}

export interface ImmutabilityProxy {
  /** The account's blob endpoint through the proxy: `http://127.0.0.1:<port>/<account>/`. */
  readonly blobEndpoint: string;
  /** The state the proxy keeps, by blob name (start one proxy per container). */
  readonly blobs: Map<string, BlobImmutability>;
  /** Every request that went through: method, path with query, and its If-None-Match header. */
  readonly requests: { readonly method: string; readonly path: string; readonly ifNoneMatch?: string }[];
  /** Refuse Get Blob and Get Blob Properties outside this prefix (undefined: refuse nothing). */
  readsOnlyUnder?: string;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

async function bodyOf(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const unescapeXml = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

/**
 * `upstream` is Azurite's blob endpoint; `probe(container)` a direct client for a container, used to
 * tell whether a blob exists before holding it.
 */
export async function startImmutabilityProxy(upstream: string, probe: (container: string) => ContainerClient, options: { defaultDays: number }): Promise<ImmutabilityProxy> {
  const target = new URL(upstream);
  const account = target.pathname.replace(/^\/|\/$/g, "");
  const blobs = new Map<string, BlobImmutability>();
  const requests: ImmutabilityProxy["requests"] = [];

  /** The container and blob a path names (`/<account>/<container>/<blob>`), if it names a blob. */
  function blobOf(path: string): { container: string; blob: string } | undefined {
    const parts = path.split("/");
    if (parts[1] !== account || parts.length < 4 || parts[3] === "") return undefined;
    return { container: decodeURIComponent(parts[2]), blob: decodeURIComponent(parts.slice(3).join("/")) };
  }

  const stateHeaders = (state: BlobImmutability | undefined): Record<string, string> => ({
    "x-ms-legal-hold": String(state?.legalHold ?? false),
    ...(state?.until ? { "x-ms-immutability-policy-until-date": state.until.toUTCString(), "x-ms-immutability-policy-mode": state.mode! } : {}),
  });

  /** List Blobs XML with each listed blob's hold and policy in its Properties. */
  const withListedState = (xml: string) =>
    xml.replace(/<Blob><Name>([^<]*)<\/Name>([\s\S]*?)<Properties>/g, (whole, name: string) => {
      const state = blobs.get(unescapeXml(name));
      const policy = state?.until ? `<ImmutabilityPolicyUntilDate>${state.until.toUTCString()}</ImmutabilityPolicyUntilDate><ImmutabilityPolicyMode>${state.mode}</ImmutabilityPolicyMode>` : "";
      return `${whole}<LegalHold>${state?.legalHold ?? false}</LegalHold>${policy}`;
    });

  function error(response: ServerResponse, status: number, code: string) {
    response.writeHead(status, { "x-ms-error-code": code, "content-type": "application/xml", "x-ms-version": "2025-01-05" });
    response.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    const comp = url.searchParams.get("comp");
    const named = blobOf(url.pathname);
    const ifNoneMatch = request.headers["if-none-match"];
    requests.push({ method, path: `${url.pathname}${url.search}`, ...(typeof ifNoneMatch === "string" ? { ifNoneMatch } : {}) });
    const body = await bodyOf(request);

    if (named && method === "PUT" && comp === "legalhold") {
      if (!(await probe(named.container).getBlobClient(named.blob).exists())) return error(response, 404, "BlobNotFound");
      const on = request.headers["x-ms-legal-hold"] === "true";
      blobs.set(named.blob, { ...(blobs.get(named.blob) ?? {}), legalHold: on });
      response.writeHead(200, { "x-ms-legal-hold": String(on), "x-ms-version": "2025-01-05", "x-ms-request-id": "00000000-0000-0000-0000-000000000000", "content-length": "0" });
      return void response.end();
    }
    const reading = named !== undefined && (method === "HEAD" || method === "GET") && comp === null;
    if (reading && proxy.readsOnlyUnder !== undefined && !named.blob.startsWith(proxy.readsOnlyUnder)) return error(response, 403, "AuthorizationPermissionMismatch");

    const upstreamResponse = await new Promise<IncomingMessage>((resolve, reject) => {
      const forward = httpRequest({ host: target.hostname, port: target.port, method, path: `${url.pathname}${url.search}`, headers: { ...request.headers, host: target.host } }, resolve);
      forward.once("error", reject);
      forward.end(body);
    });
    const status = upstreamResponse.statusCode ?? 502;
    const headers = { ...upstreamResponse.headers } as Record<string, string | string[]>;
    let payload = await bodyOf(upstreamResponse);
    if (named && method === "PUT" && comp === null && status === 201 && !blobs.get(named.blob)?.until) {
      blobs.set(named.blob, { legalHold: false, until: new Date(Math.floor(Date.now() / 1000) * 1000 + options.defaultDays * DAY_MS), mode: "locked" });
    }
    if (reading && (status === 200 || status === 206)) Object.assign(headers, stateHeaders(blobs.get(named.blob)));
    if (comp === "list" && status === 200 && named === undefined) {
      payload = Buffer.from(withListedState(payload.toString("utf8")), "utf8");
      delete headers["transfer-encoding"];
      headers["content-length"] = String(payload.length);
    }
    response.writeHead(status, headers);
    response.end(method === "HEAD" ? undefined : payload);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((err: unknown) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const proxy: ImmutabilityProxy = {
    blobEndpoint: `http://127.0.0.1:${port}/${account}/`,
    blobs,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
