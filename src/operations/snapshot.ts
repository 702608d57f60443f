import { z } from 'zod';
import { snapshotWire, type SnapshotWire } from '../domain/index.js';
import { snapshotDocument } from '../store/index.js';
import { defineOperation } from './define.js';
import { readConsistency } from './schemas.js';

/**
 * The whole state at one revision, for `registry snapshot save`: the services with their checks,
 * the IP allocations and allocator state, the tokens (hashed), the deployment log and the
 * revision. Taken from memory in one go, so it is consistent; by default after this server has
 * applied every commit made before the call (any server's). Admin: it holds the token hashes.
 */
export const snapshot = defineOperation({
  name: 'snapshot',
  role: 'admin',
  kind: 'read',
  summary: 'the whole state at one revision (a consistent online export for registry snapshot save)',
  input: z.strictObject({ consistency: readConsistency }),
  output: snapshotWire,
  async handle(_input, ctx): Promise<SnapshotWire> {
    return snapshotDocument(ctx.store.snapshot(), ctx.clock.now());
  },
});
