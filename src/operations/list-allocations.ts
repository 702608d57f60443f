import { z } from 'zod';
import { allocationListWire, compareAddresses } from '../domain/index.js';
import { type AllocationOutput, allocationOutput } from './allocate-ip.js';
import { catalogOf, networkName } from './networks.js';
import { defineOperation } from './define.js';
import { readConsistency, unset } from './schemas.js';

/** Held addresses, of one network or all, ordered by network then address; served from memory. */
export const listAllocations = defineOperation({
  name: 'list_allocations',
  role: 'read',
  kind: 'read',
  summary: 'list allocated IP addresses, of one network or all',
  input: z.strictObject({ network: unset(networkName), consistency: readConsistency }),
  output: allocationListWire,
  async handle(input, ctx): Promise<readonly AllocationOutput[]> {
    // A network absent from the configuration still lists what it holds, so it can be cleaned up.
    if (input.network !== undefined && ctx.store.allocations.count(input.network) === 0) catalogOf(ctx).require(input.network);
    return ctx.store.allocations
      .list(input.network)
      .map(allocationOutput)
      .sort((a, b) => (a.network < b.network ? -1 : a.network > b.network ? 1 : compareAddresses(a.address, b.address)));
  },
});
