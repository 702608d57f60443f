import type { Cidr, TopologyAddress } from '../domain/index.js';

/** The networks an address can share with another host; `local` and `public` are not shared networks. */
export type SharedNetworkKind = 'lan' | 'wireguard';

/**
 * A `[[network]]` as topology receives it: parsed and checked once, by the configuration (the
 * networks src/ipam compiles are such). Topology never reads the tables or their text again.
 */
export interface NetworkBlock {
  readonly name: string;
  readonly kind: SharedNetworkKind;
  readonly cidr: Cidr;
}

/** A configured network as the topology snapshot shows it (`get_topology`); made by `configuredNetworks()`. */
export interface ConfiguredNetwork {
  readonly name: string;
  readonly kind: SharedNetworkKind;
  /** Canonical `base/prefix`. */
  readonly cidr: string;
}

/** What the kernel says about an interface's link, read from /sys/class/net and /var/run/wireguard. */
export interface LinkFacts {
  /** Link kind when the kernel names it (`DEVTYPE` in uevent: `wireguard`, `vlan`, `bridge`, …). */
  readonly kind?: string;
  /** ARPHRD type from /sys/class/net/<if>/type: 772 is loopback, 65534 (none) is tun and WireGuard. */
  readonly arpType?: number;
  /** The path of a WireGuard UAPI socket for this interface, when one exists and the interface is in this namespace. */
  readonly uapiSocket?: string;
}

/** One address of one interface, before classification. */
export interface AddressCandidate {
  readonly interface: string;
  readonly address: string;
  readonly family: 'IPv4' | 'IPv6';
  /** Prefix length of the interface's network (24 for 10.1.2.3/24). */
  readonly prefix: number;
  readonly link: LinkFacts;
}

/** This host as topology detection sees it: its id, its classified addresses, and the configured networks. */
export interface HostTopology {
  readonly hostId: string;
  readonly addresses: readonly TopologyAddress[];
  readonly networks: readonly ConfiguredNetwork[];
  /** When the addresses were last read (ms since the epoch). */
  readonly scannedAt: number;
}

/** How a caller stands towards this host, as far as its connection and declarations tell. */
export interface CallerPlace {
  /** The caller runs on the registry's own host. */
  readonly onRegistryHost: boolean;
  /** The caller's host id: declared, or the registry's own when it is on the registry host. */
  readonly hostId?: string;
  /** The networks the caller is known to sit in (or reach as a peer, for WireGuard). */
  readonly networks: readonly CallerNetwork[];
  /** How placement was decided, for the `reason` of an answer. */
  readonly evidence: readonly string[];
}

export interface CallerNetwork {
  readonly kind: SharedNetworkKind;
  /** Canonical `base/prefix`. */
  readonly cidr: string;
  /** The same block, parsed. */
  readonly block: Cidr;
  /** Why the caller counts as in it. */
  readonly via: string;
}
