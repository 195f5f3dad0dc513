// The Azure search engine's contracts on the primary, the standby and a sandbox, and each one broken on
// a copy of the primary's plan, failing with its Microsoft reference. The deployer's side (create
// actions for the workspace and its key, Microsoft.Synapse registered) is in AZURE_CONTRACTS, which
// the plans with a workspace must still honour.
import { beforeAll, describe, expect, it } from "vitest";
import { DEPLOYER_ACTIONS, RESOURCE_PROVIDERS } from "../../infra/preflight/azure";
import { runProgram } from "../../infra/policyCheck/mockRun";
import { drop, edit } from "../policies/mutations";
import { AZURE_CONTRACTS, verdict } from "./azureContracts";
import type { AzurePlan } from "./azurePlan";
import { AZURE_SEARCH_CONTRACTS } from "./azureSearchContracts";

const plans = new Map<string, AzurePlan>();
beforeAll(async () => {
  for (const [stack, options] of [["azure-eastus2", {}], ["azure-centralus", {}], ["azure-eastus2-sandbox", { config: { "email-journal:sandbox": true, "email-journal:frameworks": [], "email-journal:retention": { minimumDays: 7, mode: "governance" } } }]] as const) {
    const run = await runProgram(stack.replace("-sandbox", ""), options);
    plans.set(stack, { resources: run.resources, deployerActions: DEPLOYER_ACTIONS.map((d) => d.action), providers: [...RESOURCE_PROVIDERS] });
  }
});

const honoured = (id: string, plan: AzurePlan) => {
  const message = verdict([...AZURE_SEARCH_CONTRACTS, ...AZURE_CONTRACTS].find((c) => c.id === id)!, plan);
  if (message) throw new Error(message);
};

describe.each(["azure-eastus2", "azure-centralus", "azure-eastus2-sandbox"])("the search contracts on %s", (stack) => {
  it.each(AZURE_SEARCH_CONTRACTS.map((c) => [`${c.kind}: ${c.id}`, c.id] as const))("%s", (_name, id) => honoured(id, plans.get(stack)!));
  it.each(["deployer-creates-everything", "providers-registered", "diagnostics-destinations"])("and %s with the workspace in the plan", (id) => honoured(id, plans.get(stack)!));
});

type Mutate = (p: AzurePlan) => AzurePlan;
const resources = (change: (r: AzurePlan["resources"][number][]) => AzurePlan["resources"][number][]): Mutate => (p) => ({ ...p, resources: change([...p.resources]) });
const WORKSPACE = "azure-native:synapse:Workspace";
const ASSIGNMENT = "azure-native:authorization:RoleAssignment";

const broken: [what: string, mutate: Mutate, contractId: string][] = [
  ["the workspace loses its key role", resources((r) => drop(r, ASSIGNMENT, "search-key-access")), "search-workspace-uses-key"],
  ["the workspace reaches its key through a user-assigned identity", resources((r) => edit(r, WORKSPACE, "search", (i) => (i.encryption.cmk.kekIdentity = { userAssignedIdentity: "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id" }))), "search-workspace-uses-key"],
  ["the workspace names another key", resources((r) => edit(r, WORKSPACE, "search", (i) => (i.encryption.cmk.key.keyVaultUrl = "https://elsewhere.vault.azure.net/keys/k"))), "search-workspace-uses-key"],
  ["the vault stops trusted services", resources((r) => edit(r, "azure-native:keyvault:Vault", "vault", (i) => (i.properties.networkAcls.bypass = "None"))), "search-workspace-uses-key"],
  ["the workspace is never activated", resources((r) => drop(r, "azure-native:synapse:Key")), "search-activation-after-key-access"],
  ["activation races the key access", resources((r) => edit(r, "azure-native:synapse:Key", "search-key", () => undefined, { dependsOn: [] })), "search-activation-after-key-access"],
  ["auditors lose their read", resources((r) => edit(r, ASSIGNMENT, "auditor-0", (i) => (i.scope = i.scope.replace("ejarceastus", "ejinbeastus")))), "search-pool-reads-archive-as-auditor"],
  ["auditors read only sidecars of messages", resources((r) => edit(r, ASSIGNMENT, "auditor-0", (i) => ((i.condition = "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'meta/'))"), (i.conditionVersion = "2.0")))), "search-pool-reads-archive-as-auditor"],
  [
    "the workspace is given the auditor role on the archive",
    (p) => {
      const access = p.resources.find((r) => r.name.endsWith("search-key-access"))!;
      const auditor = p.resources.find((r) => /-auditor-0$/.test(r.name))!;
      return { ...p, resources: [...p.resources, { ...auditor, name: `${auditor.name}-workspace`, inputs: { ...auditor.inputs, principalId: access.inputs.principalId } }] };
    },
    "search-workspace-reads-nothing",
  ],
  ["the workspace's account without a hierarchical namespace", resources((r) => edit(r, "azure-native:storage:StorageAccount", "search-storage", (i) => delete i.isHnsEnabled)), "search-default-storage"],
  ["the workspace's filesystem not planned", resources((r) => drop(r, "azure-native:storage:BlobContainer", "search-filesystem")), "search-default-storage"],
];

describe("each search contract fails, citing Microsoft, when the plan stops honouring it", () => {
  it.each(broken)("%s", (_what, mutate, id) => {
    const primary = plans.get("azure-eastus2")!;
    const contract = AZURE_SEARCH_CONTRACTS.find((c) => c.id === id)!;
    honoured(id, primary);
    const message = verdict(contract, mutate(primary));
    expect(message).toMatch(new RegExp(`^${id} \\(`));
    expect(message).toContain(contract.reference);
  });

  it("has a mutation for every contract, and the deployer's for the workspace", () => {
    expect(AZURE_SEARCH_CONTRACTS.map((c) => c.id).filter((id) => !broken.some((b) => b[2] === id))).toEqual([]);
    const primary = plans.get("azure-eastus2")!;
    for (const action of ["Microsoft.Synapse/workspaces/write", "Microsoft.Synapse/workspaces/keys/write"]) {
      expect(verdict(AZURE_CONTRACTS.find((c) => c.id === "deployer-creates-everything")!, { ...primary, deployerActions: primary.deployerActions.filter((a) => a !== action) })).toContain(action);
    }
    expect(verdict(AZURE_CONTRACTS.find((c) => c.id === "providers-registered")!, { ...primary, providers: primary.providers.filter((n) => n !== "Microsoft.Synapse") })).toContain("Microsoft.Synapse");
  });
});
