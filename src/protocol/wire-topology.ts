/** Topology on the wire (DESIGN §8): the host's classified addresses and resolved endpoints. */
import { type NetworkKind, networkKinds, type TopologyAddress } from '../domain/index.js';
import type { ConfiguredNetwork, HostTopology, ResolvedEndpoint } from '../topology/index.js';
import { toSeconds } from './wire-service.js';

/** `get_topology` in snake_case, as the `NetworkTopologyChanged` event carries it; times in seconds. */
export function encodeTopology(t: HostTopology): Record<string, unknown> {
  return { host_id: t.hostId, scanned_at: toSeconds(t.scannedAt), addresses: t.addresses, networks: t.networks };
}

/* Decoding is for the client library: the server is trusted, so shapes are read, not re-validated. */
type Wire = Readonly<Record<string, unknown>>;
const obj = (v: unknown): Wire => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Wire) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const networkOf = (v: unknown): NetworkKind => networkKinds.find((k) => k === v) ?? 'public';

function decodeAddress(value: unknown): TopologyAddress {
  const w = obj(value);
  const cidr = typeof w.cidr === 'string' ? w.cidr : undefined;
  return {
    interface: str(w.interface),
    address: str(w.address),
    family: w.family === 'IPv6' ? 'IPv6' : 'IPv4',
    network: networkOf(w.network),
    reason: str(w.reason),
    ...(cidr === undefined ? {} : { cidr }),
  };
}

function decodeNetwork(value: unknown): ConfiguredNetwork {
  const w = obj(value);
  return { name: str(w.name), kind: w.kind === 'wireguard' ? 'wireguard' : 'lan', cidr: str(w.cidr) };
}

export function decodeTopology(value: unknown): HostTopology {
  const w = obj(value);
  return {
    hostId: str(w.host_id),
    addresses: list(w.addresses).map(decodeAddress),
    networks: list(w.networks).map(decodeNetwork),
    scannedAt: typeof w.scanned_at === 'number' ? w.scanned_at * 1000 : 0,
  };
}

export function decodeResolvedEndpoint(value: unknown): ResolvedEndpoint {
  const w = obj(value);
  return {
    service: str(w.service),
    endpoint: str(w.endpoint),
    address: str(w.address),
    port: typeof w.port === 'number' ? w.port : 0,
    protocol: str(w.protocol),
    network: networkOf(w.network),
    reason: str(w.reason),
  };
}
