import { z } from 'zod';
import { applyPatch, patchChangesNothing, type Service, serviceWire } from '../domain/index.js';
import { admitChecks, sameChecks, withChecks } from './checks.js';
import { defineOperation } from './define.js';
import { notFound } from './not-found.js';
import { requestId, serviceName } from './schemas.js';
import { serviceEntryFields, toServicePatch } from './service-fields.js';

/** Change some fields of an existing backend; an absent or null field is left as it is. */
export const update = defineOperation({
  name: 'update',
  role: 'write',
  kind: 'write',
  summary: 'change fields of a registered backend or service entry (update_service)',
  input: z.strictObject({ name: serviceName, ...serviceEntryFields, request_id: requestId }),
  output: serviceWire,
  async handle(input, ctx): Promise<Service> {
    const now = ctx.clock.now();
    const { name } = input;
    const patch = toServicePatch(input);
    admitChecks(input.checks, ctx);
    const { value } = await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(name);
      if (existing === undefined) throw notFound(name);
      if (patchChangesNothing(existing, patch) && sameChecks(existing, input.checks)) return existing;
      const service = withChecks(applyPatch(existing, patch, now, tx.revision), existing, input.checks, now);
      await tx.services.put(service);
      tx.emit({ type: 'ServiceUpdated', service });
      return service;
    });
    return value;
  },
});
