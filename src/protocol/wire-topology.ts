/** Topology on the wire (README "Topology and resolution"): the host's classified addresses and resolved endpoints, keys in the schema's order. */
import type { HostTopologyWire, ResolvedEndpointWire, TopologyAddress } from '../domain/index.js';
import type { HostTopology, ResolvedEndpoint } from '../topology/index.js';
import type { Frozen } from './frozen.js';
import { toSeconds } from './wire-service.js';

export const encodeTopologyAddress = (a: TopologyAddress): Frozen<HostTopologyWire['addresses'][number]> => ({
  interface: a.interface,
  address: a.address,
  family: a.family,
  network: a.network,
  reason: a.reason,
  cidr: a.cidr,
});

/** `get_topology` in snake_case, as the `NetworkTopologyChanged` event carries it; times in seconds. */
export function encodeTopology(t: HostTopology): Frozen<HostTopologyWire> {
  return {
    host_id: t.hostId,
    scanned_at: toSeconds(t.scannedAt),
    addresses: t.addresses.map(encodeTopologyAddress),
    networks: t.networks.map((n) => ({ name: n.name, kind: n.kind, cidr: n.cidr })),
  };
}

export const encodeResolvedEndpoint = (r: ResolvedEndpoint): Frozen<ResolvedEndpointWire> => ({
  service: r.service,
  endpoint: r.endpoint,
  address: r.address,
  port: r.port,
  protocol: r.protocol,
  network: r.network,
  reason: r.reason,
});
