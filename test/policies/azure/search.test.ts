// The rules for the Azure search engine's workspace: the workspace the program plans passes, and each
// way of breaking a guarantee (key, Entra-only, exfiltration, firewall, query log) fails naming the
// resource, the property, the value found and the fix.
import { beforeAll, describe, expect, it } from "vitest";
import { runProgram } from "../../../infra/policyCheck/mockRun";
import { synapseQueriesAudited } from "../../../policies/azure/synapseAudited";
import { synapseFirewallNarrow } from "../../../policies/azure/synapseFirewall";
import { synapseWorkspaceHardened } from "../../../policies/azure/synapseWorkspace";
import { changed, type Fixture, REMOVE, resourceMessages, stackMessages } from "../helpers";

let workspace: Fixture;
let audit: Fixture;
beforeAll(async () => {
  // The workspace and its diagnostic setting exactly as the program plans them for the primary.
  const run = await runProgram("azure-eastus2");
  const planned = run.one("azure-native:synapse:Workspace");
  workspace = { type: planned.type, name: planned.name, inputs: planned.inputs };
  const setting = run.one("azure-native:monitor:DiagnosticSetting", "search-audit");
  audit = { type: setting.type, name: setting.name, inputs: { ...setting.inputs, resourceUri: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Synapse/workspaces/${planned.inputs.workspaceName}` } };
});

describe("azure-synapse-workspace-hardened", () => {
  it("passes the workspace the program plans", async () => {
    expect(await resourceMessages(synapseWorkspaceHardened, workspace)).toEqual([]);
  });

  it.each([
    ["encryption.cmk", REMOVE, "encryption.cmk.key.keyVaultUrl is not set; name the stack's Key Vault key"],
    ["azureADOnlyAuthentication", false, "azureADOnlyAuthentication is false; set true"],
    ["sqlAdministratorLoginPassword", "hunter2", 'sqlAdministratorLoginPassword is "(set)"; remove it'],
    ["trustedServiceBypassEnabled", true, "trustedServiceBypassEnabled is true; set false"],
    ["managedVirtualNetwork", REMOVE, 'managedVirtualNetwork is not set; set "default"'],
    ["managedVirtualNetworkSettings.preventDataExfiltration", false, "managedVirtualNetworkSettings.preventDataExfiltration is false; set true"],
  ])("fails when %s is %j", async (path, value, expected) => {
    const messages = await resourceMessages(synapseWorkspaceHardened, { ...workspace, inputs: changed(workspace.inputs, path, value) });
    expect(messages).toEqual([expect.stringContaining(`${workspace.name}: ${expected}`)]);
    // A password is never shown, whatever it is.
    expect(messages.join()).not.toContain("hunter2");
  });
});

describe("azure-synapse-firewall-narrow", () => {
  const rule = (start: string, end: string): Fixture => ({ type: "azure-native:synapse:IpFirewallRule", name: "auditors", inputs: { startIpAddress: start, endIpAddress: end, ruleName: "auditors" } });

  it("passes an office network", async () => {
    expect(await resourceMessages(synapseFirewallNarrow, rule("203.0.113.0", "203.0.113.255"))).toEqual([]);
    expect(await resourceMessages(synapseFirewallNarrow, rule("10.0.0.0", "10.255.255.255"))).toEqual([]);
  });

  it.each([
    ["every Azure service", "0.0.0.0", "0.0.0.0", '"0.0.0.0-0.0.0.0"; remove it'],
    ["the whole internet", "0.0.0.0", "255.255.255.255", '"0.0.0.0-255.255.255.255"; admit the auditors\' networks'],
    ["more than a /8", "10.0.0.0", "11.0.0.0", '"10.0.0.0-11.0.0.0"; admit the auditors\' networks'],
  ])("fails a rule that admits %s", async (_what, start, end, expected) => {
    expect(await resourceMessages(synapseFirewallNarrow, rule(start, end))).toEqual([expect.stringContaining(expected)]);
  });
});

describe("azure-synapse-queries-audited", () => {
  it("passes the workspace with the setting the program plans", async () => {
    expect(await stackMessages(synapseQueriesAudited, [workspace, audit])).toEqual([]);
  });

  it.each([
    ["no setting at all", (a: Fixture) => [] as Fixture[]],
    ["a setting without the request log", (a: Fixture) => [{ ...a, inputs: changed(a.inputs, "logs", [{ category: "SynapseRbacOperations", enabled: true }]) }]],
    ["the request log disabled", (a: Fixture) => [{ ...a, inputs: changed(a.inputs, "logs", [{ category: "BuiltinSqlReqsEnded", enabled: false }]) }]],
    ["a setting on another workspace", (a: Fixture) => [{ ...a, inputs: changed(a.inputs, "resourceUri", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Synapse/workspaces/other") }]],
  ])("fails with %s", async (_what, settings) => {
    expect(await stackMessages(synapseQueriesAudited, [workspace, ...settings(audit)])).toEqual([expect.stringContaining(`${workspace.name}: no diagnostic setting sends its BuiltinSqlReqsEnded`)]);
  });
});
