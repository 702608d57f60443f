/**
 * Resolution (README "Topology and resolution"): for a caller and a service, the address the caller can reach. Same
 * host → local; a LAN shared with the service's host → lan; both on WireGuard → wireguard;
 * else public; and when the service declared none of those, its primary host.
 */
import { cidrContains, type NetworkKind, normaliseAddress, parseIp, RegistryError, type Service, withoutZone } from '../domain/index.js';
import { classifyIp } from './classify.js';
import { prepareTopology } from './prepared.js';
import type { CallerPlace, HostTopology, SharedNetworkKind } from './types.js';

/** The name under which the Plexus `host/port/protocol` of a service without endpoints resolves. */
export const PRIMARY_ENDPOINT = 'primary';

/** One endpoint of one service, resolved for one caller. */
export interface ResolvedEndpoint {
  readonly service: string;
  readonly endpoint: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: string;
  readonly network: NetworkKind;
  /** Why this address: which rule chose it and what placed the caller. */
  readonly reason: string;
}

interface Choice {
  readonly address: string;
  readonly network: NetworkKind;
  readonly reason: string;
}

interface EndpointRef {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
}

const isOwn = (topology: HostTopology, address: string): boolean => prepareTopology(topology).own.has(normaliseAddress(address));

/**
 * Why the service runs on the registry's host, or undefined: its `host_id` says so, or (without
 * one) its host is loopback or one of its addresses is one of ours. A local address alone says
 * nothing: every host has one.
 */
export function serviceOnRegistryHost(service: Service, topology: HostTopology): string | undefined {
  if (service.hostId !== undefined) return service.hostId === topology.hostId ? `its host_id ${service.hostId} is this host` : undefined;
  if (classifyIp(service.host).network === 'local') return `its host ${service.host} is loopback`;
  const { lan, wireguard, public: pub } = service.addresses;
  const own = [service.host, lan, wireguard, pub].find((a) => a !== undefined && isOwn(topology, a));
  return own === undefined ? undefined : `its address ${own} is on this host`;
}

/** The service's addresses on a network: the declared one, else ours when it runs on this host. */
function candidates(service: Service, kind: NetworkKind, onHost: boolean, topology: HostTopology): readonly string[] {
  const declared = service.addresses[kind];
  if (declared !== undefined) return [declared];
  return onHost ? prepareTopology(topology).addressesOn[kind] : [];
}

function shared(service: Service, kind: SharedNetworkKind, onHost: boolean, topology: HostTopology, place: CallerPlace): Choice | undefined {
  const own = candidates(service, kind, onHost, topology);
  if (own.length === 0) return undefined;
  const callerNets = place.networks.filter((n) => n.kind === kind);
  for (const address of own) {
    const ip = parseIp(withoutZone(address));
    const net = ip === undefined ? undefined : callerNets.find((n) => cidrContains(n.block, ip));
    if (net !== undefined) return { address, network: kind, reason: `caller and service share ${kind} network ${net.cidr} (${net.via})` };
  }
  const first = own[0];
  const peer = callerNets[0];
  if (kind === 'wireguard' && first !== undefined && peer !== undefined) {
    return { address: first, network: kind, reason: `caller and service are both on WireGuard (${peer.via})` };
  }
  return undefined;
}

function sameHost(service: Service, onHost: string | undefined, place: CallerPlace): string | undefined {
  if (place.onRegistryHost && onHost !== undefined) return `caller is on this host (${place.evidence.join('; ')}) and so is the service (${onHost})`;
  if (place.hostId !== undefined && place.hostId === service.hostId) return `caller and service are both on host ${place.hostId}`;
  return undefined;
}

/** The address a caller placed at `place` should use for `service`; pure. */
export function chooseAddress(service: Service, place: CallerPlace, topology: HostTopology): Choice {
  const onHostWhy = serviceOnRegistryHost(service, topology);
  const onHost = onHostWhy !== undefined;
  const local = sameHost(service, onHostWhy, place);
  if (local !== undefined) {
    const loopback = classifyIp(service.host).network === 'local' ? service.host : '127.0.0.1';
    return { address: service.addresses.local ?? loopback, network: 'local', reason: local };
  }
  const viaShared = shared(service, 'lan', onHost, topology, place) ?? shared(service, 'wireguard', onHost, topology, place);
  if (viaShared !== undefined) return viaShared;
  const pub = candidates(service, 'public', onHost, topology)[0];
  const placed = place.evidence.join('; ');
  if (pub !== undefined) return { address: pub, network: 'public', reason: `no LAN or WireGuard network shared with the caller (${placed})` };
  const { network } = classifyIp(service.host, topology.networks);
  return {
    address: service.host,
    network,
    reason: `no network shared with the caller and no public address declared (${placed}); answering the service's primary host`,
  };
}

function endpointsOf(service: Service): EndpointRef[] {
  const primary: EndpointRef = { name: PRIMARY_ENDPOINT, port: service.port, protocol: service.protocol };
  return service.endpoints.length > 0 ? service.endpoints.map((e) => ({ name: e.name, port: e.port, protocol: e.protocol })) : [primary];
}

function findEndpoint(service: Service, name: string | undefined): EndpointRef {
  const all = endpointsOf(service);
  const found = name === undefined ? all[0] : all.find((e) => e.name === name);
  if (found !== undefined) return found;
  if (name === PRIMARY_ENDPOINT) return { name, port: service.port, protocol: service.protocol };
  const names = all.map((e) => e.name);
  throw new RegistryError('not_found', `service '${service.name}' has no endpoint '${name}' (it has: ${names.join(', ')})`, {
    details: { service: service.name, endpoint: name, endpoints: names },
  });
}

const resolved = (service: Service, endpoint: EndpointRef, choice: Choice): ResolvedEndpoint => ({
  service: service.name,
  endpoint: endpoint.name,
  address: choice.address,
  port: endpoint.port,
  protocol: endpoint.protocol,
  network: choice.network,
  reason: choice.reason,
});

/** One endpoint (the first when unnamed) of a service; `not_found` names the endpoints it has. */
export function resolveEndpoint(service: Service, endpoint: string | undefined, place: CallerPlace, topology: HostTopology): ResolvedEndpoint {
  const ref = findEndpoint(service, endpoint);
  return resolved(service, ref, chooseAddress(service, place, topology));
}

/** Every endpoint of a service (its primary one when it declared none). */
export function resolveEndpoints(service: Service, place: CallerPlace, topology: HostTopology): ResolvedEndpoint[] {
  const choice = chooseAddress(service, place, topology);
  return endpointsOf(service).map((e) => resolved(service, e, choice));
}

/** `api-v2` → `API_V2_ADDR`; a name starting with a digit gets a leading `_` (shells require it). */
export function envName(service: string): string {
  const upper = service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return `${/^[0-9]/.test(upper) ? '_' : ''}${upper}_ADDR`;
}

/** `host:port`, with brackets around an IPv6 address. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `<NAME>_ADDR=host:port`, one line per resolved endpoint. */
export const envLine = (r: ResolvedEndpoint): string => `${envName(r.service)}=${hostPort(r.address, r.port)}`;
