import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { asRevision, type Clock, RegistryError } from '../../src/domain/index.js';
import { openStore, type Store, type StoreOptions } from '../../src/store/index.js';
import {
  DEFAULT_SQLITE_TUNING,
  LATEST_SCHEMA_VERSION,
  migrations,
  openSqliteStore,
  resolveStoreOptions,
  sqliteDiagnostics,
} from '../../src/store/internal.js';
import { runStoreConformance } from './conformance.js';
import { register, revisionsOf } from './fixtures.js';
import { fillDisk, mountTmpfs } from '../helpers/tmpfs.js';

const isUnavailable = (error: unknown): boolean => error instanceof RegistryError && error.code === 'unavailable';

let root = '';
let counter = 0;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'registry-store-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** A fresh database path in the test folder. */
const freshPath = (): string => join(root, `db-${String(++counter)}.db`);

const openAt = (location: string, options: Omit<StoreOptions, 'location'> = {}): Promise<Store> =>
  openStore({ location, ...options });

runStoreConformance({
  open: async (options?: { readonly clock?: Clock }) => {
    const path = freshPath();
    const store = await openAt(path, options);
    return { store, close: () => store.close(), reopen: async () => (await store.close(), openAt(path, options)) };
  },
});

describe('openStore', () => {
  it('hands a postgres:// location to the PostgreSQL backend (test/store/postgres.test.ts)', async () => {
    await assert.rejects(openStore({ location: 'postgres://[not-a-url/registry' }), {
      name: 'RegistryError',
      code: 'invalid_params',
    });
    await assert.rejects(openStore({ location: 'postgresql://127.0.0.1:1/registry' }), { code: 'unavailable' });
  });

  it('rejects an event retention below one', async () => {
    await assert.rejects(openAt(freshPath(), { eventRetention: 0 }), { code: 'invalid_params' });
  });

  it('creates a sound WAL database at the latest schema', async () => {
    const store = await openAt(freshPath());
    try {
      const diagnostics = sqliteDiagnostics(store);
      assert.equal(store.kind, 'sqlite');
      assert.equal(await diagnostics.journalMode(), 'wal');
      assert.equal(await diagnostics.schemaVersion(), LATEST_SCHEMA_VERSION);
      assert.deepEqual(await diagnostics.integrityCheck(), ['ok']);
    } finally {
      await store.close();
    }
  });

  it('refuses a database written by a newer schema with unavailable', async () => {
    const path = freshPath();
    await (await openAt(path)).close();
    const db = new Database(path);
    db.pragma(`user_version = ${String(LATEST_SCHEMA_VERSION + 1)}`);
    db.close();
    await assert.rejects(openAt(path), isUnavailable);
  });
});

describe('migrations', () => {
  it('are numbered from 1 without gaps', () => {
    assert.deepEqual(
      migrations.map((m) => m.version),
      Array.from({ length: migrations.length }, (_, i) => i + 1),
    );
  });
});

describe('SQLite store - reopen', () => {
  it('restores services, revision and events from the file', async () => {
    const path = freshPath();
    const first = await openAt(path);
    await first.write((tx) => register(tx, 'b', { description: undefined, tags: ['x'] }));
    await first.write((tx) => register(tx, 'a', { metadata: { zone: 'eu' } }));
    await first.write((tx) => register(tx, 'b', { port: 5555 }));
    const services = first.services.list();
    const events = await first.eventsSince(asRevision(0), 100);
    await first.close();

    const second = await openAt(path);
    try {
      assert.equal(second.revision, 3);
      assert.deepEqual(second.services.list(), services);
      assert.deepEqual(await second.eventsSince(asRevision(0), 100), events);
      const next = await second.write((tx) => register(tx, 'c'));
      assert.equal(next.revision, 4);
    } finally {
      await second.close();
    }
  });

  it('sets synchronous to FULL on every open', async () => {
    const path = freshPath();
    await (await openAt(path)).close();
    const db = new Database(path);
    db.pragma('synchronous = NORMAL');
    db.close();
    const store = await openAt(path);
    try {
      assert.equal(await sqliteDiagnostics(store).synchronous(), 2);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite store - group commit', () => {
  it('commits writes issued in one tick in fewer transactions than writes', async () => {
    const store = await openAt(freshPath());
    try {
      const diagnostics = sqliteDiagnostics(store);
      const before = diagnostics.transactions();
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.write((tx) => register(tx, `s${String(i)}`))));
      const used = diagnostics.transactions() - before;
      assert.ok(used >= 1 && used < 100, `100 writes took ${String(used)} transactions`);
      assert.equal(store.revision, 100);
    } finally {
      await store.close();
    }
  });

  it('puts a write issued during a flush into the next batch', async () => {
    const store = await openAt(freshPath());
    try {
      const diagnostics = sqliteDiagnostics(store);
      let inner: Promise<unknown> | undefined;
      await store.write((tx) => {
        inner = store.write((tx2) => register(tx2, 'later'));
        return register(tx, 'first');
      });
      await inner;
      assert.equal(diagnostics.transactions(), 2);
      assert.deepEqual(store.services.list().map((s) => s.name), ['first', 'later']);
    } finally {
      await store.close();
    }
  });

  it('splits a queue longer than maxBatchWrites into several transactions', async () => {
    const tuning = { ...DEFAULT_SQLITE_TUNING, maxBatchWrites: 10 };
    const store = await openSqliteStore(resolveStoreOptions({ location: freshPath() }), tuning);
    try {
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.write((tx) => register(tx, `s${String(i)}`))),
      );
      assert.equal(sqliteDiagnostics(store).transactions(), 3);
      assert.deepEqual(
        revisionsOf(results),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
    } finally {
      await store.close();
    }
  });

  it('fails a write function that awaits a nested write instead of deadlocking', async () => {
    const tuning = { ...DEFAULT_SQLITE_TUNING, writeTimeoutMs: 50 };
    const store = await openSqliteStore(resolveStoreOptions({ location: freshPath() }), tuning);
    try {
      let nested: Promise<unknown> | undefined;
      const outer = store.write(async (tx) => {
        await register(tx, 'outer');
        nested = store.write((tx2) => register(tx2, 'nested'));
        await nested;
      });
      await assert.rejects(outer, /did not finish within 50 ms/);
      await nested;
      assert.deepEqual(store.services.list().map((s) => s.name), ['nested']);
      assert.equal(store.revision, 1);
    } finally {
      await store.close();
    }
  });

  it('keeps events of a batch still in flight out of eventsSince', async () => {
    const store = await openAt(freshPath());
    try {
      const first = store.write((tx) => register(tx, 'a'));
      const second = store.write(() => store.eventsSince(asRevision(0), 10));
      await first;
      assert.deepEqual((await second).value, []);
      assert.deepEqual(revisionsOf(await store.eventsSince(asRevision(0), 10)), [1]);
    } finally {
      await store.close();
    }
  });

  it('rejects queued writes that had not started when close is called', async () => {
    const store = await openAt(freshPath());
    const queued = assert.rejects(store.write((tx) => register(tx, 'a')), isUnavailable);
    await store.close();
    await queued;
    await assert.rejects(store.eventsSince(asRevision(0), 10), isUnavailable);
  });
});

describe('SQLite store - event log compaction', () => {
  it('drops revisions beyond the retention and records compactRevision', async () => {
    const path = freshPath();
    const store = await openAt(path, { eventRetention: 10 });
    for (let i = 1; i <= 12; i += 1) {
      await store.write((tx) => register(tx, `s${String(i)}`));
    }
    assert.equal(store.compactRevision, 2);
    assert.deepEqual(
      revisionsOf(await store.eventsSince(asRevision(2), 100)),
      Array.from({ length: 10 }, (_, i) => i + 3),
    );
    assert.deepEqual(revisionsOf(await store.eventsSince(asRevision(10), 100)), [11, 12]);
    await store.close();

    const reopened = await openAt(path, { eventRetention: 10 });
    try {
      assert.equal(reopened.compactRevision, 2);
      assert.equal(reopened.revision, 12);
      assert.equal((await reopened.eventsSince(asRevision(0), 100))[0]?.revision, 3);
    } finally {
      await reopened.close();
    }
  });
});

describe('SQLite store - storage faults', () => {
  it('fails writes with unavailable on a full disk while reads keep working', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-full-'));
    if (!mountTmpfs(dir, '4m')) {
      await rm(dir, { recursive: true, force: true });
      t.skip('mounting a small tmpfs needs root with CAP_SYS_ADMIN');
      return;
    }
    try {
      const store = await openAt(join(dir, 'registry.db'));
      try {
        const first = await store.write((tx) => register(tx, 'a'));
        const filler = join(dir, 'filler');
        fillDisk(filler);
        const large = 'x'.repeat(256 * 1024);
        await assert.rejects(store.write((tx) => register(tx, 'b', { description: large })), isUnavailable);
        assert.deepEqual(store.services.list(), [first.value]);
        assert.equal(store.revision, 1);
        await rm(filler);
        const again = await store.write((tx) => register(tx, 'b', { description: large }));
        assert.equal(again.revision, 2);
        assert.deepEqual(await sqliteDiagnostics(store).integrityCheck(), ['ok']);
      } finally {
        await store.close();
      }
    } finally {
      execFileSync('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

