import { z } from 'zod';
import {
  asServiceId,
  applyPatch,
  DEFAULT_TTL_SECONDS,
  newService,
  patchChangesNothing,
  type Service,
  type ServicePatch,
} from '../domain/index.js';
import { admitChecks, sameChecks, withChecks } from './checks.js';
import { defineOperation } from './define.js';
import { hostName, portNumber, serviceName } from './schemas.js';
import { serviceEntryFields } from './service-fields.js';

/** The Plexus keys: the same schemas as a service entry's, with host and port required. */
const { protocol, description, namespace, version, metadata, tags, ttl, checks } = serviceEntryFields;

export interface RegisterOutput {
  readonly service: Service;
  /** False when the name existed and the registration updated it (an idempotent upsert). */
  readonly created: boolean;
}

/** Register a backend or service by name; registering again updates it and counts as a sign of life. */
export const register = defineOperation({
  name: 'register',
  role: 'write',
  summary: 'register a backend (an idempotent upsert by name)',
  input: z.strictObject({ name: serviceName, host: hostName, port: portNumber, protocol, description, namespace, version, metadata, tags, ttl, checks }),
  async handle(input, ctx): Promise<RegisterOutput> {
    const now = ctx.clock.now();
    const { ttl, name, checks: declared, ...fields } = input;
    admitChecks(declared, ctx);
    const patch: ServicePatch = { ...fields, protocol: fields.protocol ?? 'ws', ttlSeconds: ttl ?? DEFAULT_TTL_SECONDS };
    const { value } = await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(name);
      if (existing === undefined) {
        const fresh = newService(
          { ...patch, host: input.host, port: input.port },
          { id: asServiceId(ctx.newId()), name, source: 'manual', now, revision: tx.revision },
        );
        const service = withChecks(fresh, undefined, declared, now);
        await tx.services.put(service);
        tx.emit({ type: 'ServiceRegistered', service });
        return { service, created: true };
      }
      // A runtime registration takes over a file or auto entry: it is now manual (DESIGN §4 priority).
      const expired = existing.health?.status === 'critical';
      if (patchChangesNothing(existing, patch) && sameChecks(existing, declared) && existing.source === 'manual' && !expired) {
        const touched: Service = { ...existing, lastSeen: now };
        await tx.services.put(touched);
        return { service: touched, created: false };
      }
      const revived = expired ? { health: { status: 'passing' as const, checkedAt: now, durationMs: 0 } } : {};
      const patched: Service = { ...applyPatch(existing, patch, now, tx.revision), source: 'manual', lastSeen: now, ...revived };
      const service = withChecks(patched, existing, declared, now);
      await tx.services.put(service);
      tx.emit({ type: 'ServiceUpdated', service });
      return { service, created: false };
    });
    return value;
  },
});
