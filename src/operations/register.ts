import { z } from 'zod';
import { asServiceId, DEFAULT_TTL_SECONDS, registeredWire, type Service } from '../domain/index.js';
import { admitChecks } from './checks.js';
import { defineOperation } from './define.js';
import { registerByName } from './registration.js';
import { hostName, portNumber, requestId, serviceName } from './schemas.js';
import { serviceEntryFields } from './service-fields.js';

/** The Plexus keys: the same schemas as a service entry's, with host and port required. */
const { protocol, description, namespace, version, metadata, tags, ttl, checks } = serviceEntryFields;

export interface RegisterOutput {
  readonly service: Service;
  /** False when the name existed and the registration replaced its definition (an idempotent upsert). */
  readonly created: boolean;
}

/**
 * Register a backend or service by name. Registering a known name again replaces its whole
 * definition, as Consul's register and etcd's put do: a field not given takes its default
 * (`protocol` ws, `ttl` 90, no checks). The id, `created_at` and `registered_at` stay, and the
 * registration counts as a sign of life. `update` is the call that changes some fields only.
 */
export const register = defineOperation({
  name: 'register',
  role: 'write',
  kind: 'write',
  summary: 'register a backend (an idempotent upsert by name that replaces its definition)',
  input: z.strictObject({ name: serviceName, host: hostName, port: portNumber, protocol, description, namespace, version, metadata, tags, ttl, checks, request_id: requestId }),
  output: registeredWire,
  async handle(input, ctx): Promise<RegisterOutput> {
    const { ttl, name, checks: declared, request_id: _requestId, ...fields } = input;
    admitChecks(declared, ctx);
    const registration = {
      name,
      source: 'manual' as const,
      fields: { ttlSeconds: ttl ?? DEFAULT_TTL_SECONDS, ...fields },
      ...(declared === undefined ? {} : { checks: declared }),
      mode: 'replace' as const,
      signOfLife: true,
    };
    const { value } = await ctx.store.write((tx) => registerByName(tx, registration, { now: ctx.clock.now(), newId: () => asServiceId(ctx.newId()) }));
    return value;
  },
});
