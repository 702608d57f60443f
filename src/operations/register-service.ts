import { z } from 'zod';
import { asServiceId, DEFAULT_TTL_SECONDS, registeredWire, RegistryError } from '../domain/index.js';
import { allocateServiceAddresses } from '../ipam/index.js';
import { admitChecks } from './checks.js';
import { defineOperation } from './define.js';
import { allocateList, serviceAllocation } from './networks.js';
import type { RegisterOutput } from './register.js';
import { registerByName } from './registration.js';
import { requestId, serviceName, unset } from './schemas.js';
import { primaryOf, serviceEntryFields, toServicePatch } from './service-fields.js';

/**
 * Register a service entry with its endpoints and addresses per network (seed A). Like
 * `register`, an upsert by name that replaces the whole definition; host/port may be left out
 * when endpoints and addresses say them. `allocate: ["wg0"]` takes an address in each named
 * network (owner: the service) in the same write, and puts it in the record's addresses under
 * the network's kind (`wireguard`, `lan`).
 */
export const registerService = defineOperation({
  name: 'register_service',
  role: 'write',
  kind: 'write',
  summary: 'register a service entry with endpoints and addresses per network',
  input: z.strictObject({ name: serviceName, ...serviceEntryFields, allocate: unset(allocateList), request_id: requestId }),
  output: registeredWire,
  async handle(input, ctx): Promise<RegisterOutput> {
    const now = ctx.clock.now();
    admitChecks(input.checks, ctx);
    const catalog = serviceAllocation(ctx, input.allocate, input.addresses);
    const given = { ttlSeconds: DEFAULT_TTL_SECONDS, ...toServicePatch(input) };
    // With `allocate`, the host may come from an address allocated inside the write: only the port must be known now.
    const port = given.port ?? given.endpoints?.[0]?.port;
    if (primaryOf(given) === undefined && (catalog === undefined || port === undefined)) throw portRequired();
    const { value } = await ctx.store.write(async (tx) => {
      const allocated =
        catalog === undefined ? {} : await allocateServiceAddresses(tx, catalog, { owner: input.name, networks: input.allocate ?? [], now });
      const fields = catalog === undefined ? given : { ...given, addresses: { ...given.addresses, ...allocated } };
      const primary = primaryOf(fields);
      if (primary === undefined) throw portRequired();
      const registration = {
        name: input.name,
        source: 'manual' as const,
        fields: { ...fields, ...primary },
        ...(input.checks === undefined ? {} : { checks: input.checks }),
        mode: 'replace' as const,
        signOfLife: true,
      };
      return registerByName(tx, registration, { now, newId: () => asServiceId(ctx.newId()) });
    });
    return value;
  },
});

const portRequired = (): RegistryError =>
  new RegistryError('invalid_params', 'invalid params: port: required unless endpoints are given', {
    details: { fields: [{ path: 'port', message: 'required unless endpoints are given' }] },
  });
