// The GCP preflight against answers shaped as Google's REST APIs return them (Service Usage
// services.batchGet, Resource Manager testIamPermissions / getIamPolicy / getEffectiveOrgPolicy,
// IAM serviceAccounts.get, Cloud KMS locations.get), through a fake at the REST boundary.
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../infra/config";
import { deployerPermissions } from "../../../infra/gcp/deployer";
import { type GoogleApi, GoogleApiError, googleApi, locationAllowed, preflightGcp, REQUIRED_SERVICES } from "../../../infra/preflight/gcp";
import { projectConfig } from "../../../infra/stackFiles";

const PROJECT = "acme-journal-gcp-us-east4";
const NUMBER = "123456789012";
const config = parseStackConfig(projectConfig("gcp-us-east4"), "gcp-us-east4");
const BUILD = `ej-build-gcp-us-east4@${PROJECT}.iam.gserviceaccount.com`;

interface World {
  disabled?: string[];
  lacking?: string[];
  buildAccount?: "absent" | "ready" | "disabled" | "no-logs";
  orgPolicies?: Record<string, object>;
  noHsm?: string[];
  forbidden?: string;
}

/** Google, as far as the preflight asks it. */
function fakeGoogle(world: World = {}): GoogleApi & { calls: string[] } {
  const calls: string[] = [];
  const refuse = (url: string) => {
    if (world.forbidden && url.includes(world.forbidden)) throw new GoogleApiError(403, `Permission denied on resource project ${PROJECT}.`);
  };
  return {
    calls,
    async get<T>(url: string): Promise<T> {
      calls.push(`GET ${url}`);
      refuse(url);
      const u = new URL(url);
      if (u.host === "serviceusage.googleapis.com") {
        const services = u.searchParams.getAll("names").map((n) => {
          const id = n.split("/").pop()!;
          return { name: `projects/${NUMBER}/services/${id}`, parent: `projects/${NUMBER}`, config: { name: id, title: id }, state: world.disabled?.includes(id) ? "DISABLED" : "ENABLED" };
        });
        return { services } as T;
      }
      if (u.host === "iam.googleapis.com") {
        const state = world.buildAccount ?? "absent";
        if (state === "absent") throw new GoogleApiError(404, `Unknown service account`);
        return { name: `projects/${PROJECT}/serviceAccounts/${BUILD}`, projectId: PROJECT, uniqueId: "1049", email: BUILD, displayName: "email-journal ingestor build (Cloud Build) (gcp-us-east4)", ...(state === "disabled" ? { disabled: true } : {}) } as T;
      }
      if (u.host === "cloudkms.googleapis.com") {
        const location = u.pathname.split("/").pop()!;
        return {
          name: `projects/${PROJECT}/locations/${location}`,
          locationId: location,
          displayName: location,
          metadata: { "@type": "type.googleapis.com/google.cloud.kms.v1.LocationMetadata", hsmAvailable: !world.noHsm?.includes(location), ekmAvailable: true },
        } as T;
      }
      throw new GoogleApiError(404, `no route for ${url}`);
    },
    async post<T>(url: string, body: any): Promise<T> {
      calls.push(`POST ${url} ${JSON.stringify(body)}`);
      refuse(url);
      if (url.endsWith(":testIamPermissions")) {
        const held = (body.permissions as string[]).filter((p) => !world.lacking?.includes(p));
        return (held.length > 0 ? { permissions: held } : {}) as T;
      }
      if (url.endsWith(":getIamPolicy")) {
        const members = world.buildAccount === "no-logs" ? [] : [`serviceAccount:${BUILD}`];
        return { version: 3, etag: "BwYb3ZtOnk0=", bindings: [{ role: "roles/logging.logWriter", members }, { role: "roles/owner", members: ["user:admin@example.com"] }] } as T;
      }
      if (url.endsWith(":getEffectiveOrgPolicy")) {
        const constraint = body.constraint as string;
        return { constraint, etag: "BwWKmjvelug=", ...(world.orgPolicies?.[constraint] ?? {}) } as T;
      }
      throw new GoogleApiError(404, `no route for ${url}`);
    },
  };
}

const byName = async (world: World, stackConfig = config) => Object.fromEntries((await preflightGcp(stackConfig, { api: fakeGoogle(world) })).map((c) => [c.name, c]));

it("passes a project that allows everything, asking only read-only methods", async () => {
  const api = fakeGoogle({ orgPolicies: { "constraints/iam.automaticIamGrantsForDefaultServiceAccounts": { booleanPolicy: { enforced: true } } } });
  const checks = await preflightGcp(config, { api });
  expect(checks.map((c) => [c.name, c.status])).toEqual([
    ["APIs enabled", "pass"],
    ["Deployer may create the stack's resources", "pass"],
    ["Cloud Build service account", "pass"],
    ["Organization policy: default service account grants", "pass"],
    ["Organization policy: resource locations", "pass"],
    ["Organization policy: customer-managed keys", "pass"],
    ["Cloud HSM in the keys' locations", "pass"],
  ]);
  expect(checks.find((c) => c.name === "Organization policy: default service account grants")!.detail).toContain("enforced: the Compute Engine default account gets no role");
  for (const call of api.calls.filter((c) => c.startsWith("POST"))) expect(call).toMatch(/:(testIamPermissions|getIamPolicy|getEffectiveOrgPolicy) /);
});

it("names the APIs to enable", async () => {
  const check = (await byName({ disabled: ["cloudbuild.googleapis.com", "storagetransfer.googleapis.com"] }))["APIs enabled"];
  expect(check).toEqual({
    name: "APIs enabled",
    status: "fail",
    detail: `not enabled in ${PROJECT}: cloudbuild.googleapis.com, storagetransfer.googleapis.com`,
    fix: `gcloud services enable cloudbuild.googleapis.com storagetransfer.googleapis.com --project ${PROJECT}`,
  });
  expect(REQUIRED_SERVICES).toContain("artifactregistry.googleapis.com");
});

it("names the permissions the deployer lacks and what they are for", async () => {
  const check = (await byName({ lacking: ["iam.serviceAccounts.actAs", "storagetransfer.jobs.create"] }))["Deployer may create the stack's resources"];
  expect(check.status).toBe("fail");
  expect(check.detail).toContain(`missing on ${PROJECT}: iam.serviceAccounts.actAs, storagetransfer.jobs.create`);
  expect(check.detail).toContain("create the functions; actAs on the runtime account");
  expect(check.detail).toContain("create the replication job");
});

it("asks testIamPermissions for every permission of infra/gcp/deployer.ts, at most 100 a call", async () => {
  const api = fakeGoogle();
  await preflightGcp(config, { api });
  const asked = api.calls.filter((c) => c.includes(":testIamPermissions")).map((c) => JSON.parse(c.slice(c.indexOf("{"))).permissions as string[]);
  expect(asked.flat().sort()).toEqual(deployerPermissions());
  for (const batch of asked) expect(batch.length).toBeLessThanOrEqual(100);
});

describe("the build service account", () => {
  it.each([
    ["absent", "pass", "does not exist yet: pulumi up creates it"],
    ["ready", "pass", "exists, enabled, with roles/logging.logWriter"],
    ["disabled", "fail", `${BUILD} is disabled`],
    ["no-logs", "fail", "holds no roles/logging.logWriter"],
  ] as const)("%s: %s", async (state, status, detail) => {
    const check = (await byName({ buildAccount: state }))["Cloud Build service account"];
    expect(check.status).toBe(status);
    expect(check.detail).toContain(detail);
  });
});

describe("resource locations", () => {
  const locations = (listPolicy: object) => ({ orgPolicies: { "constraints/gcp.resourceLocations": { listPolicy } } });
  it.each([
    [{ allowedValues: ["in:us-locations"] }, "pass"],
    [{ allowedValues: ["in:us-east4-locations"] }, "pass"],
    [{ allowedValues: ["in:eu-locations"] }, "fail"],
    [{ deniedValues: ["in:us-east4-locations"] }, "fail"],
    [{ allowedValues: ["in:northamerica-locations"] }, "unknown"],
    [{ allValues: "DENY" }, "fail"],
  ])("%j: %s", async (listPolicy, status) => {
    expect((await byName(locations(listPolicy)))["Organization policy: resource locations"].status).toBe(status);
  });

  it("asks for the multi-region and the peer's region of a dual-region primary", async () => {
    const dual = parseStackConfig({ ...projectConfig("gcp-us-east4"), gcp: { ...config.gcp, replication: "dual-region" } }, "gcp-us-east4");
    const check = (await byName(locations({ allowedValues: ["in:us-east4-locations", "in:us-central1-locations"] }), dual))["Organization policy: resource locations"];
    expect(check).toMatchObject({ status: "fail", detail: "gcp.resourceLocations refuses us" });
    expect(locationAllowed({ allowedValues: ["in:us-locations"] }, "us")).toBe("pass");
  });
});

describe("customer-managed keys", () => {
  const name = "Organization policy: customer-managed keys";
  it("fails when the organization requires a key for a service the stack creates without one", async () => {
    const check = (await byName({ orgPolicies: { "constraints/gcp.restrictNonCmekServices": { listPolicy: { deniedValues: ["is:artifactregistry.googleapis.com", "storage.googleapis.com"] } } } }))[name];
    expect(check).toMatchObject({ status: "fail", detail: expect.stringContaining("requires a customer key for artifactregistry.googleapis.com") });
  });

  it.each([
    [{ allowedValues: [`projects/${PROJECT}`] }, "pass"],
    [{ allowedValues: ["projects/central-keys"] }, "fail"],
    [{ allowedValues: ["under:organizations/433637338589"] }, "unknown"],
  ])("keys from the project under %j: %s", async (listPolicy, status) => {
    expect((await byName({ orgPolicies: { "constraints/gcp.restrictCmekCryptoKeyProjects": { listPolicy } } }))[name].status).toBe(status);
  });
});

it("fails where Cloud KMS offers no HSM, checking the dual-region archive key's multi-region", async () => {
  expect((await byName({ noHsm: ["us-east4"] }))["Cloud HSM in the keys' locations"]).toMatchObject({ status: "fail", detail: "Cloud KMS offers no HSM protection level in us-east4" });
  const dual = parseStackConfig({ ...projectConfig("gcp-us-east4"), gcp: { ...config.gcp, replication: "dual-region" } }, "gcp-us-east4");
  const api = fakeGoogle();
  await preflightGcp(dual, { api });
  expect(api.calls.filter((c) => c.startsWith("GET https://cloudkms")).map((c) => c.split("/").pop())).toEqual(["us-east4", "us"]);
});

it("is unknown, with what to ask for, when Google will not answer", async () => {
  const check = (await byName({ forbidden: "serviceusage" }))["APIs enabled"];
  expect(check).toMatchObject({ status: "unknown", detail: `could not read the project's services: HTTP 403: Permission denied on resource project ${PROJECT}.` });
  expect(check.fix).toContain("roles/serviceusage.serviceUsageViewer");
});

describe("googleApi", () => {
  it("sends the bearer token, posts JSON, and turns an error answer into GoogleApiError", async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      if (url.includes("missing")) return new Response(JSON.stringify({ error: { code: 404, message: "Unknown service account", status: "NOT_FOUND" } }), { status: 404 });
      return new Response(JSON.stringify({ permissions: ["storage.buckets.create"] }), { status: 200 });
    }) as typeof fetch;
    const api = googleApi(async () => "ya29.token", fetchImpl);
    expect(await api.post("https://cloudresourcemanager.googleapis.com/v1/projects/p:testIamPermissions", { permissions: ["storage.buckets.create"] })).toEqual({ permissions: ["storage.buckets.create"] });
    expect(seen[0].init).toMatchObject({ method: "POST", body: '{"permissions":["storage.buckets.create"]}', headers: { authorization: "Bearer ya29.token", "content-type": "application/json" } });
    await expect(api.get("https://iam.googleapis.com/v1/missing")).rejects.toMatchObject({ name: "GoogleApiError", status: 404, message: "Unknown service account" });
    await expect(googleApi(async () => null, fetchImpl).get("https://x")).rejects.toMatchObject({ status: 401, message: expect.stringContaining("gcloud auth application-default login") });
  });
});
