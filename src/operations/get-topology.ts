import { z } from 'zod';
import { hostTopologyWire } from '../domain/index.js';
import type { HostTopology } from '../topology/index.js';
import { defineOperation } from './define.js';
import { readConsistency } from './schemas.js';
import { requireTopology } from './placement.js';

/** This host's id, its classified addresses and the configured networks, as of the last scan. */
export const getTopology = defineOperation({
  name: 'get_topology',
  role: 'read',
  kind: 'read',
  summary: "this host's classified addresses and host id",
  input: z.strictObject({ consistency: readConsistency }),
  output: hostTopologyWire,
  async handle(_input, ctx): Promise<HostTopology> {
    return requireTopology(ctx);
  },
});
