// The Azure preflight against ARM answers shaped as Azure returns them (Role Assignments - List,
// Role Definitions - Get, Providers - List, Web geoRegions), through a fake at the ARM boundary.
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../../infra/config";
import { ArmError, type ArmReader, armReader, DEPLOYER_ACTIONS, preflightAzure, RESOURCE_PROVIDERS, signedInObjectId } from "../../../infra/preflight/azure";
import { projectConfig } from "../../../infra/stackFiles";

const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const DEPLOYER = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
const config = parseStackConfig(projectConfig("azure-eastus2"), "azure-eastus2");
const RG = `/subscriptions/${SUB}/resourceGroups/rg-email-journal-azure-eastus2`;

// Built-in role definitions as "Azure built-in roles" documents them (permissions only).
const BUILT_IN: Record<string, { roleName: string; actions: string[]; notActions?: string[]; dataActions?: string[] }> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": { roleName: "Owner", actions: ["*"] },
  "b24988ac-6180-42a0-ab88-20f7382dd24c": {
    roleName: "Contributor",
    actions: ["*"],
    notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action", "Microsoft.Blueprint/blueprintAssignments/write", "Microsoft.Blueprint/blueprintAssignments/delete", "Microsoft.Compute/galleries/share/action", "Microsoft.Purview/consents/write", "Microsoft.Purview/consents/delete"],
  },
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": { roleName: "User Access Administrator", actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"] },
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": {
    roleName: "Key Vault Administrator",
    actions: ["Microsoft.Authorization/*/read", "Microsoft.Insights/alertRules/*", "Microsoft.Resources/deployments/*", "Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Support/*", "Microsoft.KeyVault/checkNameAvailability/read", "Microsoft.KeyVault/deletedVaults/read", "Microsoft.KeyVault/locations/*/read", "Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/operations/read"],
    dataActions: ["Microsoft.KeyVault/vaults/*"],
  },
  // A custom role a platform team might hand out: everything the program creates except keys.
  "c0ffee00-0000-4000-8000-000000000001": { roleName: "Platform deployer (custom)", actions: DEPLOYER_ACTIONS.filter((d) => !d.action.includes("/keys/")).map((d) => d.action) },
};

type Assignment = { role: string; scope: string; condition?: string };

function fakeArm(assignments: Assignment[], options: { unregistered?: string[]; flexRegions?: string[]; denyRoleRead?: boolean } = {}): ArmReader & { paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    async get<T>(path: string): Promise<T> {
      paths.push(path);
      const [route] = path.split("?");
      if (route === `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments`) {
        if (options.denyRoleRead) throw new ArmError(403, "AuthorizationFailed", `The client '${DEPLOYER}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read'`);
        return {
          value: assignments.map((a, i) => ({
            id: `${a.scope}/providers/Microsoft.Authorization/roleAssignments/0000000${i}-aaaa-4bbb-8ccc-dddddddddddd`,
            type: "Microsoft.Authorization/roleAssignments",
            name: `0000000${i}-aaaa-4bbb-8ccc-dddddddddddd`,
            properties: { roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${a.role}`, principalId: DEPLOYER, principalType: "User", scope: a.scope, condition: a.condition ?? null, conditionVersion: a.condition ? "2.0" : null },
          })),
        } as T;
      }
      const definition = /\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]+)$/.exec(route);
      if (definition) {
        const role = BUILT_IN[definition[1]];
        if (!role) throw new ArmError(404, "RoleDefinitionDoesNotExist", "The specified role definition does not exist.");
        return {
          id: route,
          type: "Microsoft.Authorization/roleDefinitions",
          name: definition[1],
          properties: { roleName: role.roleName, type: "BuiltInRole", assignableScopes: ["/"], permissions: [{ actions: role.actions, notActions: role.notActions ?? [], dataActions: role.dataActions ?? [], notDataActions: [] }] },
        } as T;
      }
      if (route === `/subscriptions/${SUB}/providers`) {
        const all = [...RESOURCE_PROVIDERS, "Microsoft.Resources", "Microsoft.Authorization"];
        return { value: all.map((ns) => ({ id: `/subscriptions/${SUB}/providers/${ns}`, namespace: ns, registrationState: options.unregistered?.includes(ns) ? "NotRegistered" : "Registered", registrationPolicy: "RegistrationRequired", resourceTypes: [] })) } as T;
      }
      if (route === `/subscriptions/${SUB}/providers/Microsoft.Web/geoRegions`) {
        const regions = options.flexRegions ?? ["East US", "East US 2", "Central US", "North Europe"];
        return { value: regions.map((r) => ({ id: `/subscriptions/${SUB}/providers/Microsoft.Web/geoRegions/${r}`, name: r, type: "Microsoft.Web/geoRegions", properties: { name: r, description: null, displayName: r, orgDomain: "PUBLIC;FLEXCONSUMPTION" } })) } as T;
      }
      throw new ArmError(404, "NotFound", `no fake answer for ${path}`);
    },
  };
}

const run = (arm: ArmReader) => preflightAzure(config, { arm, subscriptionId: SUB, deployerObjectId: DEPLOYER });
const check = async (arm: ArmReader, name: RegExp) => (await run(arm)).find((c) => name.test(c.name))!;
const SUBSCRIPTION = `/subscriptions/${SUB}`;

describe("preflightAzure", () => {
  it("passes an Owner of the subscription in a Flex Consumption region with every provider registered", async () => {
    const arm = fakeArm([{ role: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", scope: SUBSCRIPTION }]);
    const checks = await run(arm);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["Deployer may create the stack's resources and role assignments", "pass"],
      ["Deployer may create the Key Vault key through ARM", "pass"],
      ["Resource providers registered", "pass"],
      ["Flex Consumption available in eastus2", "pass"],
    ]);
    // Read-only: every request is a GET with an api-version, and it asked for the deployer's own assignments.
    expect(arm.paths.every((p) => /api-version=/.test(p))).toBe(true);
    expect(arm.paths[0]).toContain(encodeURIComponent(`assignedTo('${DEPLOYER}')`));
  });

  it("fails a Contributor, who cannot create role definitions or assignments, and names the role to ask for", async () => {
    const checks = await run(fakeArm([{ role: "b24988ac-6180-42a0-ab88-20f7382dd24c", scope: SUBSCRIPTION }]));
    expect(checks[0]).toMatchObject({ status: "fail", fix: `Ask for Owner (or Contributor plus User Access Administrator) on subscription ${SUB} or its resource group.` });
    expect(checks[0].detail).toContain("Microsoft.Authorization/roleDefinitions/write");
    expect(checks[0].detail).toContain("Microsoft.Authorization/roleAssignments/write");
    // Contributor's actions include keys/write: creating the key through ARM is a control-plane action.
    expect(checks[1].status).toBe("pass");
  });

  it("passes Contributor plus User Access Administrator", async () => {
    const checks = await run(fakeArm([{ role: "b24988ac-6180-42a0-ab88-20f7382dd24c", scope: SUBSCRIPTION }, { role: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", scope: SUBSCRIPTION }]));
    expect(checks.slice(0, 2).map((c) => c.status)).toEqual(["pass", "pass"]);
  });

  it("fails the key when the deployer has Key Vault data roles but not Microsoft.KeyVault/vaults/keys/write (the ForbiddenByRbac of pulumi-azure-native#890)", async () => {
    const key = await check(
      fakeArm([
        { role: "c0ffee00-0000-4000-8000-000000000001", scope: SUBSCRIPTION },
        { role: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", scope: SUBSCRIPTION },
        { role: "00482a5a-887f-4fb3-b363-3b7fe8e74483", scope: RG },
      ]),
      /Key Vault key/,
    );
    expect(key.status).toBe("fail");
    expect(key.detail).toContain("Microsoft.KeyVault/vaults/keys/write (creating the archive key through ARM)");
    expect(key.detail).not.toContain("keys/read");
    expect(key.fix).toContain("Key Vault data roles (Key Vault Administrator, Key Vault Crypto Officer) do not grant these control-plane actions");
  });

  it("counts roles on the stack's resource group and above it, not on other resource groups", async () => {
    const owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    expect((await check(fakeArm([{ role: owner, scope: RG }]), /role assignments/)).status).toBe("pass");
    expect((await check(fakeArm([{ role: owner, scope: "/providers/Microsoft.Management/managementGroups/acme" }]), /role assignments/)).status).toBe("pass");
    const elsewhere = await check(fakeArm([{ role: owner, scope: `/subscriptions/${SUB}/resourceGroups/rg-email-journal-azure-eastus2-old` }]), /role assignments/);
    expect(elsewhere.status).toBe("fail");
    expect(elsewhere.detail).toContain("no role assignments");
  });

  it("says unknown, not pass, when only a conditioned assignment could grant the writes", async () => {
    const result = await check(
      fakeArm([
        { role: "b24988ac-6180-42a0-ab88-20f7382dd24c", scope: SUBSCRIPTION },
        { role: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", scope: SUBSCRIPTION, condition: "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {ba92f5b4-2d11-453d-a403-e96b0029c9fe}))" },
      ]),
      /role assignments/,
    );
    expect(result.status).toBe("unknown");
    expect(result.fix).toContain("without one");
  });

  it("says unknown with what to do when the deployer may not read role assignments", async () => {
    const checks = await run(fakeArm([], { denyRoleRead: true }));
    for (const c of checks.slice(0, 2)) {
      expect(c.status).toBe("unknown");
      expect(c.detail).toContain("AuthorizationFailed (HTTP 403)");
      expect(c.fix).toContain("az login");
    }
  });

  it("fails an unregistered resource provider with the command that registers it", async () => {
    const providers = await check(fakeArm([{ role: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", scope: SUBSCRIPTION }], { unregistered: ["Microsoft.DataProtection", "Microsoft.EventGrid"] }), /providers/);
    expect(providers).toMatchObject({ status: "fail", detail: "Microsoft.EventGrid is NotRegistered; Microsoft.DataProtection is NotRegistered" });
    expect(providers.fix).toBe(`az provider register --namespace Microsoft.EventGrid --subscription ${SUB} && az provider register --namespace Microsoft.DataProtection --subscription ${SUB}`);
  });

  it("fails a region without Flex Consumption, listing the ones that have it", async () => {
    const flex = await check(fakeArm([{ role: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", scope: SUBSCRIPTION }], { flexRegions: ["East US", "West Europe"] }), /Flex/);
    expect(flex.status).toBe("fail");
    expect(flex.detail).toBe("eastus2 is not among the 2 regions offering Flex Consumption to this subscription: East US, West Europe");
    expect(flex.fix).toContain("email-journal:region");
  });
});

describe("armReader", () => {
  const credential = (token: string) => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60_000 }) });
  const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

  it("GETs management.azure.com with the credential's bearer token and returns the parsed body", async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const fetchImpl = (async (url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return new Response(JSON.stringify({ value: [] }), { status: 200 });
    }) as unknown as typeof fetch;
    const body = await armReader(credential("tok"), fetchImpl).get<{ value: unknown[] }>(`/subscriptions/${SUB}/providers?api-version=2021-04-01`);
    expect(body).toEqual({ value: [] });
    expect(seen[0].url).toBe(`https://management.azure.com/subscriptions/${SUB}/providers?api-version=2021-04-01`);
    expect((seen[0].init?.headers as Record<string, string>).authorization).toBe("Bearer tok");
    expect(seen[0].init?.method ?? "GET").toBe("GET");
  });

  it("turns an ARM error answer into an ArmError with its code", async () => {
    const fetchImpl = (async () => new Response(JSON.stringify({ error: { code: "SubscriptionNotFound", message: "The subscription could not be found." } }), { status: 404 })) as unknown as typeof fetch;
    await expect(armReader(credential("tok"), fetchImpl).get("/subscriptions/x?api-version=1")).rejects.toMatchObject({ status: 404, code: "SubscriptionNotFound" });
  });

  it("reads the signed-in principal's object id from the token", async () => {
    expect(await signedInObjectId(credential(jwt({ oid: DEPLOYER, tid: "t" })))).toBe(DEPLOYER);
    await expect(signedInObjectId(credential(jwt({ appid: "x" })))).rejects.toThrow(/no oid claim/);
  });
});
