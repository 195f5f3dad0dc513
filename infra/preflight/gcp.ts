// The GCP preflight: what the stack's project must allow before the first `pulumi up`, asked
// read-only of Google's REST APIs with the operator's own credentials (Application Default
// Credentials after `gcloud auth application-default login`). Each check passes, fails with what to
// do, or is unknown when Google would not say:
//  - the APIs the program calls are enabled (Service Usage);
//  - the operator holds every permission the program's resources need (testIamPermissions on the
//    project, with the list of infra/gcp/deployer.ts);
//  - the stack's build service account, if an earlier run created it, is enabled and can write logs;
//  - organization policies: default service accounts without grants (which is why the stack brings
//    its own build account), resource locations, and CMEK requirements;
//  - Cloud HSM is offered where the stack's keys live (Cloud KMS locations).
// The calls that are POSTs (getIamPolicy, getEffectiveOrgPolicy, testIamPermissions) read only.
import { gcsMultiRegionOf, type StackConfig } from "../config";
import { GCP_REGIONS } from "../regions";
import { deployerPermissions, DEPLOYER_LOOKUPS, DEPLOYER_PERMISSIONS } from "../gcp/deployer";
import { BUILD_ROLES } from "../gcp/build";
import { gcpNames, serviceAccountEmail } from "../gcp/naming";
import type { Preflight, PreflightCheck } from "./check";

/** A Google API error answer: HTTP status and Google's message. */
export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "GoogleApiError";
  }
}

/** Read-only access to Google's REST APIs: parsed JSON back; throws GoogleApiError on an error answer. */
export interface GoogleApi {
  get<T>(url: string): Promise<T>;
  /** For Google's read-only POST methods (getIamPolicy, getEffectiveOrgPolicy, testIamPermissions). */
  post<T>(url: string, body: unknown): Promise<T>;
}

export interface GcpPreflightClients {
  readonly api: GoogleApi;
}

/**
 * A tiny client over fetch and an access-token source. The CLI can pass
 * `() => new GoogleAuth({ scopes: "https://www.googleapis.com/auth/cloud-platform" }).getAccessToken()`
 * (google-auth-library, which @google-cloud/storage already brings).
 */
export function googleApi(accessToken: () => Promise<string | null | undefined>, fetchImpl: typeof fetch = fetch): GoogleApi {
  const call = async <T>(url: string, init: RequestInit): Promise<T> => {
    const token = await accessToken();
    if (!token) throw new GoogleApiError(401, "no access token: run `gcloud auth application-default login`");
    const response = await fetchImpl(url, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}`, accept: "application/json" } });
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!response.ok) throw new GoogleApiError(response.status, body.error?.message ?? `HTTP ${response.status}`);
    return body as T;
  };
  return {
    get: (url) => call(url, { method: "GET" }),
    post: (url, body) => call(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  };
}

/** The services the program's resources and lookups use; iamcredentials is how people impersonate the auditor and hold-admin accounts. */
export const REQUIRED_SERVICES = [
  "artifactregistry.googleapis.com",
  "cloudbuild.googleapis.com",
  "cloudfunctions.googleapis.com",
  "cloudkms.googleapis.com",
  "cloudresourcemanager.googleapis.com",
  "iam.googleapis.com",
  "iamcredentials.googleapis.com",
  "logging.googleapis.com",
  "monitoring.googleapis.com",
  "pubsub.googleapis.com",
  "run.googleapis.com",
  "serviceusage.googleapis.com",
  "storage.googleapis.com",
  "storagetransfer.googleapis.com",
] as const;

/** Services whose resources the stack creates without a customer key: an organization that requires CMEK for them refuses the stack. */
export const SERVICES_WITHOUT_CMEK = ["artifactregistry.googleapis.com", "cloudfunctions.googleapis.com", "logging.googleapis.com", "run.googleapis.com"] as const;

const SERVICE_USAGE = "https://serviceusage.googleapis.com/v1";
const RESOURCE_MANAGER = "https://cloudresourcemanager.googleapis.com/v1";
const IAM = "https://iam.googleapis.com/v1";
const KMS = "https://cloudkms.googleapis.com/v1";
/** testIamPermissions takes at most 100 permissions a call (Resource Manager API, projects.testIamPermissions). */
const PERMISSIONS_PER_CALL = 100;

const describe = (err: unknown) => (err instanceof GoogleApiError ? `HTTP ${err.status}: ${err.message}` : err instanceof Error ? err.message : String(err));
const unknown = (name: string, what: string, err: unknown, fix: string): PreflightCheck => ({ name, status: "unknown", detail: `could not ${what}: ${describe(err)}`, fix });

interface ServiceState {
  readonly config?: { readonly name?: string };
  readonly name: string;
  readonly state: "ENABLED" | "DISABLED" | "STATE_UNSPECIFIED";
}

async function servicesCheck(project: string, api: GoogleApi): Promise<PreflightCheck> {
  const name = "APIs enabled";
  try {
    const names = REQUIRED_SERVICES.map((s) => `names=${encodeURIComponent(`projects/${project}/services/${s}`)}`).join("&");
    const answer = await api.get<{ services?: ServiceState[] }>(`${SERVICE_USAGE}/projects/${project}/services:batchGet?${names}`);
    const state = new Map((answer.services ?? []).map((s) => [s.config?.name ?? s.name.split("/").pop()!, s.state]));
    const disabled = REQUIRED_SERVICES.filter((s) => state.get(s) !== "ENABLED");
    if (disabled.length === 0) return { name, status: "pass", detail: `${REQUIRED_SERVICES.length} APIs enabled in ${project}` };
    return { name, status: "fail", detail: `not enabled in ${project}: ${disabled.join(", ")}`, fix: `gcloud services enable ${disabled.join(" ")} --project ${project}` };
  } catch (err) {
    return unknown(name, "read the project's services", err, `Ask for roles/serviceusage.serviceUsageViewer on ${project}, or check with: gcloud services list --enabled --project ${project}`);
  }
}

async function deployerCheck(project: string, api: GoogleApi): Promise<PreflightCheck> {
  const name = "Deployer may create the stack's resources";
  const wanted = deployerPermissions();
  try {
    const granted = new Set<string>();
    for (let i = 0; i < wanted.length; i += PERMISSIONS_PER_CALL) {
      const answer = await api.post<{ permissions?: string[] }>(`${RESOURCE_MANAGER}/projects/${project}:testIamPermissions`, { permissions: wanted.slice(i, i + PERMISSIONS_PER_CALL) });
      for (const p of answer.permissions ?? []) granted.add(p);
    }
    const missing = wanted.filter((p) => !granted.has(p));
    if (missing.length === 0) return { name, status: "pass", detail: `all ${wanted.length} permissions held on ${project}` };
    const needs = [...Object.values(DEPLOYER_PERMISSIONS), ...Object.values(DEPLOYER_LOOKUPS)];
    const why = [...new Set(missing.flatMap((p) => needs.filter((n) => n.permissions.includes(p)).map((n) => n.why)))];
    return {
      name,
      status: "fail",
      detail: `missing on ${project}: ${missing.join(", ")} (to ${why.join("; ")})`,
      fix: `Grant the deployer roles that hold them on ${project} (docs/gcp.md lists them), or a custom role with exactly these permissions`,
    };
  } catch (err) {
    return unknown(name, "test the deployer's permissions", err, `Check that cloudresourcemanager.googleapis.com is enabled in ${project} and that you are signed in as the deployer`);
  }
}

interface Policy {
  readonly bindings?: readonly { readonly role: string; readonly members?: readonly string[]; readonly condition?: unknown }[];
}

async function buildAccountCheck(config: StackConfig, project: string, api: GoogleApi): Promise<PreflightCheck> {
  const name = "Cloud Build service account";
  const email = serviceAccountEmail(gcpNames(project, config.stack).accounts.build, project);
  let account: { disabled?: boolean };
  try {
    account = await api.get<{ email: string; disabled?: boolean }>(`${IAM}/projects/${project}/serviceAccounts/${email}`);
  } catch (err) {
    if (err instanceof GoogleApiError && err.status === 404)
      return { name, status: "pass", detail: `${email} does not exist yet: pulumi up creates it and grants it ${Object.values(BUILD_ROLES).join(", ")} before building the functions` };
    return unknown(name, `read ${email}`, err, `Ask for roles/iam.serviceAccountViewer on ${project}`);
  }
  if (account.disabled) return { name, status: "fail", detail: `${email} is disabled: builds cannot run as it`, fix: `gcloud iam service-accounts enable ${email} --project ${project}` };
  try {
    const policy = await api.post<Policy>(`${RESOURCE_MANAGER}/projects/${project}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } });
    const writesLogs = (policy.bindings ?? []).some((b) => b.role === BUILD_ROLES.logs && !b.condition && (b.members ?? []).includes(`serviceAccount:${email}`));
    if (writesLogs) return { name, status: "pass", detail: `${email} exists, enabled, with ${BUILD_ROLES.logs} on ${project}` };
    return { name, status: "fail", detail: `${email} exists but holds no ${BUILD_ROLES.logs} on ${project}: a build as it cannot write its logs and fails`, fix: "Run pulumi up again: the program grants it; if a grant was removed by hand, it is put back" };
  } catch (err) {
    return unknown(name, `read ${project}'s IAM policy`, err, `Ask for roles/iam.securityReviewer on ${project}`);
  }
}

interface OrgPolicy {
  readonly booleanPolicy?: { readonly enforced?: boolean };
  readonly listPolicy?: { readonly allowedValues?: readonly string[]; readonly deniedValues?: readonly string[]; readonly allValues?: "ALLOW" | "DENY" | "ALL_VALUES_UNSPECIFIED" };
}

const orgPolicy = (project: string, api: GoogleApi, constraint: string) => api.post<OrgPolicy>(`${RESOURCE_MANAGER}/projects/${project}:getEffectiveOrgPolicy`, { constraint: `constraints/${constraint}` });
const ORG_POLICY_FIX = (project: string) => `Ask for roles/orgpolicy.policyViewer on ${project} (or its organization), or read the policies with: gcloud resource-manager org-policies list --project ${project}`;

async function defaultGrantsCheck(project: string, api: GoogleApi): Promise<PreflightCheck> {
  const name = "Organization policy: default service account grants";
  try {
    const policy = await orgPolicy(project, api, "iam.automaticIamGrantsForDefaultServiceAccounts");
    const detail =
      policy.booleanPolicy?.enforced === true
        ? "enforced: the Compute Engine default account gets no role, so it could not build functions; the stack builds as its own account"
        : "not enforced: the Compute Engine default account may hold Editor; the stack builds and runs as its own accounts, not that one";
    return { name, status: "pass", detail };
  } catch (err) {
    return unknown(name, "read iam.automaticIamGrantsForDefaultServiceAccounts", err, ORG_POLICY_FIX(project));
  }
}

const MULTI_REGIONS = ["us", "eu", "asia"];

/**
 * Whether a gcp.resourceLocations list policy allows a location: "pass", "fail", or "unknown" when
 * the answer hangs on a value group not expanded here. Groups read: a region's own
 * (`in:us-east4-locations`) and the US, EU and ASIA multi-regions' (`in:us-locations`), which hold
 * their regions ("Restricting resource locations", value groups).
 */
export function locationAllowed(policy: OrgPolicy["listPolicy"], location: string): "pass" | "fail" | "unknown" {
  if (!policy) return "pass";
  const multi = gcsMultiRegionOf(location)?.toLowerCase() ?? (MULTI_REGIONS.includes(location) ? location : undefined);
  const names = [location, `in:${location}-locations`, ...(multi ? [`in:${multi}-locations`] : [])];
  const value = (v: string) => v.replace(/^is:/, "");
  const listed = (values: readonly string[] | undefined) => (values ?? []).some((v) => names.includes(value(v)));
  if (listed(policy.deniedValues) || policy.allValues === "DENY") return "fail";
  if (policy.allValues === "ALLOW" || !policy.allowedValues || policy.allowedValues.length === 0) return "pass";
  if (listed(policy.allowedValues)) return "pass";
  // A group of another known region or multi-region cannot hold this location; any other group might.
  const knownGroup = (v: string) => {
    const group = /^in:(.+)-locations$/.exec(value(v))?.[1];
    return group === undefined || (GCP_REGIONS as readonly string[]).includes(group) || MULTI_REGIONS.includes(group);
  };
  return policy.allowedValues.every(knownGroup) ? "fail" : "unknown";
}

/** The multi-region of a dual-region primary's archive (where its key lives too); undefined otherwise (infra/gcp/storage.ts). */
const dualRegionOf = (config: StackConfig) => (config.gcp?.replication === "dual-region" && config.role === "primary" ? gcsMultiRegionOf(config.region)?.toLowerCase() : undefined);

/** Where the stack creates things: its region, and for a dual-region primary the multi-region and the peer's region. */
export function stackLocations(config: StackConfig): string[] {
  const multi = dualRegionOf(config);
  return [config.region, ...(multi ? [multi, config.peerRegion] : [])];
}

async function locationsCheck(config: StackConfig, project: string, api: GoogleApi): Promise<PreflightCheck> {
  const name = "Organization policy: resource locations";
  try {
    const policy = await orgPolicy(project, api, "gcp.resourceLocations");
    const verdicts = stackLocations(config).map((l) => [l, locationAllowed(policy.listPolicy, l)] as const);
    const refused = verdicts.filter(([, v]) => v === "fail").map(([l]) => l);
    const unclear = verdicts.filter(([, v]) => v === "unknown").map(([l]) => l);
    if (refused.length > 0) return { name, status: "fail", detail: `gcp.resourceLocations refuses ${refused.join(", ")}`, fix: "Choose an allowed region in the stack file, or ask the organization's administrators to allow it" };
    if (unclear.length > 0)
      return { name, status: "unknown", detail: `allowed values ${JSON.stringify(policy.listPolicy?.allowedValues)} are value groups; whether they include ${unclear.join(", ")} is not said here`, fix: "Check the groups with the organization's administrators" };
    return { name, status: "pass", detail: `${stackLocations(config).join(", ")} allowed` };
  } catch (err) {
    return unknown(name, "read gcp.resourceLocations", err, ORG_POLICY_FIX(project));
  }
}

async function cmekCheck(project: string, api: GoogleApi): Promise<PreflightCheck> {
  const name = "Organization policy: customer-managed keys";
  try {
    const [nonCmek, keyProjects] = await Promise.all([orgPolicy(project, api, "gcp.restrictNonCmekServices"), orgPolicy(project, api, "gcp.restrictCmekCryptoKeyProjects")]);
    // restrictNonCmekServices lists, as denied values, the services whose resources must have a customer key.
    const required = (nonCmek.listPolicy?.deniedValues ?? []).map((v) => v.replace(/^is:/, ""));
    const unkeyed = SERVICES_WITHOUT_CMEK.filter((s) => required.includes(s) || nonCmek.listPolicy?.allValues === "DENY");
    if (unkeyed.length > 0)
      return { name, status: "fail", detail: `gcp.restrictNonCmekServices requires a customer key for ${unkeyed.join(", ")}, whose resources the stack creates without one`, fix: "Ask for an exception for this project, or for CMEK support for these resources in the program" };
    const allowed = keyProjects.listPolicy;
    const own = [`projects/${project}`, `under:projects/${project}`];
    const keysAllowed =
      !allowed || allowed.allValues === "ALLOW" || !allowed.allowedValues || allowed.allowedValues.length === 0 ? "pass" : allowed.allowedValues.some((v) => own.includes(v.replace(/^is:/, ""))) ? "pass" : allowed.allowedValues.some((v) => v.startsWith("under:") && !v.startsWith("under:projects/")) ? "unknown" : "fail";
    if (keysAllowed === "fail" || allowed?.allValues === "DENY")
      return { name, status: "fail", detail: `gcp.restrictCmekCryptoKeyProjects does not allow keys from ${project}, where the stack creates its keys`, fix: `Ask the organization's administrators to allow projects/${project}` };
    if (keysAllowed === "unknown")
      return { name, status: "unknown", detail: `gcp.restrictCmekCryptoKeyProjects allows ${JSON.stringify(allowed?.allowedValues)}; whether ${project} is under them is not said here`, fix: "Check with the organization's administrators" };
    return { name, status: "pass", detail: `keys from ${project} allowed; no CMEK requirement on ${SERVICES_WITHOUT_CMEK.join(", ")}` };
  } catch (err) {
    return unknown(name, "read the CMEK constraints", err, ORG_POLICY_FIX(project));
  }
}

/** Where the stack's keys live: its region, and for a dual-region primary the archive key's multi-region. */
export const keyLocations = (config: StackConfig) => [config.region, ...(dualRegionOf(config) ? [dualRegionOf(config)!] : [])];

async function hsmCheck(config: StackConfig, project: string, api: GoogleApi): Promise<PreflightCheck> {
  const name = "Cloud HSM in the keys' locations";
  try {
    const answers = await Promise.all(keyLocations(config).map(async (l) => [l, await api.get<{ metadata?: { hsmAvailable?: boolean } }>(`${KMS}/projects/${project}/locations/${l}`)] as const));
    const without = answers.filter(([, a]) => a.metadata?.hsmAvailable !== true).map(([l]) => l);
    if (without.length === 0) return { name, status: "pass", detail: `HSM keys available in ${keyLocations(config).join(", ")}` };
    return { name, status: "fail", detail: `Cloud KMS offers no HSM protection level in ${without.join(", ")}`, fix: "Choose a region whose Cloud KMS location has hsmAvailable (gcloud kms locations list)" };
  } catch (err) {
    return unknown(name, "read the Cloud KMS locations", err, `Enable cloudkms.googleapis.com in ${project}, then check with: gcloud kms locations describe ${config.region} --project ${project}`);
  }
}

export const preflightGcp: Preflight<GcpPreflightClients> = async (config, { api }) => {
  if (!config.gcp) return [{ name: "GCP stack", status: "fail", detail: "email-journal:gcp is not set", fix: "Set gcp.project and gcp.relayInvokers in the stack file (see infra/config.ts)" }];
  const { project } = config.gcp;
  return Promise.all([
    servicesCheck(project, api),
    deployerCheck(project, api),
    buildAccountCheck(config, project, api),
    defaultGrantsCheck(project, api),
    locationsCheck(config, project, api),
    cmekCheck(project, api),
    hsmCheck(config, project, api),
  ]);
};
