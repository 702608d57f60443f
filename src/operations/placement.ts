/** Where the caller stands, for the topology-aware operations (resolve, list_endpoints, env, get_topology). */
import { z } from 'zod';
import { parseBlock, RegistryError } from '../domain/index.js';
import { type CallerPlace, type HostTopology, placeCaller } from '../topology/index.js';
import type { OperationContext } from './define.js';
import type { ConnectionInfo } from './runtime.js';
import { unset } from './schemas.js';

const addressOrNetwork = z.string().refine((text) => parseBlock(text) !== undefined, 'must be an IP address, optionally with a /prefix');

/** What a caller may declare about itself to refine placement (README "Topology and resolution"). */
export const callerDeclaration = unset(
  z.strictObject({
    host_id: unset(z.string().min(1).max(253)),
    addresses: unset(z.array(addressOrNetwork).max(32, 'must have at most 32 addresses')),
  }),
);

export type CallerDeclaration = z.output<typeof callerDeclaration>;

/** This host's topology, or `unavailable` when the server runs without topology detection. */
export function requireTopology(ctx: OperationContext): HostTopology {
  const topology = ctx.runtime.topology;
  if (topology === undefined) throw new RegistryError('unavailable', 'topology detection is not running on this server');
  return topology.current();
}

/**
 * Each connection's place as of a topology snapshot. A connection's addresses and declaration do
 * not change, so a caller that declares nothing in its requests is placed once per rescan.
 */
const placements = new WeakMap<ConnectionInfo, { readonly topology: HostTopology; readonly place: CallerPlace }>();

/** Places the caller from its connection, what it declared at connect, and what it declares in this request. */
export function placeFor(ctx: OperationContext, topology: HostTopology, caller: CallerDeclaration): CallerPlace {
  const { connection } = ctx;
  const declaresNothing = caller?.host_id === undefined && (caller?.addresses ?? []).length === 0;
  const known = declaresNothing ? placements.get(connection) : undefined;
  if (known?.topology === topology) return known.place;
  const { remoteAddress, localAddress, declared } = connection;
  const hostId = caller?.host_id ?? declared?.hostId;
  const addresses = [...(declared?.addresses ?? []), ...(caller?.addresses ?? [])];
  const place = placeCaller(topology, {
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
    ...(localAddress === undefined ? {} : { localAddress }),
    ...(hostId === undefined ? {} : { hostId }),
    addresses,
  });
  if (declaresNothing) placements.set(connection, { topology, place });
  return place;
}
