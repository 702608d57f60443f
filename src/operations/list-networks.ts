import { z } from 'zod';
import { networkListWire } from '../domain/index.js';
import type { IpNetworkKind } from '../ipam/index.js';
import { catalogOf } from './networks.js';
import { defineOperation } from './define.js';
import { readConsistency } from './schemas.js';

/** A configured network and how full it is. Counts are decimal strings: an IPv6 /64 holds 2^64 addresses. */
export interface NetworkOutput {
  readonly name: string;
  readonly kind: IpNetworkKind;
  readonly cidr: string;
  readonly family: 'IPv4' | 'IPv6';
  readonly gateway?: string;
  readonly reserved: readonly string[];
  /** Addresses that may be handed out (the block less network, broadcast, gateway and reserved). */
  readonly capacity: string;
  readonly allocated: number;
  readonly available: string;
}

export const listNetworks = defineOperation({
  name: 'list_networks',
  role: 'read',
  kind: 'read',
  summary: 'list the configured IP networks with their capacity and use',
  input: z.strictObject({ consistency: readConsistency }),
  output: networkListWire,
  async handle(_input, ctx): Promise<readonly NetworkOutput[]> {
    return catalogOf(ctx).networks.map((network) => {
      const allocated = ctx.store.allocations.count(network.name);
      const available = network.capacity - BigInt(allocated);
      const { gateway, reserved = [] } = network.definition;
      return {
        name: network.name,
        kind: network.kind,
        cidr: network.cidr.text,
        family: network.cidr.family === 4 ? 'IPv4' : 'IPv6',
        ...(gateway === undefined ? {} : { gateway }),
        reserved,
        capacity: network.capacity.toString(),
        allocated,
        available: (available < 0n ? 0n : available).toString(),
      };
    });
  },
});
