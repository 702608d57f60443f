import type pg from 'pg';
import { latestVersion, type Migration, migrationsAfter } from '../migrations.js';
import { integerOf } from './codec.js';

/** Advisory lock keys of this schema (arbitrary constants, fixed for good: every server must agree). */
export const LOCK_KEYS = {
  /** Held for the length of each write transaction: writes from every server commit one at a time. */
  write: 0x7265_6701,
  /** Held for a whole session by the one server that runs the TTL sweeps. */
  sweeps: 0x7265_6702,
  /** Held while the schema is brought up to date, so servers starting together migrate once. */
  migrate: 0x7265_6703,
  /** First key of the two-key locks that say a server takes part in running health checks (second: its member id). */
  healthMembers: 0x7265_6704,
  /** First key of the two-key locks on health-check shards (second: the shard number). */
  healthShards: 0x7265_6705,
  /** First key of the two-key locks that say a server is alive (second: its member lock number, in `members`). */
  members: 0x7265_6706,
} as const;

/** The schema steps, numbered as the SQLite backend numbers its own. */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'services, events, meta and the commit journal',
    sql: `
      CREATE TABLE services (
        name text PRIMARY KEY,
        id text NOT NULL,
        revision bigint NOT NULL,
        record text NOT NULL
      );
      CREATE TABLE events (
        revision bigint NOT NULL,
        idx integer NOT NULL,
        type text NOT NULL,
        timestamp bigint NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (revision, idx)
      );
      -- One row. revision: the last revision given out (gap-free, unlike a SEQUENCE, which
      -- rollbacks skip); generation: the last commit, with or without events.
      CREATE TABLE meta (
        id smallint PRIMARY KEY CHECK (id = 1),
        revision bigint NOT NULL,
        compact_revision bigint NOT NULL,
        generation bigint NOT NULL
      );
      INSERT INTO meta (id, revision, compact_revision, generation) VALUES (1, 0, 0, 0);
      -- What each commit changed, for the other servers' memory (see journal.ts).
      CREATE TABLE commits (
        generation bigint PRIMARY KEY,
        revision bigint NOT NULL,
        compact_revision bigint NOT NULL,
        changes text NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'IP allocations, allocator cursors and free lists',
    sql: `
      CREATE TABLE ip_allocations (
        network text NOT NULL,
        address text NOT NULL,
        owner text NOT NULL,
        allocated_at bigint NOT NULL,
        PRIMARY KEY (network, address)
      );
      CREATE UNIQUE INDEX ip_allocations_by_owner ON ip_allocations (network, owner);
      CREATE TABLE ip_pools (
        network text PRIMARY KEY,
        cidr text NOT NULL,
        cursor text NOT NULL
      );
      CREATE TABLE ip_free (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        network text NOT NULL,
        address text NOT NULL,
        UNIQUE (network, address)
      );
    `,
  },
  {
    version: 3,
    name: 'deployment log',
    sql: `
      CREATE TABLE deployments (
        id text PRIMARY KEY,
        node text NOT NULL,
        service text NOT NULL,
        started_at bigint NOT NULL,
        record text NOT NULL
      );
      CREATE INDEX deployments_by_start ON deployments (started_at DESC, id DESC);
    `,
  },
  {
    version: 4,
    name: 'bearer tokens (hashed)',
    sql: `
      CREATE TABLE tokens (
        name text PRIMARY KEY,
        role text NOT NULL,
        hash text NOT NULL UNIQUE,
        created_at bigint NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'request ids of recent writes and their outcomes; the servers sharing the database',
    sql: `
      CREATE TABLE requests (
        id text PRIMARY KEY,
        fingerprint text NOT NULL,
        value text NOT NULL,
        revision bigint,
        created_at bigint NOT NULL
      );
      CREATE INDEX requests_by_age ON requests (created_at);
      -- One row per server start, rewritten at each heartbeat; report is the JSON of what it says of itself.
      CREATE TABLE members (
        id text PRIMARY KEY,
        lock integer NOT NULL,
        last_seen bigint NOT NULL,
        report text NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'token expiry',
    // NULL never expires.
    sql: 'ALTER TABLE tokens ADD COLUMN expires_at bigint;',
  },
];

/** The schema version this build writes. */
export const LATEST_POSTGRES_SCHEMA_VERSION = latestVersion(postgresMigrations);

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

/**
 * Brings the schema up to date in one transaction, under an advisory lock so servers that
 * start together migrate once. Refuses a database written by a newer build.
 */
export async function runPostgresMigrations(client: pg.ClientBase): Promise<MigrationOutcome> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEYS.migrate]);
    await client.query(`CREATE TABLE IF NOT EXISTS registry_schema (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query('SELECT coalesce(max(version), 0) AS version FROM registry_schema');
    const from = integerOf(rows[0]?.version, 'registry_schema');
    for (const migration of migrationsAfter(postgresMigrations, from)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO registry_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, LATEST_POSTGRES_SCHEMA_VERSION) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
