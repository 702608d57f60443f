import { z } from 'zod';
import { asServiceId, applyPatch, DEFAULT_TTL_SECONDS, newService, RegistryError, type Service } from '../domain/index.js';
import { allocateServiceAddresses } from '../ipam/index.js';
import { allocateList, serviceAllocation } from './networks.js';
import { admitChecks, withChecks } from './checks.js';
import { defineOperation } from './define.js';
import type { RegisterOutput } from './register.js';
import { serviceName, unset } from './schemas.js';
import { primaryOf, serviceEntryFields, toServicePatch } from './service-fields.js';

/**
 * Register a service entry with its endpoints and addresses per network (seed A). Like
 * `register`, an upsert by name; host/port may be left out when endpoints and addresses say them.
 * `allocate: ["wg0"]` takes an address in each named network (owner: the service) in the same
 * write, and puts it in the record's addresses under the network's kind (`wireguard`, `lan`).
 */
export const registerService = defineOperation({
  name: 'register_service',
  role: 'write',
  summary: 'register a service entry with endpoints and addresses per network',
  input: z.strictObject({ name: serviceName, ...serviceEntryFields, allocate: unset(allocateList) }),
  async handle(input, ctx): Promise<RegisterOutput> {
    const now = ctx.clock.now();
    admitChecks(input.checks, ctx);
    const catalog = serviceAllocation(ctx, input.allocate, input.addresses);
    const given = { ttlSeconds: DEFAULT_TTL_SECONDS, ...toServicePatch(input) };
    // With `allocate`, the host may come from an address allocated inside the write: only the port must be known now.
    const port = given.port ?? given.endpoints?.[0]?.port;
    if (primaryOf(given) === undefined && (catalog === undefined || port === undefined)) throw portRequired();
    const { value } = await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(input.name);
      const allocated =
        catalog === undefined ? {} : await allocateServiceAddresses(tx, catalog, { owner: input.name, networks: input.allocate ?? [], now });
      const patch = catalog === undefined ? given : { ...given, addresses: { ...(given.addresses ?? existing?.addresses), ...allocated } };
      const primary = primaryOf(patch);
      if (primary === undefined) throw portRequired();
      if (existing === undefined) {
        const fresh = newService(
          { ...patch, ...primary },
          { id: asServiceId(ctx.newId()), name: input.name, source: 'manual', now, revision: tx.revision },
        );
        const service = withChecks(fresh, undefined, input.checks, now);
        await tx.services.put(service);
        tx.emit({ type: 'ServiceRegistered', service });
        return { service, created: true };
      }
      const patched: Service = { ...applyPatch(existing, { ...patch, ...primary }, now, tx.revision), source: 'manual', lastSeen: now };
      const service = withChecks(patched, existing, input.checks, now);
      await tx.services.put(service);
      tx.emit({ type: 'ServiceUpdated', service });
      return { service, created: false };
    });
    return value;
  },
});

const portRequired = (): RegistryError =>
  new RegistryError('invalid_params', 'invalid params: port: required unless endpoints are given', {
    details: { fields: [{ path: 'port', message: 'required unless endpoints are given' }] },
  });
