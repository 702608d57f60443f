import { z } from 'zod';
import { addedCheckWire, checksUnchanged, declareChecks, definitionOf, RegistryError, type Service, type ServiceCheck } from '../domain/index.js';
import { checkDefinition } from '../health/index.js';
import { admitChecks } from './checks.js';
import { defineOperation } from './define.js';
import { requestId, serviceName } from './schemas.js';
import { notFound } from './not-found.js';

/** The most checks one service may have (the same bound as `checks` of a registration). */
const MAX_CHECKS = 32;

export interface CheckOutput {
  readonly service: string;
  readonly check: ServiceCheck;
}

/** Adds a check to a service, or replaces the one with its name in place (an unchanged one keeps its status). */
export const addCheck = defineOperation({
  name: 'add_check',
  role: 'write',
  kind: 'write',
  summary: 'add a health check to a service, or replace the one of that name',
  input: z.strictObject({ service: serviceName, check: checkDefinition, request_id: requestId }),
  output: addedCheckWire,
  async handle(input, ctx): Promise<CheckOutput> {
    admitChecks([input.check], ctx, 'check');
    const now = ctx.clock.now();
    const { value } = await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(input.service);
      if (existing === undefined) throw notFound(input.service);
      const definitions = (existing.checks ?? []).map(definitionOf);
      const at = definitions.findIndex((d) => d.name === input.check.name);
      if (at < 0 && definitions.length >= MAX_CHECKS) {
        throw new RegistryError('invalid_params', `invalid params: check: service '${input.service}' already has ${MAX_CHECKS} checks`, {
          details: { fields: [{ path: 'check', message: `a service has at most ${MAX_CHECKS} checks` }] },
        });
      }
      const wanted = at < 0 ? [...definitions, input.check] : definitions.map((d, i) => (i === at ? input.check : d));
      const checks = declareChecks(existing.checks, wanted, now);
      const check = checks[at < 0 ? checks.length - 1 : at] ?? checks[0];
      if (check === undefined) throw new Error('a declared check went missing');
      if (checksUnchanged(existing.checks, wanted)) return { service: input.service, check };
      const service: Service = { ...existing, checks, updatedAt: now, revision: tx.revision };
      await tx.services.put(service);
      tx.emit({ type: 'ServiceUpdated', service });
      return { service: input.service, check };
    });
    return value;
  },
});
