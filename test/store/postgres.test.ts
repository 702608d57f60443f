import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { EXIT } from '../../src/cli/index.js';
import { loadConfig } from '../../src/config/index.js';
import { asRevision, type Clock, type CommittedEvent, ManualClock, RegistryError } from '../../src/domain/index.js';
import { DEFAULT_REQUEST_WINDOW_MS, migrateStore, openStore, type Store } from '../../src/store/index.js';
import {
  DEFAULT_POSTGRES_TUNING,
  LATEST_POSTGRES_SCHEMA_VERSION,
  LATEST_SCHEMA_VERSION,
  openPostgresStore,
  postgresClientConfig,
  type PostgresTuning,
  resolveStoreOptions,
} from '../../src/store/internal.js';
import { runCaptured } from '../helpers/cli.js';
import { eventually } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { runStoreConformance } from './conformance.js';
import { register, revisionsOf } from './fixtures.js';

const isUnavailable = (error: unknown): boolean => error instanceof RegistryError && error.code === 'unavailable';
const names = (store: Store): string[] => store.services.list().map((s) => s.name);

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
after(() => postgres?.close());

/** Every event a store's listeners receive, in order. */
function recordEvents(store: Store): CommittedEvent[] {
  const seen: CommittedEvent[] = [];
  store.onCommit((events) => void seen.push(...events));
  return seen;
}

const openTuned = (url: string, tuning: Partial<PostgresTuning> = {}, clock?: Clock): Promise<Store> =>
  openPostgresStore(resolveStoreOptions({ location: url, ...(clock === undefined ? {} : { clock }) }), { ...DEFAULT_POSTGRES_TUNING, ...tuning });

if (postgres === undefined) {
  describe('PostgreSQL store', () => {
    it('runs against a real PostgreSQL', (t) => {
      requirePeer(t, false, started.ok ? 'unreachable' : started.reason);
    });
  });
} else {
  const pgServer = postgres;
  runStoreConformance({
    open: async (options?: { readonly clock?: Clock }) => {
      const location = await pgServer.createDatabase();
      const store = await openStore({ location, ...options });
      return { store, close: () => store.close(), reopen: async () => (await store.close(), openStore({ location, ...options })) };
    },
  });

  /** Two stores on one fresh database, closed after `body`. */
  const withPair = async (body: (a: Store, b: Store, url: string) => Promise<void>, tuning: Partial<PostgresTuning> = {}): Promise<void> => {
    const url = await pgServer.createDatabase();
    const a = await openTuned(url);
    const b = await openTuned(url, tuning);
    try {
      await body(a, b, url);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  };

  describe('PostgreSQL store - several servers on one database', () => {
    it('shows a write made through one store to the other, with its events, in order', () =>
      withPair(async (a, b) => {
        const seen = recordEvents(b);
        for (const name of ['x', 'y', 'z']) await a.write((tx) => register(tx, name));
        await eventually(async () => (seen.length === 3 ? true : undefined), 5_000, 'three events on b');
        assert.deepEqual(revisionsOf(seen), [1, 2, 3]);
        assert.deepEqual(names(b), ['x', 'y', 'z']);
        assert.equal(b.revision, 3);
        assert.deepEqual(await b.eventsSince(asRevision(0), 10), await a.eventsSince(asRevision(0), 10));
      }));

    it('gives interleaved writes from two stores distinct, consecutive revisions', () =>
      withPair(async (a, b) => {
        const writes = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).write((tx) => register(tx, `s${String(i)}`)));
        const revisions = (await Promise.all(writes)).map((w) => w.revision ?? -1).sort((x, y) => x - y);
        assert.deepEqual(revisions, Array.from({ length: 100 }, (_, i) => i + 1));
        await eventually(async () => (a.revision === 100 && b.revision === 100 ? true : undefined), 5_000, 'both at 100');
        assert.deepEqual(names(a), names(b));
        assert.equal(a.services.size, 100);
      }));

    it('lets a write read the latest state whichever store committed it', () =>
      withPair(async (a, b) => {
        await a.write((tx) => register(tx, 'api', { port: 1 }));
        const { value } = await b.write(async (tx) => (await register(tx, 'api', { port: 2 })).port);
        assert.equal(value, 2);
        const updated = await b.write(async (tx) => (await tx.services.get('api'))?.port);
        assert.equal(updated.value, 2);
      }));

    it('carries changes without events (a ping, a token, a deployment) to the other store', () =>
      withPair(async (a, b) => {
        let tokenChanges = 0;
        const unlisten = b.tokens.onChange(() => tokenChanges++);
        await a.write((tx) => register(tx, 'api'));
        await a.write(async (tx) => {
          const current = await tx.services.get('api');
          assert.ok(current);
          await tx.services.put({ ...current, lastSeen: 123 });
          await tx.tokens.put({ name: 'ci', role: 'write', hash: 'a'.repeat(64), createdAt: 5, expiresAt: 3_600_005 });
        });
        await eventually(async () => (b.services.get('api')?.lastSeen === 123 ? true : undefined), 5_000, 'the ping on b');
        assert.deepEqual(b.tokens.byHash('a'.repeat(64)), { name: 'ci', role: 'write', hash: 'a'.repeat(64), createdAt: 5, expiresAt: 3_600_005 });
        assert.ok(tokenChanges > 0, 'b told its token holders of the change a made');
        unlisten();
        assert.equal(b.revision, 1);
      }));

    it('keeps allocations unique when two stores allocate the same address', () =>
      withPair(async (a, b) => {
        const take = (store: Store, owner: string) =>
          store.write(async (tx) => {
            const holder = await tx.allocations.byAddress('wg0', '10.8.0.2');
            if (holder !== undefined) return holder.owner;
            await tx.allocations.put({ network: 'wg0', address: '10.8.0.2', owner, allocatedAt: 1 });
            return owner;
          });
        const results = await Promise.all([take(a, 'one'), take(b, 'two'), take(a, 'three'), take(b, 'four')]);
        const winner = results[0]?.value;
        assert.ok(winner !== undefined);
        assert.deepEqual(results.map((r) => r.value), [winner, winner, winner, winner]);
      }));

    it('reloads everything when it fell behind the journal, and still delivers every kept event', () =>
      withPair(
        async (a, b) => {
          const seen = recordEvents(b);
          for (let i = 0; i < 6; i++) await a.write((tx) => register(tx, `g${String(i)}`));
          await b.write((tx) => register(tx, 'mine'));
          assert.deepEqual(revisionsOf(seen), [1, 2, 3, 4, 5, 6, 7]);
          assert.deepEqual(names(b), ['g0', 'g1', 'g2', 'g3', 'g4', 'g5', 'mine']);
        },
        { listen: false, pollMs: 3_600_000, journalRetention: 2, journalPruneEvery: 1 },
      ));

    it('keeps the outcome of a request id run again after its window when the same commit prunes old ids', async () => {
      const clock = new ManualClock(Date.UTC(2026, 11, 7));
      const store = await openTuned(await pgServer.createDatabase(), { journalPruneEvery: 1 }, clock);
      try {
        const request = { request: { id: 'r-late', fingerprint: 'same params' } };
        await store.write((tx) => register(tx, 'api'), request);
        clock.advance(DEFAULT_REQUEST_WINDOW_MS + 1);
        const late = await store.write((tx) => register(tx, 'api', { port: 1 }), request);
        assert.equal(late.replayed, undefined);
        const retry = await store.write((tx) => register(tx, 'api', { port: 2 }), request);
        assert.equal(retry.replayed, true, 'the commit that pruned the old ids kept the new outcome');
        assert.equal(store.services.get('api')?.port, 1);
      } finally {
        await store.close();
      }
    });

    it('lets one store at a time hold the sweeps, and hands them over when it closes', async () => {
      const url = await pgServer.createDatabase();
      const a = await openStore({ location: url });
      const b = await openStore({ location: url });
      try {
        assert.equal(await a.claimSweeps?.(), true);
        assert.equal(await b.claimSweeps?.(), false);
        assert.equal(await a.claimSweeps?.(), true);
        await a.close();
        assert.equal(await b.claimSweeps?.(), true);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('PostgreSQL store - schema', () => {
    it('uses the migration numbers of the SQLite backend', () => {
      assert.equal(LATEST_POSTGRES_SCHEMA_VERSION, LATEST_SCHEMA_VERSION);
    });

    it('migrates an empty database once, and reopens it with its state', async () => {
      const url = await pgServer.createDatabase();
      const location = url.replace(':registry-test@', ':***@');
      assert.deepEqual(await migrateStore(url), { kind: 'postgres', location, from: 0, to: LATEST_SCHEMA_VERSION, created: true });
      assert.deepEqual(await migrateStore(url), { kind: 'postgres', location, from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION, created: false });
      const first = await openStore({ location: url });
      await first.write((tx) => register(tx, 'kept'));
      await first.close();
      const second = await openStore({ location: url });
      try {
        assert.deepEqual(names(second), ['kept']);
        assert.equal(second.revision, 1);
      } finally {
        await second.close();
      }
    });

    it('refuses a database written by a newer schema with unavailable', async () => {
      const url = await pgServer.createDatabase();
      await migrateStore(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('INSERT INTO registry_schema (version, name) VALUES ($1, $2)', [LATEST_SCHEMA_VERSION + 1, 'future']);
      await client.end();
      await assert.rejects(openStore({ location: url }), isUnavailable);
    });

    it('answers unavailable, without the password, when nothing listens at the URL', async () => {
      const url = `postgres://registry:secret-word@127.0.0.1:${String(pgServer.port)}/no_such_database`;
      await assert.rejects(openStore({ location: url }), (error: unknown) => isUnavailable(error) && error instanceof Error && !error.message.includes('secret-word'));
    });
  });

  describe('registry migrate', () => {
    it('migrates the database a --store URL names, and says so without the password', async () => {
      const url = await pgServer.createDatabase();
      const first = await runCaptured(['migrate', '--store', url, '--json'], { env: {} });
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(JSON.parse(first.stdout), { kind: 'postgres', location: url.replace(':registry-test@', ':***@'), from: 0, to: LATEST_SCHEMA_VERSION, created: true });
      const again = await runCaptured(['migrate', '--store', url], { env: {} });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`up to date at ${String(LATEST_SCHEMA_VERSION)}`));
      assert.doesNotMatch(again.stdout, /registry-test/);
    });

    it('exits with the unavailable code and the reason when PostgreSQL cannot be reached', async () => {
      const result = await runCaptured(['migrate', '--store', 'postgres://registry:hidden@127.0.0.1:1/registry'], { env: {} });
      assert.equal(result.code, EXIT.unavailable);
      assert.match(result.stderr, /^error \[unavailable\]: cannot migrate the PostgreSQL store postgres:\/\/registry:\*\*\*@127\.0\.0\.1:1\/registry: connect ECONNREFUSED 127\.0\.0\.1:1\n$/);
      assert.doesNotMatch(result.stderr, /hidden/);
    });

    it('takes the URL from [storage] url in the configuration file', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'registry-pg-config-'));
      try {
        const configPath = join(dir, 'backends.toml');
        await writeFile(configPath, `[storage]\nurl = "${pgServer.url}"\n`);
        const config = await loadConfig({ flags: { configPath }, env: {}, cwd: dir });
        assert.equal(config.storage.url, pgServer.url);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('PostgreSQL store - sessions', () => {
    it('asks PostgreSQL to drop a silent peer within half a minute, so a dead server releases its locks', async () => {
      const client = new pg.Client(postgresClientConfig(await pgServer.createDatabase(), DEFAULT_POSTGRES_TUNING));
      await client.connect();
      try {
        const show = async (name: string): Promise<unknown> => (await client.query(`SHOW ${name}`)).rows[0]?.[name];
        assert.deepEqual(
          [await show('tcp_keepalives_idle'), await show('tcp_keepalives_interval'), await show('tcp_keepalives_count'), await show('tcp_user_timeout')],
          ['10', '5', '3', '25000'],
        );
      } finally {
        await client.end();
      }
    });
  });

  describe('PostgreSQL store - database outage', () => {
    it('serves reads from memory and fails writes with unavailable while PostgreSQL is down, then catches up', async () => {
      const url = await pgServer.createDatabase();
      const faults: RegistryError[] = [];
      const a = await openStore({ location: url, onWriteFault: (error) => void faults.push(error) });
      const b = await openStore({ location: url });
      const seen = recordEvents(b);
      try {
        await a.write((tx) => register(tx, 'before'));
        await eventually(async () => (b.services.get('before') === undefined ? undefined : true), 5_000, 'b sees before');
        await pgServer.stop();
        await assert.rejects(a.write((tx) => register(tx, 'during')), isUnavailable);
        assert.deepEqual(names(a), ['before']);
        // The server logs these: the store tells it why the write failed.
        assert.ok(faults.length >= 1 && faults.every(isUnavailable), String(faults));
        assert.match(String(faults[0]?.message), /PostgreSQL store.*: .+/);
        await pgServer.start();
        const after = await eventually(async () => a.write((tx) => register(tx, 'after')).catch(() => undefined), 15_000, 'a write after the restart');
        assert.equal(after.revision, 2);
        await eventually(async () => (b.services.get('after') === undefined ? undefined : true), 15_000, 'b sees after');
        assert.deepEqual(revisionsOf(seen), [1, 2]);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
}
