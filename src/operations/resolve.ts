import { z } from 'zod';
import { resolvedEndpointWire } from '../domain/index.js';
import { type ResolvedEndpoint, resolveEndpoint } from '../topology/index.js';
import { requireHealthy } from './checks.js';
import { defineOperation } from './define.js';
import { notFound } from './not-found.js';
import { callerDeclaration, placeFor, requireTopology } from './placement.js';
import { readConsistency, serviceName, unset } from './schemas.js';

/** The endpoint names a service may have (the schema of register_service's endpoints). */
export const endpointName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, "_" or "-"');

/**
 * The address of a service the caller can reach from where it stands, with the network and the
 * reason. A service whose TTL ran out or whose checks are critical is refused unless `include_unhealthy`.
 */
export const resolve = defineOperation({
  name: 'resolve',
  role: 'read',
  kind: 'read',
  summary: 'the address of a service endpoint the caller can reach, for this connection',
  input: z.strictObject({ service: serviceName, endpoint: unset(endpointName), caller: callerDeclaration, include_unhealthy: unset(z.boolean()), consistency: readConsistency }),
  output: resolvedEndpointWire,
  async handle(input, ctx): Promise<ResolvedEndpoint> {
    const topology = requireTopology(ctx);
    const service = ctx.store.services.get(input.service);
    if (service === undefined) throw notFound(input.service);
    // Never a dead address: an unhealthy service is `unavailable`, with its failing checks in details.
    requireHealthy(service, ctx.clock.now(), input.include_unhealthy);
    return resolveEndpoint(service, input.endpoint, placeFor(ctx, topology, input.caller), topology);
  },
});
