import { z } from 'zod';
import { envWire, isActive, type Service } from '../domain/index.js';
import { envLine, resolveEndpoint } from '../topology/index.js';
import { requireHealthy } from './checks.js';
import { defineOperation } from './define.js';
import { callerDeclaration, placeFor, requireTopology } from './placement.js';
import { readConsistency, serviceName, unset } from './schemas.js';
import { notFound } from './not-found.js';

export interface EnvOutput {
  /** `<NAME>_ADDR=host:port`, one per service, in the order asked (by name when none were named). */
  readonly lines: readonly string[];
}

/**
 * Environment lines for the caller: each service's first endpoint resolved from where the caller
 * stands. Named services must exist and be healthy (else `unavailable`); with none named, every
 * active service. `include_unhealthy` serves unhealthy ones too.
 */
export const env = defineOperation({
  name: 'env',
  role: 'read',
  kind: 'read',
  summary: '<NAME>_ADDR=host:port lines resolved for this connection',
  input: z.strictObject({
    services: unset(z.array(serviceName).max(256, 'must name at most 256 services')),
    caller: callerDeclaration,
    include_unhealthy: unset(z.boolean()),
    consistency: readConsistency,
  }),
  output: envWire,
  async handle(input, ctx): Promise<EnvOutput> {
    const topology = requireTopology(ctx);
    const place = placeFor(ctx, topology, input.caller);
    const now = ctx.clock.now();
    const services: Service[] = input.services?.map((name) => {
      const service = ctx.store.services.get(name);
      if (service === undefined) throw notFound(name);
      return requireHealthy(service, now, input.include_unhealthy);
    }) ?? ctx.store.services.list().filter((s) => input.include_unhealthy === true || isActive(s, now));
    return { lines: services.map((s) => envLine(resolveEndpoint(s, undefined, place, topology))) };
  },
});
