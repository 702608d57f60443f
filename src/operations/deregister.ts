import { z } from 'zod';
import { deregisteredWire, type Service } from '../domain/index.js';
import { type Network, networkCatalog, releaseOwner } from '../ipam/index.js';
import type { WriteTx } from '../store/index.js';
import { defineOperation } from './define.js';
import { notFound } from './not-found.js';
import { requestId, serviceName } from './schemas.js';

/**
 * Removes a service inside a write: the record, its ServiceDeregistered, and the addresses it
 * holds in `networks` (the `[[network]]`s in force). `deregister` and a check's
 * `deregister_critical_after` both end here.
 */
export async function removeService(tx: WriteTx, service: Service, networks: readonly Network[] = []): Promise<void> {
  const catalog = networkCatalog(networks);
  await tx.services.delete(service.name);
  tx.emit({ type: 'ServiceDeregistered', service });
  await releaseOwner(tx, service.name, (network) => catalog.get(network));
}

/** Remove a backend; Plexus `delete` and `deregister` both land here. The addresses it holds are released in the same write. */
export const deregister = defineOperation({
  name: 'deregister',
  role: 'write',
  kind: 'write',
  summary: 'remove a registered backend',
  input: z.strictObject({ name: serviceName, request_id: requestId }),
  output: deregisteredWire,
  async handle(input, ctx): Promise<{ readonly name: string }> {
    const networks = ctx.runtime.networks?.();
    await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(input.name);
      if (existing === undefined) throw notFound(input.name);
      await removeService(tx, existing, networks);
    });
    return { name: input.name };
  },
});
