import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { RegistryError } from '../../src/domain/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { DEFAULT_SQLITE_TUNING, openSqliteStore, resolveStoreOptions, sqliteDiagnostics } from '../../src/store/internal.js';
import { tempFolder } from '../helpers/temp-folder.js';
import { register } from './fixtures.js';

const { freshPath } = tempFolder('registry-load-');

/** Opens `location` loading services `loadPageRows` to a page. */
const openPaged = (location: string, loadPageRows: number): Promise<Store> =>
  openSqliteStore(resolveStoreOptions({ location }), { ...DEFAULT_SQLITE_TUNING, loadPageRows });

/** A file at a new path holding `count` services, registered in an order other than their names'. */
async function fileWith(count: number, perWrite = 1): Promise<{ readonly path: string; readonly names: readonly string[] }> {
  const path = freshPath();
  const names = Array.from({ length: count }, (_, k) => `svc-${String((k * 7919) % count).padStart(6, '0')}`);
  const store = await openStore({ location: path });
  try {
    for (let first = 0; first < count; first += perWrite) {
      await store.write(async (tx) => {
        for (const name of names.slice(first, first + perWrite)) await register(tx, name, { description: `service ${name}` });
      });
    }
  } finally {
    await store.close();
  }
  return { path, names: [...names].sort() };
}

describe('SQLite store - loading at open', () => {
  it('loads every service of a file holding more than one page, in name order', async () => {
    const { path, names } = await fileWith(23);
    const reference = await openStore({ location: path });
    const expected = reference.services.list();
    await reference.close();
    // 23 is no multiple of 5 (a short last page); 23 is a multiple of 1, and 23 rows fit one page of 23 (an empty page follows).
    for (const pageRows of [5, 1, 23]) {
      const store = await openPaged(path, pageRows);
      try {
        assert.deepEqual(
          store.services.list().map((s) => s.name),
          names,
        );
        assert.deepEqual(store.services.list(), expected);
        assert.equal(store.services.get('svc-000022')?.description, 'service svc-000022');
      } finally {
        await store.close();
      }
    }
  });

  it('refuses to open a file whose service record holds two records, naming the page', async () => {
    const { path } = await fileWith(3);
    const db = new Database(path);
    // A page is its records as one JSON list: a tampered row holding `{…},{…}` must not pass as two services.
    db.prepare(`UPDATE services SET record = record || ',' || record WHERE name = 'svc-000001'`).run();
    db.close();
    await assert.rejects(openPaged(path, 2), (error: unknown) => error instanceof RegistryError && error.code === 'unavailable' && /services page/.test(error.message));
  });

  it('leaves no copy of the services in the commit worker once loaded', async () => {
    const { path } = await fileWith(30_000, 2_000);
    // The worker is shared by every store of the process: its heap with an empty store open is the baseline.
    const empty = await openStore({ location: freshPath() });
    const baseline = (await sqliteDiagnostics(empty).workerMemory()).heapUsed;
    await empty.close();
    const store = await openStore({ location: path });
    try {
      const recordBytes = store.services.list().reduce((sum, service) => sum + JSON.stringify(service).length, 0);
      const grown = (await sqliteDiagnostics(store).workerMemory()).heapUsed - baseline;
      assert.ok(grown < recordBytes / 4, `the worker heap grew by ${String(grown)} bytes loading ${String(recordBytes)} bytes of records`);
    } finally {
      await store.close();
    }
  });
});
