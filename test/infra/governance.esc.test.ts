// The ESC environment examples (esc/*.yaml): each cloud's login is OIDC only, with no static key a
// copy of the file could leak; every secret value is wrapped in fn::secret, so it reaches a
// program as a Pulumi secret; and what they hand the governance stack is a key it reads.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { GOVERNANCE_KEYS, GOVERNANCE_PROJECT } from "../../governance/config";

const ESC = join(__dirname, "..", "..", "esc");
const environments = Object.fromEntries(readdirSync(ESC).filter((f) => f.endsWith(".yaml")).map((f) => [f.replace(/\.yaml$/, ""), load(readFileSync(join(ESC, f), "utf8")) as { values: Record<string, any> }]));

/** Every [path, value] leaf under `values`, an fn::secret counting as one leaf. */
function leaves(value: unknown, path: string[] = []): [string, unknown][] {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    if ("fn::secret" in value) return [[path.join("."), value]];
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [[path.join("."), value]];
}

describe("ESC environment examples", () => {
  it("has a login for each cloud and the two secrets environments", () => {
    expect(Object.keys(environments).sort()).toEqual(["aws-login", "azure-login", "gcp-login", "governance-secrets", "smtp-relay"]);
  });

  it("logs in to AWS by OIDC, assuming a named role", () => {
    const login = environments["aws-login"].values.aws.login["fn::open::aws-login"];
    expect(Object.keys(login)).toEqual(["oidc"]);
    expect(login.oidc).toMatchObject({ roleArn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/), sessionName: expect.any(String) });
    expect(environments["aws-login"].values.environmentVariables).toEqual({ AWS_ACCESS_KEY_ID: "${aws.login.accessKeyId}", AWS_SECRET_ACCESS_KEY: "${aws.login.secretAccessKey}", AWS_SESSION_TOKEN: "${aws.login.sessionToken}" });
  });

  it("logs in to Azure by OIDC, with no client secret", () => {
    const login = environments["azure-login"].values.azure.login["fn::open::azure-login"];
    expect(login).toMatchObject({ oidc: true, clientId: expect.any(String), tenantId: expect.any(String), subscriptionId: expect.stringMatching(/^\/subscriptions\//) });
    expect(login).not.toHaveProperty("clientSecret");
    expect(environments["azure-login"].values.environmentVariables).toMatchObject({ ARM_USE_OIDC: "true", ARM_OIDC_TOKEN: "${azure.login.oidc.token}" });
  });

  it("logs in to Google Cloud by workload identity federation, by project number", () => {
    const login = environments["gcp-login"].values.gcp.login["fn::open::gcp-login"];
    expect(Object.keys(login).sort()).toEqual(["oidc", "project"]);
    expect(String(login.project)).toMatch(/^\d+$/);
    expect(login.oidc).toMatchObject({ workloadPoolId: expect.any(String), providerId: expect.any(String), serviceAccount: expect.stringMatching(/\.iam\.gserviceaccount\.com$/) });
    expect(environments["gcp-login"].values.environmentVariables).toEqual({ GOOGLE_CLOUD_PROJECT: "${gcp.login.project}", GOOGLE_OAUTH_ACCESS_TOKEN: "${gcp.login.accessToken}" });
  });

  it.each(Object.keys(environments))("%s holds every password, token and URL as fn::secret", (name) => {
    for (const [path, value] of leaves(environments[name].values)) {
      if (/password|token|secret|webhookurl/i.test(path.split(".").pop()!) && !/^\$\{.*\}$/.test(String(value))) {
        expect(value, path).toEqual({ "fn::secret": expect.any(String) });
      }
    }
  });

  it("hands the governance stack its webhook URL under a key the program reads, from a secret", () => {
    const { values } = environments["governance-secrets"];
    expect(Object.keys(values.pulumiConfig)).toEqual([`${GOVERNANCE_PROJECT}:webhookUrl`]);
    expect(GOVERNANCE_KEYS).toContain("webhookUrl");
    expect(values.pulumiConfig[`${GOVERNANCE_PROJECT}:webhookUrl`]).toBe("${notifications.webhookUrl}");
    expect(values.notifications.webhookUrl).toEqual({ "fn::secret": expect.stringMatching(/^https:\/\//) });
  });

  it("gives the local archive's SMTP intake its credentials under the names it reads", () => {
    const settings = readFileSync(join(__dirname, "..", "..", "functions", "local", "settings.ts"), "utf8");
    for (const variable of Object.keys(environments["smtp-relay"].values.environmentVariables)) expect(settings).toContain(variable);
  });
});
