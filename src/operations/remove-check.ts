import { z } from 'zod';
import { CHECK_NAME_PATTERN, removedCheckWire, type Service } from '../domain/index.js';
import { defineOperation } from './define.js';
import { requestId, serviceName } from './schemas.js';
import { notFound } from './not-found.js';

/** Removes one check of a service by name; `removed: false` when it had none of that name. */
export const removeCheck = defineOperation({
  name: 'remove_check',
  role: 'write',
  kind: 'write',
  summary: 'remove a health check from a service',
  input: z.strictObject({ service: serviceName, check: z.string().regex(CHECK_NAME_PATTERN, 'must be a check name'), request_id: requestId }),
  output: removedCheckWire,
  async handle(input, ctx): Promise<{ readonly service: string; readonly check: string; readonly removed: boolean }> {
    const now = ctx.clock.now();
    const { value } = await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(input.service);
      if (existing === undefined) throw notFound(input.service);
      const checks = (existing.checks ?? []).filter((c) => c.name !== input.check);
      if (checks.length === (existing.checks ?? []).length) return false;
      const service: Service = { ...existing, checks, updatedAt: now, revision: tx.revision };
      await tx.services.put(service);
      tx.emit({ type: 'ServiceUpdated', service });
      return true;
    });
    return { service: input.service, check: input.check, removed: value };
  },
});
