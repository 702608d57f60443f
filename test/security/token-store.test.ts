import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore, type TokenRecord } from '../../src/store/index.js';
import { sqliteDiagnostics } from '../../src/store/internal.js';

const token = (name: string, role: TokenRecord['role'] = 'read'): TokenRecord => ({ name, role, hash: `${name}-hash`.padEnd(64, '0'), createdAt: 1_000 });

describe('SQLite store - tokens (migration 4)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-token-store-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps tokens across a reopen, finds them by hash, and spends no revision on them', async () => {
    const location = join(dir, 'reopen.db');
    const store = await openStore({ location });
    try {
      const written = await store.write(async (tx) => {
        await tx.tokens.put(token('a', 'admin'));
        await tx.tokens.put(token('b'));
      });
      assert.equal(written.revision, undefined);
      assert.equal(store.revision, 0);
      assert.deepEqual(store.tokens.list().map((t) => t.name), ['a', 'b']);
    } finally {
      await store.close();
    }
    const reopened = await openStore({ location });
    try {
      assert.deepEqual(reopened.tokens.byHash(token('a').hash), token('a', 'admin'));
      assert.equal(reopened.tokens.byHash('unknown'), undefined);
      assert.deepEqual(await sqliteDiagnostics(reopened).integrityCheck(), ['ok']);
    } finally {
      await reopened.close();
    }
  });

  it('tells token listeners after a committed token change, and not after a write without one', async () => {
    const store = await openStore({ location: join(dir, 'listen.db') });
    try {
      let calls = 0;
      const unlisten = store.tokens.onChange(() => calls++);
      await store.write((tx) => tx.tokens.put(token('c')));
      assert.equal(calls, 1);
      await store.write(() => undefined);
      assert.equal(calls, 1);
      await store.write(async (tx) => void (await tx.tokens.delete('c')));
      assert.equal(calls, 2);
      unlisten();
      await store.write((tx) => tx.tokens.put(token('d')));
      assert.equal(calls, 2);
    } finally {
      await store.close();
    }
  });

  it('shows a write its own changes and those of earlier writes in the same batch', async () => {
    const store = await openStore({ location: join(dir, 'batch.db') });
    try {
      const [first, second] = await Promise.all([
        store.write(async (tx) => {
          await tx.tokens.put(token('x'));
          return (await tx.tokens.get('x'))?.name;
        }),
        store.write(async (tx) => {
          const seen = (await tx.tokens.get('x'))?.name;
          const removed = await tx.tokens.delete('x');
          return { seen, removed, after: await tx.tokens.get('x') };
        }),
      ]);
      assert.equal(first.value, 'x');
      assert.deepEqual(second.value, { seen: 'x', removed: true, after: undefined });
      assert.equal(store.tokens.get('x'), undefined);
      assert.equal(store.tokens.byHash(token('x').hash), undefined);
    } finally {
      await store.close();
    }
  });

  it('rolls back the token changes of a write that throws', async () => {
    const store = await openStore({ location: join(dir, 'rollback.db') });
    try {
      await assert.rejects(
        store.write(async (tx) => {
          await tx.tokens.put(token('doomed'));
          throw new Error('changed my mind');
        }),
        /changed my mind/,
      );
      assert.equal(store.tokens.get('doomed'), undefined);
    } finally {
      await store.close();
    }
  });
});
