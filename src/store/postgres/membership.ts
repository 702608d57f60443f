import { randomUUID } from 'node:crypto';
import { asRevision, type Revision } from '../../domain/index.js';
import { DEFAULT_MEMBER_RETENTION_MS, type MemberIdentity, type MemberRecord, type Membership } from '../types.js';
import { corrupt, integerOf, rowOf, textOf } from './codec.js';
import type { CommitFollower } from './follower.js';
import { LOCK_KEYS } from './migrations.js';
import { type Queryable, select } from './sql.js';

const LIVE_LOCKS = `SELECT objid::bigint AS lock FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = $1::bigint::oid`;

/** What the store adds to a server's identity: how far it is, and what periodic work it holds. */
export interface MemberState {
  readonly revision: Revision;
  readonly sweeps: boolean;
  readonly shards: readonly number[];
}

/** The `report` column: the identity and the state, as JSON. */
type Report = MemberIdentity & MemberState;

function decodeReport(value: unknown): Report {
  const row = rowOf(value, 'member report');
  const { address, hostId, settings } = row;
  const shards = Array.isArray(row.shards) ? row.shards.filter((shard): shard is number => Number.isSafeInteger(shard)) : [];
  if (typeof address !== 'string' || typeof hostId !== 'string' || typeof settings !== 'string' || typeof row.sweeps !== 'boolean') {
    throw corrupt('member report', value);
  }
  const number = (key: string): number => integerOf(row[key], 'member report');
  return { address, hostId, settings, pid: number('pid'), startedAt: number('startedAt'), revision: asRevision(number('revision')), sweeps: row.sweeps, shards };
}

/**
 * The servers sharing a PostgreSQL database: a row each in `members`, rewritten at every
 * heartbeat, and a session advisory lock on the follower's session (the one that holds the sweep
 * lock and the check shards), so a server whose session ends shows as not live at once.
 */
export class PostgresMembership implements Membership {
  readonly id = randomUUID();
  /** The second key of this server's member lock; a new one if another server happens to hold it. */
  #lock = randomLockNumber();
  #lockedEpoch = -1;

  constructor(
    private readonly pool: Queryable,
    private readonly follower: CommitFollower,
    private readonly state: () => MemberState,
    private readonly clock: { now(): number },
  ) {}

  async heartbeat(identity: MemberIdentity): Promise<void> {
    await this.#holdLock();
    const now = this.clock.now();
    const report: Report = { ...identity, ...this.state() };
    await select(
      this.pool,
      `INSERT INTO members (id, lock, last_seen, report) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET lock = excluded.lock, last_seen = excluded.last_seen, report = excluded.report`,
      [this.id, this.#lock, now, JSON.stringify(report)],
    );
    // A restart of the same server (same address and host) replaces the row of its last life.
    await select(
      this.pool,
      `DELETE FROM members WHERE last_seen < $1
         OR (id <> $2 AND report::jsonb->>'address' = $3 AND report::jsonb->>'hostId' = $4 AND lock <> ALL (SELECT objid::int FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $5::bigint::oid))`,
      [now - DEFAULT_MEMBER_RETENTION_MS, this.id, identity.address, identity.hostId, LOCK_KEYS.members],
    );
  }

  async list(): Promise<readonly MemberRecord[]> {
    const live = await this.#liveLocks();
    const rows = await select(this.pool, 'SELECT id, lock, last_seen, report FROM members ORDER BY id', []);
    const state = this.state();
    const members = rows.map((value): MemberRecord => {
      const row = rowOf(value, 'members row');
      const id = textOf(row, 'id', 'members row');
      const report = decodeReport(JSON.parse(textOf(row, 'report', 'members row')));
      const self = id === this.id;
      const { revision, sweeps, shards } = self ? state : report;
      return { ...report, id, self, live: live.has(integerOf(row.lock, 'members row')), lastSeen: integerOf(row.last_seen, 'members row'), revision, sweeps, shards };
    });
    return members.sort((a, b) => Number(b.self) - Number(a.self) || a.address.localeCompare(b.address));
  }

  async live(): Promise<ReadonlySet<string>> {
    const live = await this.#liveLocks();
    const rows = await select(this.pool, 'SELECT id, lock FROM members', []);
    return new Set(rows.flatMap((value) => {
      const row = rowOf(value, 'members row');
      return live.has(integerOf(row.lock, 'members row')) ? [textOf(row, 'id', 'members row')] : [];
    }));
  }

  async #liveLocks(): Promise<Set<number>> {
    const rows = await select(this.pool, LIVE_LOCKS, [LOCK_KEYS.members]);
    return new Set(rows.map((row) => integerOf(rowOf(row, 'pg_locks row').lock, 'pg_locks row')));
  }

  /** Takes this server's member lock on the follower's session, once per session. */
  async #holdLock(): Promise<void> {
    const session = this.follower.session();
    if (session === undefined || session.epoch === this.#lockedEpoch) return;
    for (let attempt = 0; attempt < 8; attempt++) {
      const [row] = await select(session.client, 'SELECT pg_try_advisory_lock($1::int, $2::int) AS held', [LOCK_KEYS.members, this.#lock]);
      if (typeof row === 'object' && row !== null && 'held' in row && row.held === true) {
        this.#lockedEpoch = session.epoch;
        return;
      }
      this.#lock = randomLockNumber();
    }
  }
}

const randomLockNumber = (): number => 1 + Math.floor(Math.random() * 0x7fff_fffe);
