import { z } from 'zod';
import { pingWire, signOfLife } from '../domain/index.js';
import { defineOperation } from './define.js';
import { requestId, serviceName } from './schemas.js';

export interface PingOutput {
  readonly name: string;
  readonly success: boolean;
  readonly message: string;
}

/**
 * A sign of life: moves `lastSeen`. Only a ping that brings an inactive service back is an
 * event (HealthChanged); routine pings spend no revision, so they do not flood the event log.
 */
export const ping = defineOperation({
  name: 'ping',
  role: 'write',
  kind: 'write',
  summary: 'record a sign of life for a backend',
  input: z.strictObject({ name: serviceName, request_id: requestId }),
  output: pingWire,
  async handle(input, ctx): Promise<PingOutput> {
    const now = ctx.clock.now();
    const { value } = await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(input.name);
      if (existing === undefined) return { name: input.name, success: false, message: `backend '${input.name}' not found` };
      // Back from expiry (derived, or already announced by the TTL sweeper): that is an event.
      const { service, event } = signOfLife(existing, now, tx.revision);
      await tx.services.put(service);
      if (event !== undefined) tx.emit(event);
      return { name: input.name, success: true, message: 'health check timestamp updated' };
    });
    return value;
  },
});
