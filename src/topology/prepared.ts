/**
 * The parsed forms of one topology snapshot, built once per scan. Placement and resolution run
 * on every request; without this they parsed the same interface addresses and blocks each time.
 */
import { type Cidr, type NetworkKind, normaliseAddress, parseBlock, type TopologyAddress, withoutZone } from '../domain/index.js';
import { configuredCidr } from './networks.js';
import type { HostTopology, SharedNetworkKind } from './types.js';

/** A LAN or WireGuard network of this host, parsed. */
export interface HostNetwork {
  readonly kind: SharedNetworkKind;
  readonly cidr: Cidr;
  readonly label: string;
  /** The interface the network is on; absent for a configured network. */
  readonly interface?: string;
}

export interface PreparedTopology {
  /** This host's LAN and WireGuard networks: its interfaces' networks, then the configured ones. */
  readonly hostNetworks: readonly HostNetwork[];
  /** This host's addresses by their normalised text (the first interface holding one wins). */
  readonly own: ReadonlyMap<string, TopologyAddress>;
  /** The block of each of this host's addresses: its interface's network, else the address alone. */
  readonly blocks: ReadonlyMap<TopologyAddress, Cidr>;
  /** This host's addresses on each network kind, in scan order. */
  readonly addressesOn: Readonly<Record<NetworkKind, readonly string[]>>;
}

const isShared = (network: string): network is SharedNetworkKind => network === 'lan' || network === 'wireguard';

/** The interface's network of an address (`10.1.2.3` in `10.1.2.0/24`), else the single-address block. */
const blockOf = (a: TopologyAddress): Cidr | undefined =>
  (a.cidr === undefined ? undefined : parseBlock(a.cidr)) ?? parseBlock(withoutZone(a.address));

function hostNetworks(topology: HostTopology, blocks: ReadonlyMap<TopologyAddress, Cidr>): HostNetwork[] {
  const fromInterfaces = topology.addresses.flatMap((a): HostNetwork[] => {
    const cidr = blocks.get(a);
    return isShared(a.network) && a.cidr !== undefined && cidr !== undefined ? [{ kind: a.network, cidr, label: `${a.interface} ${cidr.text}`, interface: a.interface }] : [];
  });
  const configured = topology.networks.map((n): HostNetwork => {
    const cidr = configuredCidr(n);
    return { kind: n.kind, cidr, label: `configured ${n.name} ${cidr.text}` };
  });
  return [...fromInterfaces, ...configured];
}

const preparedTopologies = new WeakMap<HostTopology, PreparedTopology>();

/** The parsed forms of `topology`; a snapshot is never changed, so they are kept as long as it is. */
export function prepareTopology(topology: HostTopology): PreparedTopology {
  let prepared = preparedTopologies.get(topology);
  if (prepared !== undefined) return prepared;
  const own = new Map<string, TopologyAddress>();
  const blocks = new Map<TopologyAddress, Cidr>();
  const addressesOn: Record<NetworkKind, string[]> = { local: [], lan: [], wireguard: [], public: [] };
  for (const a of topology.addresses) {
    const key = normaliseAddress(a.address);
    if (!own.has(key)) own.set(key, a);
    const block = blockOf(a);
    if (block !== undefined) blocks.set(a, block);
    addressesOn[a.network].push(a.address);
  }
  prepared = { hostNetworks: hostNetworks(topology, blocks), own, blocks, addressesOn };
  preparedTopologies.set(topology, prepared);
  return prepared;
}
