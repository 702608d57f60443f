/**
 * Consistent reads on PostgreSQL (src/store/postgres/read-barrier.ts and PostgresStore.caughtUp):
 * a read after `caughtUp()` sees every write any server acknowledged before it, the reads that
 * arrive together share one query, and a read that cannot be confirmed answers `unavailable`.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { RegistryError } from '../../src/domain/index.js';
import type { Store } from '../../src/store/index.js';
import { DEFAULT_POSTGRES_TUNING, openPostgresStore, type PostgresTuning, resolveStoreOptions, SharedRound } from '../../src/store/internal.js';
import { requirePeer } from '../helpers/peers.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { register } from './fixtures.js';

describe('SharedRound', () => {
  it('runs one round for every join that arrives before it starts', async () => {
    let rounds = 0;
    const shared = new SharedRound(async () => void (rounds += 1));
    await Promise.all(Array.from({ length: 1_000 }, () => shared.join()));
    assert.equal(rounds, 1);
  });

  it('makes a join that arrives while a round runs wait for a round that starts after it', async () => {
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const shared = new SharedRound(
      () =>
        new Promise<void>((resolve) => {
          started.push(started.length + 1);
          finish.push(resolve);
        }),
    );
    const first = shared.join();
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(started.length, 1, 'the first round started');
    let laterDone = false;
    const later = shared.join().then(() => (laterDone = true));
    const alsoLater = shared.join();
    finish[0]?.();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(laterDone, false, 'a join made during round 1 is not answered by it');
    assert.equal(started.length, 2, 'one round for both late joins');
    finish[1]?.();
    await Promise.all([later, alsoLater]);
    assert.equal(started.length, 2);
  });

  it('passes a failed round to every read that joined it, and runs the next one', async () => {
    let calls = 0;
    const shared = new SharedRound(async () => {
      calls += 1;
      if (calls === 1) throw new RegistryError('unavailable', 'down');
    });
    const results = await Promise.allSettled([shared.join(), shared.join()]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    await shared.join();
    assert.equal(calls, 2);
  });
});

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
after(() => postgres?.close());

/** A store that hears of other servers' commits only when it asks: no LISTEN, no polls. */
const deaf: Partial<PostgresTuning> = { listen: false, pollMs: 3_600_000 };
const openTuned = (url: string, tuning: Partial<PostgresTuning> = {}): Promise<Store> =>
  openPostgresStore(resolveStoreOptions({ location: url }), { ...DEFAULT_POSTGRES_TUNING, ...tuning });

describe('PostgreSQL store - consistent reads', () => {
  it('shows a write another store acknowledged once caughtUp resolves, and not before', async (t) => {
    if (!requirePeer(t, postgres !== undefined, started.ok ? '' : started.reason) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const [a, b] = [await openTuned(url), await openTuned(url, deaf)];
    try {
      for (let i = 0; i < 20; i++) {
        const name = `api-${String(i)}`;
        const written = await a.write((tx) => register(tx, name, { port: 1000 + i }));
        assert.equal(b.services.get(name), undefined, 'b has not heard of it: a stale read lags');
        await b.caughtUp?.();
        assert.equal(b.services.get(name)?.port, 1000 + i);
        assert.equal(b.revision, written.revision);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('answers unavailable when the database cannot be reached, while memory still answers', async (t) => {
    if (!requirePeer(t, postgres !== undefined, started.ok ? '' : started.reason) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const store = await openTuned(url, { ...deaf, connectTimeoutMs: 1_000 });
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    const database = new URL(url).pathname.slice(1);
    try {
      await store.write((tx) => register(tx, 'api'));
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(database)} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
      await assert.rejects(store.caughtUp?.() ?? Promise.resolve(), (error: unknown) => {
        assert.ok(error instanceof RegistryError);
        assert.equal(error.code, 'unavailable');
        assert.match(error.message, /stale/);
        return true;
      });
      assert.equal(store.services.get('api')?.name, 'api');
    } finally {
      await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(database)} ALLOW_CONNECTIONS true`);
      await admin.end();
      await store.close();
    }
  });
});
