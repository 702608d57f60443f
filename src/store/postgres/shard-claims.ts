import type pg from 'pg';
import type { ShardClaims } from '../types.js';
import type { CommitFollower } from './follower.js';
import { LOCK_KEYS } from './migrations.js';
import { select } from './sql.js';

const IN_THIS_DATABASE = `locktype = 'advisory' AND granted AND objsubid = 2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

const COUNT_MEMBERS = `SELECT count(*)::int AS n FROM pg_locks WHERE ${IN_THIS_DATABASE} AND classid = $1::bigint::oid`;
const TAKEN_SHARDS = `SELECT objid::bigint AS shard FROM pg_locks WHERE ${IN_THIS_DATABASE} AND classid = $1::bigint::oid`;
const TRY_LOCK = 'SELECT pg_try_advisory_lock($1::int, $2::int) AS held';
const CLAIM = 'SELECT s AS shard FROM unnest($2::int[]) AS s WHERE pg_try_advisory_lock($1::int, s)';
const RELEASE = 'SELECT pg_advisory_unlock($1::int, s) FROM unnest($2::int[]) AS s';

const numbers = (rows: readonly unknown[], key: string): number[] =>
  rows.flatMap((row) => {
    const value = typeof row === 'object' && row !== null && key in row ? Number((row as Record<string, unknown>)[key]) : Number.NaN;
    return Number.isSafeInteger(value) ? [value] : [];
  });

/**
 * Health-check shards as session-level advisory locks on the follower's session (the one that
 * holds the sweep lock): PostgreSQL lets them go the moment a server's session ends, so a
 * SIGKILLed server's shards are free for the others at once. Membership is a lock too, so the
 * number of servers taking part is read from pg_locks, with no table to clean up.
 */
export class SessionShardClaims implements ShardClaims {
  readonly #held = new Set<number>();
  #epoch = -1;
  #member: number | undefined;

  constructor(private readonly follower: CommitFollower) {}

  /** The live session; a new session since the last call means every claim of the old one is gone. */
  #session(): { readonly client: pg.Client; readonly epoch: number } | undefined {
    const session = this.follower.session();
    const epoch = session?.epoch ?? -1;
    if (epoch !== this.#epoch) {
      this.#held.clear();
      this.#member = undefined;
      this.#epoch = epoch;
    }
    return session;
  }

  held(): ReadonlySet<number> {
    this.#session();
    return this.#held;
  }

  async members(): Promise<number> {
    const session = this.#session();
    if (session === undefined) return 0;
    try {
      // A random member id; taken by another server (a one in two billion chance), try another.
      for (let attempt = 0; attempt < 8 && this.#member === undefined; attempt++) {
        const id = 1 + Math.floor(Math.random() * 0x7fff_fffe);
        const [held] = await select(session.client, TRY_LOCK, [LOCK_KEYS.healthMembers, id]);
        if (typeof held === 'object' && held !== null && 'held' in held && held.held === true && session.epoch === this.#epoch) this.#member = id;
      }
      if (this.#member === undefined) return 0;
      const [count = 0] = numbers(await select(session.client, COUNT_MEMBERS, [LOCK_KEYS.healthMembers]), 'n');
      return count;
    } catch {
      return 0;
    }
  }

  async unclaimed(count: number): Promise<readonly number[]> {
    const session = this.#session();
    if (session === undefined) return [];
    try {
      const taken = new Set(numbers(await select(session.client, TAKEN_SHARDS, [LOCK_KEYS.healthShards]), 'shard'));
      return Array.from({ length: count }, (_, shard) => shard).filter((shard) => !taken.has(shard));
    } catch {
      return [];
    }
  }

  async claim(shards: readonly number[]): Promise<readonly number[]> {
    const session = this.#session();
    if (session === undefined || shards.length === 0) return [];
    try {
      const won = numbers(await select(session.client, CLAIM, [LOCK_KEYS.healthShards, shards]), 'shard');
      if (session.epoch !== this.#epoch) return [];
      for (const shard of won) this.#held.add(shard);
      return won;
    } catch {
      return [];
    }
  }

  async release(shards: readonly number[]): Promise<void> {
    const session = this.#session();
    for (const shard of shards) this.#held.delete(shard);
    if (session === undefined || shards.length === 0) return;
    await select(session.client, RELEASE, [LOCK_KEYS.healthShards, shards]).catch(() => undefined);
  }
}
