import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store, WriteRequest } from '../../src/store/index.js';
import { DEFAULT_SQLITE_TUNING, openSqliteStore, resolveStoreOptions, sqliteDiagnostics } from '../../src/store/internal.js';
import { tempFolder } from '../helpers/temp-folder.js';
import { register } from './fixtures.js';

const { freshPath } = tempFolder('registry-requests-');
const request = (id: string): { readonly request: WriteRequest } => ({ request: { id, fingerprint: 'same params' } });

/** A store at `location` holding at most `recentRequestIds` request ids in memory. */
const openHolding = (location: string, recentRequestIds: number): Promise<Store> =>
  openSqliteStore(resolveStoreOptions({ location }), { ...DEFAULT_SQLITE_TUNING, recentRequestIds });

describe('SQLite store - request ids in memory', () => {
  it('commits writes carrying new request ids without asking the worker for outcomes', async () => {
    const store = await openHolding(freshPath(), 100);
    try {
      const first = await store.write((tx) => register(tx, 'api'), request('n-1'));
      await Promise.all([store.write((tx) => register(tx, 'db'), request('n-2')), store.write((tx) => register(tx, 'web'), request('n-3'))]);
      assert.equal(sqliteDiagnostics(store).outcomeLookups(), 0);
      const retry = await store.write((tx) => register(tx, 'api', { port: 1 }), request('n-1'));
      assert.equal(retry.replayed, true);
      assert.deepEqual(retry.value, first.value);
      assert.equal(sqliteDiagnostics(store).outcomeLookups(), 1, 'a retry reads its outcome from the file');
    } finally {
      await store.close();
    }
  });

  it('answers a retry from the file once memory let go of its id', async () => {
    const store = await openHolding(freshPath(), 2);
    try {
      const first = await store.write((tx) => register(tx, 'api'), request('o-1'));
      await store.write((tx) => register(tx, 'db'), request('o-2'));
      await store.write((tx) => register(tx, 'web'), request('o-3'));
      const retry = await store.write((tx) => register(tx, 'api', { port: 1 }), request('o-1'));
      assert.equal(retry.replayed, true);
      assert.deepEqual(retry.value, first.value);
      assert.equal(store.services.get('api')?.port, 4444);
    } finally {
      await store.close();
    }
  });

  it('answers a retry after a reopen whose memory holds fewer ids than the file', async () => {
    const path = freshPath();
    const writer = await openHolding(path, 100);
    const first = await writer.write((tx) => register(tx, 'api'), request('p-1'));
    await writer.write((tx) => register(tx, 'db'), request('p-2'));
    await writer.write((tx) => register(tx, 'web'), request('p-3'));
    await writer.close();
    const store = await openHolding(path, 1);
    try {
      const retry = await store.write((tx) => register(tx, 'api', { port: 1 }), request('p-1'));
      assert.equal(retry.replayed, true);
      assert.deepEqual(retry.value, first.value);
      const fresh = await store.write((tx) => register(tx, 'cache'), request('p-4'));
      assert.equal(fresh.replayed, undefined);
    } finally {
      await store.close();
    }
  });
});
