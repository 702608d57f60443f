import { z } from 'zod';
import { releaseOwner } from '../ipam/index.js';
import { catalogOf } from './networks.js';
import { defineOperation } from './define.js';
import { serviceName } from './schemas.js';
import { notFound } from './not-found.js';

/** Remove a backend; Plexus `delete` and `deregister` both land here. The addresses it holds are released in the same write. */
export const deregister = defineOperation({
  name: 'deregister',
  role: 'write',
  summary: 'remove a registered backend',
  input: z.strictObject({ name: serviceName }),
  async handle(input, ctx): Promise<{ readonly name: string }> {
    const catalog = ctx.runtime.networks === undefined ? undefined : catalogOf(ctx);
    await ctx.store.write(async (tx) => {
      const existing = await tx.services.get(input.name);
      if (existing === undefined) throw notFound(input.name);
      await tx.services.delete(input.name);
      tx.emit({ type: 'ServiceDeregistered', service: existing });
      await releaseOwner(tx, input.name, (network) => catalog?.get(network));
    });
    return { name: input.name };
  },
});
