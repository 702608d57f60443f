/**
 * The parsed forms of one topology snapshot, built once per scan. Placement and resolution run
 * on every request; without this they parsed the same interface addresses and blocks each time.
 */
import type { NetworkKind, TopologyAddress } from '../domain/index.js';
import { type Cidr, normaliseAddress, parseCidr } from './ip.js';
import type { CallerNetwork, ConfiguredNetwork, HostTopology, SharedNetworkKind } from './types.js';

/** A LAN or WireGuard network of this host, parsed. */
export interface HostNetwork {
  readonly kind: SharedNetworkKind;
  readonly cidr: Cidr;
  readonly label: string;
}

export interface PreparedTopology {
  /** This host's LAN and WireGuard networks: its interfaces' networks, then the configured ones. */
  readonly hostNetworks: readonly HostNetwork[];
  /** This host's addresses by their normalised text (the first interface holding one wins). */
  readonly own: ReadonlyMap<string, TopologyAddress>;
  /** This host's addresses on each network kind, in scan order. */
  readonly addressesOn: Readonly<Record<NetworkKind, readonly string[]>>;
}

const isShared = (network: string): network is SharedNetworkKind => network === 'lan' || network === 'wireguard';

function hostNetworks(topology: HostTopology): HostNetwork[] {
  const fromInterfaces = topology.addresses.flatMap((a): HostNetwork[] => {
    const cidr = a.cidr === undefined ? undefined : parseCidr(a.cidr);
    return isShared(a.network) && cidr !== undefined ? [{ kind: a.network, cidr, label: `${a.interface} ${cidr.text}` }] : [];
  });
  const configured = topology.networks.flatMap((n): HostNetwork[] => {
    const cidr = configuredCidr(n);
    return cidr === undefined ? [] : [{ kind: n.kind, cidr, label: `configured ${n.name} ${cidr.text}` }];
  });
  return [...fromInterfaces, ...configured];
}

const preparedTopologies = new WeakMap<HostTopology, PreparedTopology>();

/** The parsed forms of `topology`; a snapshot is never changed, so they are kept as long as it is. */
export function prepareTopology(topology: HostTopology): PreparedTopology {
  let prepared = preparedTopologies.get(topology);
  if (prepared !== undefined) return prepared;
  const own = new Map<string, TopologyAddress>();
  const addressesOn: Record<NetworkKind, string[]> = { local: [], lan: [], wireguard: [], public: [] };
  for (const a of topology.addresses) {
    const key = normaliseAddress(a.address);
    if (!own.has(key)) own.set(key, a);
    addressesOn[a.network].push(a.address);
  }
  prepared = { hostNetworks: hostNetworks(topology), own, addressesOn };
  preparedTopologies.set(topology, prepared);
  return prepared;
}

const parsedBlocks = new WeakMap<ConfiguredNetwork | CallerNetwork, Cidr | null>();

function blockOf(holder: ConfiguredNetwork | CallerNetwork): Cidr | undefined {
  let cidr = parsedBlocks.get(holder);
  if (cidr === undefined) {
    cidr = parseCidr(holder.cidr) ?? null;
    parsedBlocks.set(holder, cidr);
  }
  return cidr ?? undefined;
}

/** The block of a configured network, parsed once per network object. */
export const configuredCidr = (network: ConfiguredNetwork): Cidr | undefined => blockOf(network);

/** The block of a network a caller was placed in, parsed once per placement. */
export const callerNetworkCidr = (network: CallerNetwork): Cidr | undefined => blockOf(network);
