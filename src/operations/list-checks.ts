import { z } from 'zod';
import { checkRowListWire, type CheckStanding, standingChecks } from '../domain/index.js';
import { defineOperation } from './define.js';
import { readConsistency, serviceName, unset } from './schemas.js';
import { notFound } from './not-found.js';

export interface CheckRow {
  readonly service: string;
  readonly check: CheckStanding;
}

/** Every check of one service or of all, with where it stands; a service's TTL shows as check `ttl`. */
export const listChecks = defineOperation({
  name: 'list_checks',
  role: 'read',
  kind: 'read',
  summary: 'the health checks of a service (or of all) with their status and last output',
  input: z.strictObject({ service: unset(serviceName), consistency: readConsistency }),
  output: checkRowListWire,
  async handle(input, ctx): Promise<readonly CheckRow[]> {
    const now = ctx.clock.now();
    const named = input.service === undefined ? undefined : ctx.store.services.get(input.service);
    if (input.service !== undefined && named === undefined) throw notFound(input.service);
    const services = named === undefined ? ctx.store.services.list() : [named];
    return services.flatMap((service) => standingChecks(service, now).map((check) => ({ service: service.name, check })));
  },
});
