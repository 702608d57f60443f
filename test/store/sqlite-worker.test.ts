import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asRevision, RegistryError } from '../../src/domain/index.js';
import { openStore, type Store, type WriteResult } from '../../src/store/index.js';
import { CommitGate, DEFAULT_SQLITE_TUNING, openSqliteStore, resolveStoreOptions, sqliteDiagnostics } from '../../src/store/internal.js';
import { register } from './fixtures.js';

const stoppedWorker = (error: unknown): boolean =>
  error instanceof RegistryError && error.code === 'unavailable' && /commit worker stopped/.test(error.message);

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'registry-worker-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** A store at `location` that committed 'a', and whose write of 'b' now waits in the worker before COMMIT. */
async function holdSecondWrite(location: string): Promise<{ store: Store; gate: CommitGate; held: Promise<WriteResult<unknown>> }> {
  const gate = new CommitGate({ open: true });
  const store = await openSqliteStore(resolveStoreOptions({ location }), { ...DEFAULT_SQLITE_TUNING, commitGate: gate.buffer });
  await store.write((tx) => register(tx, 'a'));
  const arrived = gate.shut();
  const held = store.write((tx) => register(tx, 'b'));
  await gate.reached(arrived + 1);
  return { store, gate, held };
}

describe('SQLite store - commit worker', () => {
  it('serves reads from the main thread while a commit waits in the worker', async () => {
    const location = join(root, 'held.db');
    const { store, gate, held } = await holdSecondWrite(location);
    try {
      // The worker is blocked inside the transaction, before COMMIT: memory answers meanwhile.
      assert.deepEqual(store.services.list().map((s) => s.name), ['a']);
      assert.equal(store.revision, 1);
      gate.open();
      assert.equal((await held).revision, 2);
    } finally {
      await store.close();
    }
    const reopened = await openStore({ location });
    try {
      assert.deepEqual(reopened.services.list().map((s) => s.name), ['a', 'b']);
    } finally {
      await reopened.close();
    }
  });

  it('fails the pending and later writes with unavailable when the worker is terminated, and acknowledges none', async () => {
    const location = join(root, 'terminated.db');
    const { store, held: pending } = await holdSecondWrite(location);
    try {
      await sqliteDiagnostics(store).terminateWorker();
      await assert.rejects(pending, stoppedWorker);
      await assert.rejects(store.write((tx) => register(tx, 'c')), stoppedWorker);
      await assert.rejects(store.eventsSince(asRevision(0), 10), stoppedWorker);
      assert.deepEqual(store.services.list().map((s) => s.name), ['a']);
      assert.equal(store.revision, 1);
    } finally {
      await store.close();
    }
    const reopened = await openStore({ location });
    try {
      assert.deepEqual(reopened.services.list().map((s) => s.name), ['a']);
      assert.equal(reopened.revision, 1);
    } finally {
      await reopened.close();
    }
  });
});
