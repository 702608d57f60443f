import { z } from 'zod';
import { allocationWire, canonicalIp, RegistryError } from '../domain/index.js';
import { releaseAllocation } from '../ipam/index.js';
import { type AllocationOutput, allocationOutput } from './allocate-ip.js';
import { catalogOf, ipText, networkName, ownerName } from './networks.js';
import { defineOperation } from './define.js';
import { requestId, unset } from './schemas.js';

/**
 * Give an address back, named by its owner or by the address itself (exactly one). A network
 * no longer in the configuration can still be cleaned up; the address is simply not reused.
 */
export const releaseIp = defineOperation({
  name: 'release_ip',
  role: 'write',
  kind: 'write',
  summary: 'release an allocated IP address, by owner or by address',
  input: z
    .strictObject({ network: networkName, owner: unset(ownerName), ip: unset(ipText), request_id: requestId })
    .superRefine((input, ctx) => {
      if ((input.owner === undefined) === (input.ip === undefined)) {
        const got = input.owner === undefined ? 'neither was given' : 'both were given';
        ctx.addIssue({ code: 'custom', path: ['owner'], message: `give exactly one of owner or ip (${got})` });
      }
    }),
  output: allocationWire,
  async handle(input, ctx): Promise<AllocationOutput> {
    const network = catalogOf(ctx).get(input.network);
    const { value } = await ctx.store.write(async (tx) => {
      const held =
        input.owner !== undefined
          ? await tx.allocations.byOwner(input.network, input.owner)
          : await tx.allocations.byAddress(input.network, canonicalIp(input.ip ?? '') ?? '');
      if (held === undefined) {
        const what = input.owner !== undefined ? `'${input.owner}' holds no address` : `${input.ip ?? ''} is not allocated`;
        const known = network !== undefined || ctx.store.allocations.count(input.network) > 0;
        const where = known ? ` in network ${input.network}` : `: network '${input.network}' is not configured`;
        throw new RegistryError('not_found', `${what}${where}`, {
          details: { network: input.network, ...(input.owner === undefined ? { ip: input.ip } : { owner: input.owner }) },
        });
      }
      await releaseAllocation(tx, held, network);
      return held;
    });
    return allocationOutput(value);
  },
});
