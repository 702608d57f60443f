import { z } from 'zod';
import { type Revision, type Role, statusWire } from '../domain/index.js';
import type { HealthStats } from '../health/index.js';
import { defineOperation } from './define.js';
import { readConsistency } from './schemas.js';

/** Snake_case like every other operation output on the wire. */
export interface StatusOutput {
  readonly revision: Revision;
  readonly compact_revision: Revision;
  readonly services: number;
  readonly store: 'sqlite' | 'postgres';
  readonly uptime_seconds: number;
  readonly role: Role;
  /** The health-check scheduler of this server, when it runs one. */
  readonly health?: HealthStats;
}

export const status = defineOperation({
  name: 'status',
  role: 'read',
  kind: 'read',
  summary: 'the server revision, size and uptime',
  input: z.strictObject({ consistency: readConsistency }),
  output: statusWire,
  async handle(_input, ctx): Promise<StatusOutput> {
    return {
      revision: ctx.store.revision,
      compact_revision: ctx.store.compactRevision,
      services: ctx.store.services.size,
      store: ctx.store.kind,
      uptime_seconds: Math.floor((ctx.clock.now() - ctx.startedAt) / 1000),
      role: ctx.principal.role,
      ...(ctx.runtime.health === undefined ? {} : { health: ctx.runtime.health.stats() }),
    };
  },
});
