/**
 * The classification table of README "Topology and resolution", pure: loopback → local; WireGuard (by link kind, by a
 * userspace UAPI socket, or inside a configured `kind = "wireguard"` network) → wireguard;
 * private and link-local ranges → lan; anything else → public.
 */
import {
  type Cidr,
  cidrAround,
  cidrContains,
  type IpAddress,
  isLoopback,
  type NetworkKind,
  parseCidr,
  parseIp,
  type TopologyAddress,
  withoutZone,
} from '../domain/index.js';
import { configuredCidr } from './networks.js';
import type { AddressCandidate, ConfiguredNetwork } from './types.js';

export interface Classification {
  readonly network: NetworkKind;
  readonly reason: string;
}

interface RangeRule extends Classification {
  readonly cidr: Cidr;
}

/** A block this module itself defines; a typo in one is a bug, so it throws a plain Error. */
function knownCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`'${text}' is not a CIDR block: ${parsed.reason}`);
  return parsed.cidr;
}

const rule = (cidr: string, network: NetworkKind, reason: string): RangeRule => ({ cidr: knownCidr(cidr), network, reason });

/**
 * Addresses that are not routed on the Internet. 100.64.0.0/10 (RFC 6598, carrier-grade NAT and
 * overlays such as Tailscale) counts as lan: it is reachable only inside the operator's or the
 * provider's shared space, never from the Internet, so advertising it as public would be wrong.
 * Configure a `kind = "wireguard"` network over it when it is an overlay.
 */
const PRIVATE_RANGES: readonly RangeRule[] = [
  rule('10.0.0.0/8', 'lan', 'RFC 1918 private range 10.0.0.0/8'),
  rule('172.16.0.0/12', 'lan', 'RFC 1918 private range 172.16.0.0/12'),
  rule('192.168.0.0/16', 'lan', 'RFC 1918 private range 192.168.0.0/16'),
  rule('100.64.0.0/10', 'lan', 'shared address space 100.64.0.0/10 (RFC 6598, carrier-grade NAT)'),
  rule('169.254.0.0/16', 'lan', 'link-local 169.254.0.0/16'),
  rule('fc00::/7', 'lan', 'unique local fc00::/7'),
  rule('fe80::/10', 'lan', 'link-local fe80::/10'),
];

/** ARPHRD_LOOPBACK and ARPHRD_NONE (tun devices, kernel and userspace WireGuard). */
export const ARPHRD_LOOPBACK = 772;
export const ARPHRD_NONE = 65_534;

function inConfigured(address: IpAddress, networks: readonly ConfiguredNetwork[]): Classification | undefined {
  // WireGuard networks first: a configured overlay inside a LAN range is the overlay.
  for (const kind of ['wireguard', 'lan'] as const) {
    for (const network of networks) {
      if (network.kind !== kind) continue;
      if (cidrContains(configuredCidr(network), address)) {
        return { network: kind, reason: `inside configured ${kind} network ${network.name} (${network.cidr})` };
      }
    }
  }
  return undefined;
}

/**
 * Classifies an address by its value alone (for callers' and services' addresses, whose links we
 * cannot see): loopback, configured networks, private ranges, else public. Not an IP (a host
 * name) is public: DNS decides where it leads.
 */
export function classifyIp(address: string, networks: readonly ConfiguredNetwork[] = []): Classification {
  const ip = parseIp(withoutZone(address));
  if (ip === undefined) return { network: 'public', reason: `'${address}' is a host name, not an address` };
  if (isLoopback(address)) return { network: 'local', reason: ip.family === 4 ? 'loopback 127.0.0.0/8' : 'loopback ::1' };
  const configured = networks.length === 0 ? undefined : inConfigured(ip, networks);
  if (configured !== undefined) return configured;
  const range = PRIVATE_RANGES.find((r) => cidrContains(r.cidr, ip));
  if (range !== undefined) return range;
  return { network: 'public', reason: 'not in a loopback, private or link-local range' };
}

function classifyCandidate(candidate: AddressCandidate, networks: readonly ConfiguredNetwork[]): Classification {
  const { link } = candidate;
  const byValue = classifyIp(candidate.address, networks);
  if (byValue.network === 'local') return byValue;
  if (link.arpType === ARPHRD_LOOPBACK) return { network: 'local', reason: `on loopback interface ${candidate.interface}` };
  if (link.kind === 'wireguard') return { network: 'wireguard', reason: `on ${candidate.interface}, link kind wireguard` };
  if (link.uapiSocket !== undefined) {
    return { network: 'wireguard', reason: `on ${candidate.interface}, userspace WireGuard (UAPI socket ${link.uapiSocket})` };
  }
  return byValue;
}

/** Classifies one address of one of this host's interfaces. */
export function classifyAddress(candidate: AddressCandidate, networks: readonly ConfiguredNetwork[] = []): TopologyAddress {
  const { network, reason } = classifyCandidate(candidate, networks);
  const ip = parseIp(withoutZone(candidate.address));
  const cidr = ip === undefined ? undefined : cidrAround(ip, candidate.prefix);
  return {
    interface: candidate.interface,
    address: candidate.address,
    family: candidate.family,
    network,
    reason,
    ...(cidr === undefined ? {} : { cidr: cidr.text }),
  };
}
