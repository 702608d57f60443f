import { RegistryError } from '../domain/index.js';
import type { WriteTx } from '../store/index.js';
import { allocateAddress } from './allocate.js';
import { type IpNetworkKind, type Network, networkSetIssues } from './network.js';

/** The configured networks, compiled once per configuration. */
export interface NetworkCatalog {
  readonly networks: readonly Network[];
  get(name: string): Network | undefined;
  /** The network by name, or `not_found` naming the ones there are. */
  require(name: string): Network;
}

const catalogs = new WeakMap<readonly Network[], NetworkCatalog>();

/**
 * Indexes the configured networks by name, once per list (the configuration compiled them when
 * it parsed `[[network]]`, and hands out the same frozen array until a reload replaces it). The
 * configuration checked the list already; a list that still breaks a list-wide rule is a bug in
 * whoever built it and is reported as `config_invalid`.
 */
export function networkCatalog(networks: readonly Network[]): NetworkCatalog {
  const cached = catalogs.get(networks);
  if (cached !== undefined) return cached;
  const issues = networkSetIssues(networks);
  if (issues.length > 0) {
    const text = issues.map((issue) => `network[${issue.index}].${issue.field}: ${issue.message}`).join('; ');
    throw new RegistryError('config_invalid', `invalid networks: ${text}`, { details: { issues } });
  }
  const byName = new Map(networks.map((network) => [network.name, network]));
  const catalog: NetworkCatalog = {
    networks,
    get: (name) => byName.get(name),
    require(name) {
      const network = byName.get(name);
      if (network !== undefined) return network;
      const known = networks.map((n) => n.name).join(', ') || 'none';
      throw new RegistryError('not_found', `network '${name}' is not configured (configured: ${known})`, {
        details: { network: name },
      });
    },
  };
  catalogs.set(networks, catalog);
  return catalog;
}

/**
 * Allocates one address per named network to a service (owner = the service name), in the
 * service's own write. Returns the addresses by network kind, as a service record holds them.
 */
export async function allocateServiceAddresses(
  tx: WriteTx,
  catalog: NetworkCatalog,
  request: { readonly owner: string; readonly networks: readonly string[]; readonly now: number },
): Promise<Partial<Record<IpNetworkKind, string>>> {
  const addresses: Partial<Record<IpNetworkKind, string>> = {};
  for (const name of request.networks) {
    const network = catalog.require(name);
    const { allocation } = await allocateAddress(tx, { network, owner: request.owner, now: request.now });
    addresses[network.kind] = allocation.address;
  }
  return addresses;
}

/** Two requested networks of one kind would compete for one address field of the record. */
export function kindClash(catalog: NetworkCatalog, names: readonly string[]): string | undefined {
  const byKind = new Map<IpNetworkKind, string>();
  for (const name of names) {
    const network = catalog.require(name);
    const other = byKind.get(network.kind);
    if (other !== undefined && other !== name) {
      return `networks '${other}' and '${name}' are both of kind ${network.kind}; a service holds one ${network.kind} address`;
    }
    byKind.set(network.kind, name);
  }
  return undefined;
}
