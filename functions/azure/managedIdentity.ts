// The Function App's user-assigned identity as a token credential for the Blob SDK, asked of the
// platform's local token endpoint directly. Azure documents the protocol ("How to use managed
// identities for App Service and Azure Functions", REST endpoint reference): GET
// `$IDENTITY_ENDPOINT?resource=<resource>&api-version=2019-08-01&client_id=<client id>` with the
// header `X-IDENTITY-HEADER: $IDENTITY_HEADER`, answering `access_token` and `expires_on` (seconds
// since the epoch). This replaces @azure/identity's DefaultAzureCredential, whose MSAL and the
// credential chain the function never uses weigh a third of the bundle.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

const API_VERSION = "2019-08-01";
/** Tokens are refreshed this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

export interface ManagedIdentityOptions {
  /** The user-assigned identity's client id (AZURE_CLIENT_ID). */
  readonly clientId: string;
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER, which the platform sets in the function's environment. */
  readonly endpoint: string;
  readonly header: string;
  readonly fetch?: typeof fetch;
}

export class ManagedIdentityCredential implements TokenCredential {
  private readonly tokens = new Map<string, AccessToken>();

  constructor(private readonly options: ManagedIdentityOptions) {}

  /** From the function's environment; every missing variable named at once. */
  static fromEnvironment(env: Readonly<Record<string, string | undefined>>): ManagedIdentityCredential {
    const missing = ["AZURE_CLIENT_ID", "IDENTITY_ENDPOINT", "IDENTITY_HEADER"].filter((name) => !env[name]);
    if (missing.length > 0) throw new Error(`managed identity unavailable: ${missing.join(", ")} not set (the platform sets IDENTITY_*, the program AZURE_CLIENT_ID)`);
    return new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID!, endpoint: env.IDENTITY_ENDPOINT!, header: env.IDENTITY_HEADER! });
  }

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    // A scope is the resource with "/.default" appended (https://storage.azure.com/.default).
    const resource = (Array.isArray(scopes) ? scopes[0] : scopes).replace(/\/\.default$/, "");
    const cached = this.tokens.get(resource);
    if (cached && cached.expiresOnTimestamp - REFRESH_MARGIN_MS > Date.now()) return cached;
    const url = new URL(this.options.endpoint);
    url.searchParams.set("resource", resource);
    url.searchParams.set("api-version", API_VERSION);
    url.searchParams.set("client_id", this.options.clientId);
    const response = await (this.options.fetch ?? fetch)(url, { headers: { "X-IDENTITY-HEADER": this.options.header } });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_on?: string | number; message?: string; error_description?: string };
    if (!response.ok || !body.access_token || !body.expires_on) {
      // The token endpoint's own words, never the header secret.
      throw new Error(`managed identity token for ${resource} refused (HTTP ${response.status}): ${body.message ?? body.error_description ?? "no token in the answer"}`);
    }
    const token = { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
    this.tokens.set(resource, token);
    return token;
  }
}
