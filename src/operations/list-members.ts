import { z } from 'zod';
import { memberListWire, type MemberWire, RegistryError } from '../domain/index.js';
import { defineOperation } from './define.js';
import { readConsistency } from './schemas.js';

const seconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * The servers sharing the store, this one first: where each serves, how far it had applied the
 * log when it last reported and how far behind the database that was, whether it runs the TTL
 * sweeps and which health-check shards, and when it was last seen. With SQLite, this server alone.
 */
export const listMembers = defineOperation({
  name: 'list_members',
  role: 'read',
  kind: 'read',
  summary: 'the servers sharing the store: address, applied revision and lag, sweeps, shards, last seen',
  input: z.strictObject({ consistency: readConsistency }),
  output: memberListWire,
  async handle(_input, ctx): Promise<readonly MemberWire[]> {
    const members = ctx.runtime.members;
    if (members === undefined) throw new RegistryError('unavailable', 'this server does not keep a list of members');
    const current = ctx.store.revision;
    return (await members.list()).map((m) => ({
      id: m.id,
      address: m.address,
      host_id: m.hostId,
      pid: m.pid,
      self: m.self,
      live: m.live,
      started_at: seconds(m.startedAt),
      last_seen: seconds(m.lastSeen),
      revision: m.revision,
      lag: Math.max(0, current - m.revision),
      sweeps: m.sweeps,
      shards: [...m.shards],
      settings: m.settings,
    }));
  },
});
