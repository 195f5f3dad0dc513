import { SERVES } from "../controls";
import { problem, resourceRule } from "../rule";

const ipv4 = (address: unknown) => String(address ?? "").split(".").reduce((n, part) => n * 256 + Number(part), 0);

// The workspace's SQL endpoint is public so that auditors reach it from their own networks; its
// firewall is what narrows that. A rule from 0.0.0.0 to 0.0.0.0 is the portal's "Allow Azure services
// and resources to access this workspace" (any Azure tenant's resources), and one spanning the whole
// address space admits everyone: neither may be part of the stack.
export const synapseFirewallNarrow = resourceRule({
  name: "azure-synapse-firewall-narrow",
  description: "No Synapse firewall rule admits the whole internet or every Azure service: only named networks, at most a /8 each",
  controls: [...SERVES.confidentiality, ...SERVES.transport],
  types: ["azure-native:synapse:IpFirewallRule"],
  check: (props, report) => {
    const start = ipv4(props.startIpAddress);
    const end = ipv4(props.endIpAddress);
    const range = `${props.startIpAddress ?? "?"}-${props.endIpAddress ?? "?"}`;
    if (start === 0 && end === 0) report(problem("startIpAddress-endIpAddress", range, "remove it: 0.0.0.0-0.0.0.0 admits every Azure service's resources, in any tenant"));
    else if (end - start + 1 > 2 ** 24) report(problem("startIpAddress-endIpAddress", range, "admit the auditors' networks, each at most a /8"));
  },
});
