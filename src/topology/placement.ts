/**
 * Where a caller stands, from its connection and what it declares (README "Topology and resolution"): loopback or one
 * of our own addresses → this host; a remote address inside one of our LAN or WireGuard
 * networks → that network; a connection that arrived on our WireGuard address → a tunnel peer;
 * a link-local caller → the networks of the interface it came through, and no other (every
 * interface has the same link-local block, so the address alone places it nowhere).
 */
import { cidrContains, isLinkLocal, isLoopback, normaliseAddress, parseBlock, parseIp, type TopologyAddress, withoutZone, zoneOf } from '../domain/index.js';
import { classifyIp } from './classify.js';
import { type HostNetwork, prepareTopology } from './prepared.js';
import type { CallerNetwork, CallerPlace, HostTopology, SharedNetworkKind } from './types.js';

/** What is known of a caller: its connection's addresses and its own declarations. */
export interface CallerFacts {
  readonly remoteAddress?: string;
  /** The local address the connection arrived on. */
  readonly localAddress?: string;
  readonly hostId?: string;
  /** Addresses the caller declares; `ip/prefix` also declares the network it sits in. */
  readonly addresses?: readonly string[];
}

const isShared = (network: string): network is SharedNetworkKind => network === 'lan' || network === 'wireguard';

/** One of our own addresses, as classified. */
const ownAddress = (topology: HostTopology, address: string): TopologyAddress | undefined =>
  prepareTopology(topology).own.get(normaliseAddress(address));

class PlaceBuilder {
  onRegistryHost = false;
  hostId: string | undefined;
  readonly networks = new Map<string, CallerNetwork>();
  readonly evidence: string[] = [];

  constructor(private readonly known: readonly HostNetwork[]) {}

  onHost(why: string): void {
    this.onRegistryHost = true;
    this.evidence.push(why);
    for (const n of this.known) this.add({ kind: n.kind, cidr: n.cidr.text, block: n.cidr, via: why });
  }

  add(network: CallerNetwork): void {
    const key = `${network.kind} ${network.cidr}`;
    if (!this.networks.has(key)) this.networks.set(key, network);
  }

  /** Adds every network of the interface a link-local caller came through. */
  onLink(address: string, iface: string): void {
    const via = `link-local address ${withoutZone(address)} came through ${iface}`;
    const link = this.known.filter((n) => n.interface === iface);
    for (const n of link) this.add({ kind: n.kind, cidr: n.cidr.text, block: n.cidr, via });
    this.evidence.push(link.length > 0 ? `${via}, on ${link.map((n) => n.label).join(', ')}` : `${via}, which has no LAN or WireGuard network`);
  }

  /** Adds every known network holding `address`; true when there was one. A link-local address is on no network by itself. */
  within(address: string, via: string): boolean {
    if (isLinkLocal(address)) return false;
    const ip = parseIp(withoutZone(address));
    const holding = ip === undefined ? [] : this.known.filter((n) => cidrContains(n.cidr, ip));
    for (const n of holding) this.add({ kind: n.kind, cidr: n.cidr.text, block: n.cidr, via: `${via} is inside ${n.label}` });
    if (holding.length > 0) this.evidence.push(`${via} is inside ${holding.map((n) => n.label).join(', ')}`);
    return holding.length > 0;
  }
}

/** The interface a link-local caller came through: the zone its address carries, else the interface of our address it arrived on. */
function arrivalInterface(topology: HostTopology, remote: string, local: string | undefined): string | undefined {
  return zoneOf(remote) ?? (local === undefined ? undefined : ownAddress(topology, local)?.interface);
}

function placeByConnection(place: PlaceBuilder, topology: HostTopology, facts: CallerFacts): void {
  const { remoteAddress: remote, localAddress: local } = facts;
  if (remote !== undefined) {
    const own = ownAddress(topology, remote);
    const iface = isLinkLocal(remote) ? arrivalInterface(topology, remote, local) : undefined;
    if (isLoopback(remote)) place.onHost(`connected over loopback (${normaliseAddress(remote)})`);
    else if (own !== undefined) place.onHost(`connected from this host's own address ${normaliseAddress(remote)}`);
    else if (iface !== undefined) place.onLink(remote, iface);
    else place.within(remote, `remote address ${normaliseAddress(remote)}`);
  }
  if (local === undefined || place.onRegistryHost) return;
  // Only a WireGuard peer can send into our WireGuard interface, so the arrival address proves
  // it; a LAN arrival does not (a router's port forward brings outside callers in on it too).
  const arrival = ownAddress(topology, local);
  const block = arrival === undefined ? undefined : prepareTopology(topology).blocks.get(arrival);
  if (arrival?.network === 'wireguard' && block !== undefined) {
    const via = `arrived on WireGuard address ${arrival.address} (${arrival.interface})`;
    place.add({ kind: 'wireguard', cidr: block.text, block, via });
    place.evidence.push(via);
  }
}

function placeByDeclaration(place: PlaceBuilder, topology: HostTopology, facts: CallerFacts): void {
  if (facts.hostId !== undefined) {
    place.hostId = facts.hostId;
    if (facts.hostId === topology.hostId && !place.onRegistryHost) place.onHost(`declared host_id ${facts.hostId}, this host`);
  }
  for (const text of facts.addresses ?? []) {
    const cidr = parseBlock(text);
    if (cidr === undefined) continue;
    const address = text.split('/')[0] ?? text;
    if (isLoopback(address)) continue;
    if (place.within(address, `declared address ${address}`) || !text.includes('/')) continue;
    const { network, reason } = classifyIp(address, topology.networks);
    if (isShared(network)) {
      place.add({ kind: network, cidr: cidr.text, block: cidr, via: `declared network ${cidr.text} (${reason})` });
      place.evidence.push(`declared network ${cidr.text}`);
    }
  }
}

/** Places a caller relative to this host; pure. */
export function placeCaller(topology: HostTopology, facts: CallerFacts): CallerPlace {
  const place = new PlaceBuilder(prepareTopology(topology).hostNetworks);
  placeByConnection(place, topology, facts);
  placeByDeclaration(place, topology, facts);
  const hostId = place.hostId ?? (place.onRegistryHost ? topology.hostId : undefined);
  return {
    onRegistryHost: place.onRegistryHost,
    ...(hostId === undefined ? {} : { hostId }),
    networks: [...place.networks.values()],
    evidence: place.evidence.length > 0 ? place.evidence : ['nothing places the caller in a network of this host'],
  };
}
