import { z } from 'zod';
import { asServiceId, applyPatch, DEFAULT_TTL_SECONDS, newService, RegistryError, type Service } from '../domain/index.js';
import { defineOperation } from './define.js';
import type { RegisterOutput } from './register.js';
import { serviceName } from './schemas.js';
import { primaryOf, serviceEntryFields, toServicePatch } from './service-fields.js';

/**
 * Register a service entry with its endpoints and addresses per network (seed A). Like
 * `register`, an upsert by name; host/port may be left out when endpoints and addresses say them.
 */
export const registerService = defineOperation({
  name: 'register_service',
  role: 'write',
  summary: 'register a service entry with endpoints and addresses per network',
  input: z.strictObject({ name: serviceName, ...serviceEntryFields }),
  async handle(input, ctx): Promise<RegisterOutput> {
    const now = ctx.clock.now();
    const patch = { ttlSeconds: DEFAULT_TTL_SECONDS, ...toServicePatch(input) };
    const primary = primaryOf(patch);
    if (primary === undefined) {
      throw new RegistryError('invalid_params', 'invalid params: port: required unless endpoints are given', {
        details: { fields: [{ path: 'port', message: 'required unless endpoints are given' }] },
      });
    }
    const { value } = await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(input.name);
      if (existing === undefined) {
        const service = newService(
          { ...patch, ...primary },
          { id: asServiceId(ctx.newId()), name: input.name, source: 'manual', now, revision: tx.revision },
        );
        await tx.services.put(service);
        tx.emit({ type: 'ServiceRegistered', service });
        return { service, created: true };
      }
      const service: Service = { ...applyPatch(existing, { ...patch, ...primary }, now, tx.revision), source: 'manual', lastSeen: now };
      await tx.services.put(service);
      tx.emit({ type: 'ServiceUpdated', service });
      return { service, created: false };
    });
    return value;
  },
});
