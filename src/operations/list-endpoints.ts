import { z } from 'zod';
import { type ResolvedEndpoint, resolveEndpoints } from '../topology/index.js';
import { defineOperation } from './define.js';
import { callerDeclaration, placeFor, requireTopology } from './resolve.js';
import { serviceName, unset } from './schemas.js';
import { notFound } from './update.js';

/** Every endpoint of one service, or of every service, each resolved for the caller. */
export const listEndpoints = defineOperation({
  name: 'list_endpoints',
  role: 'read',
  summary: 'every endpoint of a service (or of all), resolved for this connection',
  input: z.strictObject({ service: unset(serviceName), caller: callerDeclaration }),
  async handle(input, ctx): Promise<readonly ResolvedEndpoint[]> {
    const topology = requireTopology(ctx);
    const place = placeFor(ctx, topology, input.caller);
    if (input.service === undefined) return ctx.store.services.list().flatMap((s) => resolveEndpoints(s, place, topology));
    const service = ctx.store.services.get(input.service);
    if (service === undefined) throw notFound(input.service);
    return resolveEndpoints(service, place, topology);
  },
});
