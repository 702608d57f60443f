import { z } from 'zod';
import { allocatedWire } from '../domain/index.js';
import { allocateAddress } from '../ipam/index.js';
import type { IpAllocation } from '../store/index.js';
import { defineOperation } from './define.js';
import { catalogOf, ipText, networkName, ownerName } from './networks.js';
import { requestId, unset } from './schemas.js';

/** An allocation on the wire: snake_case, `allocated_at` in Unix seconds like every wire timestamp. */
export interface AllocationOutput {
  readonly network: string;
  readonly owner: string;
  readonly address: string;
  readonly allocated_at: number;
}

export interface AllocateIpOutput extends AllocationOutput {
  /** False when the owner already held the address: allocation is idempotent per (network, owner). */
  readonly created: boolean;
}

export const allocationOutput = (a: IpAllocation): AllocationOutput => ({
  network: a.network,
  owner: a.owner,
  address: a.address,
  allocated_at: Math.floor(a.allocatedAt / 1000),
});

/** Hand out an address in a configured network: a given `ip`, or the next free one. */
export const allocateIp = defineOperation({
  name: 'allocate_ip',
  role: 'write',
  kind: 'write',
  summary: 'allocate an IP address in a network to an owner (idempotent per owner)',
  input: z.strictObject({ network: networkName, owner: ownerName, ip: unset(ipText), request_id: requestId }),
  output: allocatedWire,
  async handle(input, ctx): Promise<AllocateIpOutput> {
    const network = catalogOf(ctx).require(input.network);
    const now = ctx.clock.now();
    const { value } = await ctx.store.write((tx) =>
      allocateAddress(tx, { network, owner: input.owner, now, ...(input.ip === undefined ? {} : { ip: input.ip }) }),
    );
    return { ...allocationOutput(value.allocation), created: value.created };
  },
});
