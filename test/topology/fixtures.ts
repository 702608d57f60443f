import { asRevision, asServiceId, newService, parseCidr, type Service, type ServiceFields, type TopologyAddress } from '../../src/domain/index.js';
import { type ConfiguredNetwork, configuredNetworks, type HostTopology, type SharedNetworkKind } from '../../src/topology/index.js';

/** Configured networks as the server hands them to topology: parsed once (here from test text), then shown by configuredNetworks(). */
export function configured(...networks: readonly { readonly name: string; readonly kind: SharedNetworkKind; readonly cidr: string }[]): ConfiguredNetwork[] {
  return configuredNetworks(
    networks.map(({ name, kind, cidr }) => {
      const parsed = parseCidr(cidr);
      if (!parsed.ok) throw new Error(`bad test network ${cidr}: ${parsed.reason}`);
      return { name, kind, cidr: parsed.cidr };
    }),
  );
}

const address = (iface: string, addr: string, cidr: string, network: TopologyAddress['network']): TopologyAddress => ({
  interface: iface,
  address: addr,
  family: addr.includes(':') ? 'IPv6' : 'IPv4',
  network,
  reason: 'fixture',
  cidr,
});

/** Host A of the e2e picture: loopback, a LAN, a WireGuard tunnel, and the veth that carries the tunnel. */
export const hostA: HostTopology = {
  hostId: 'host-a',
  addresses: [
    address('lo', '127.0.0.1', '127.0.0.0/8', 'local'),
    address('lo', '::1', '::1/128', 'local'),
    address('vethAB', '10.231.1.1', '10.231.1.0/24', 'lan'),
    address('vethAC', '10.231.2.1', '10.231.2.0/24', 'lan'),
    address('wgA', '10.232.0.1', '10.232.0.1/32', 'wireguard'),
    address('eth9', '198.51.100.10', '198.51.100.0/24', 'public'),
  ],
  networks: [],
  scannedAt: 0,
};

export function service(name: string, fields: Partial<ServiceFields> = {}): Service {
  return newService(
    { host: '10.231.1.1', port: 8080, ...fields },
    { id: asServiceId(`id-${name}`), name, source: 'manual', now: 0, revision: asRevision(1) },
  );
}
