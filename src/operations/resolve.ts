import { z } from 'zod';
import { parseBlock, RegistryError } from '../domain/index.js';
import { type CallerPlace, type HostTopology, placeCaller, type ResolvedEndpoint, resolveEndpoint } from '../topology/index.js';
import { requireHealthy } from './checks.js';
import { defineOperation, type OperationContext } from './define.js';
import type { ConnectionInfo } from './runtime.js';
import { serviceName, unset } from './schemas.js';
import { notFound } from './update.js';

const addressOrNetwork = z.string().refine((text) => parseBlock(text) !== undefined, 'must be an IP address, optionally with a /prefix');

/** What a caller may declare about itself to refine placement (DESIGN §8). */
export const callerDeclaration = unset(
  z.strictObject({
    host_id: unset(z.string().min(1).max(253)),
    addresses: unset(z.array(addressOrNetwork).max(32, 'must have at most 32 addresses')),
  }),
);

export type CallerDeclaration = z.output<typeof callerDeclaration>;

/** The endpoint names a service may have (the schema of register_service's endpoints). */
export const endpointName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, "_" or "-"');

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

/**
 * The address of a service the caller can reach from where it stands, with the network and the
 * reason. A service whose TTL ran out or whose checks are critical is refused unless `include_unhealthy`.
 */
export const resolve = defineOperation({
  name: 'resolve',
  role: 'read',
  summary: 'the address of a service endpoint the caller can reach, for this connection',
  input: z.strictObject({ service: serviceName, endpoint: unset(endpointName), caller: callerDeclaration, include_unhealthy: unset(z.boolean()) }),
  async handle(input, ctx): Promise<ResolvedEndpoint> {
    const topology = requireTopology(ctx);
    const service = ctx.store.services.get(input.service);
    if (service === undefined) throw notFound(input.service);
    // Never a dead address: an unhealthy service is `unavailable`, with its failing checks in details.
    requireHealthy(service, ctx.clock.now(), input.include_unhealthy);
    return resolveEndpoint(service, input.endpoint, placeFor(ctx, topology, input.caller), topology);
  },
});
