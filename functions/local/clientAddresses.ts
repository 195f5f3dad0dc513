// Which network clients the local intakes know: the loopback test for the bind address, and
// the allow-list of client addresses and CIDR ranges (JOURNAL_SMTP_ALLOW).
import { BlockList, isIP } from "node:net";

/** One allow-list entry: a network and its prefix length (a single address is /32 or /128). */
export interface AllowEntry {
  readonly network: string;
  readonly prefix: number;
  readonly family: "ipv4" | "ipv6";
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** `::ffff:192.0.2.1`, as a dual-stack socket reports an IPv4 peer, is the IPv4 address itself. */
export function unmapIpv4(address: string): string {
  const mapped = MAPPED_IPV4.exec(address);
  return mapped ? mapped[1] : address;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** Whether a bind address only accepts connections from this machine. */
export function isLoopback(address: string): boolean {
  if (address === "localhost") return true;
  const version = isIP(address);
  return version !== 0 && LOOPBACK.check(address, version === 4 ? "ipv4" : "ipv6");
}

/**
 * Parses a comma-separated list of IPv4/IPv6 addresses and CIDR ranges. Each bad entry is
 * named in `problems` (with `name`, the setting it came from); good entries are kept.
 */
export function parseAllowList(name: string, text: string): { entries: AllowEntry[]; problems: string[] } {
  const entries: AllowEntry[] = [];
  const problems: string[] = [];
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [rawAddress, rawPrefix, ...rest] = item.split("/");
    const address = unmapIpv4(rawAddress);
    const version = isIP(address);
    const max = version === 4 ? 32 : 128;
    // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
    const mappedShift = address !== rawAddress ? 96 : 0;
    const prefix = rawPrefix === undefined ? max : /^\d{1,3}$/.test(rawPrefix) ? Number(rawPrefix) - mappedShift : NaN;
    if (version === 0 || address.includes("%") || rest.length > 0 || !(prefix >= 0 && prefix <= max)) {
      problems.push(`${name} entry "${item.slice(0, 80)}": must be an IPv4 or IPv6 address, optionally with a /prefix (1-32 for IPv4, 1-128 for IPv6)`);
      continue;
    }
    if (prefix === 0) {
      // Everyone on the list is trusted to state a journal envelope: /0 would trust every stranger.
      problems.push(`${name} entry "${item}": a /0 range would trust every client; list your mail servers' addresses or ranges`);
      continue;
    }
    entries.push({ network: address, prefix, family: version === 4 ? "ipv4" : "ipv6" });
  }
  return { entries, problems };
}

/** Answers whether a client address is on the allow-list; IPv4-mapped IPv6 peers match IPv4 entries. */
export class ClientAllowList {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly AllowEntry[]) {
    for (const entry of entries) this.list.addSubnet(entry.network, entry.prefix, entry.family);
    this.size = entries.length;
  }

  allows(address: string | undefined): boolean {
    if (!address || this.size === 0) return false;
    const plain = unmapIpv4(address);
    const version = isIP(plain);
    return version !== 0 && this.list.check(plain, version === 4 ? "ipv4" : "ipv6");
  }
}
