import { z } from 'zod';
import { type ResolvedEndpoint, resolveEndpoints } from '../topology/index.js';
import { isActive, resolvedEndpointListWire } from '../domain/index.js';
import { requireHealthy } from './checks.js';
import { defineOperation } from './define.js';
import { callerDeclaration, placeFor, requireTopology } from './placement.js';
import { readConsistency, serviceName, unset } from './schemas.js';
import { notFound } from './not-found.js';

/**
 * Every endpoint of one service, or of every service, each resolved for the caller. Unhealthy
 * services are left out (a named one is `unavailable`) unless `include_unhealthy`.
 */
export const listEndpoints = defineOperation({
  name: 'list_endpoints',
  role: 'read',
  kind: 'read',
  summary: 'every endpoint of a service (or of all), resolved for this connection',
  input: z.strictObject({ service: unset(serviceName), caller: callerDeclaration, include_unhealthy: unset(z.boolean()), consistency: readConsistency }),
  output: resolvedEndpointListWire,
  async handle(input, ctx): Promise<readonly ResolvedEndpoint[]> {
    const topology = requireTopology(ctx);
    const place = placeFor(ctx, topology, input.caller);
    const now = ctx.clock.now();
    if (input.service === undefined) {
      const served = ctx.store.services.list().filter((s) => input.include_unhealthy === true || isActive(s, now));
      return served.flatMap((s) => resolveEndpoints(s, place, topology));
    }
    const service = ctx.store.services.get(input.service);
    if (service === undefined) throw notFound(input.service);
    return resolveEndpoints(requireHealthy(service, now, input.include_unhealthy), place, topology);
  },
});
