import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore, type ShardClaims, type Store } from '../../src/store/index.js';
import { eventually } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
after(() => postgres?.close());

const claimsOf = (store: Store): ShardClaims => {
  assert.ok(store.shardClaims, 'a PostgreSQL store offers shard claims');
  return store.shardClaims;
};

describe('PostgreSQL shard claims (health-check shards)', () => {
  it('counts the servers taking part, gives each shard to one server, and frees a closed server’s shards', async (t) => {
    if (!requirePeer(t, postgres !== undefined, started.ok ? '' : started.reason) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const a = await openStore({ location: url });
    const b = await openStore({ location: url });
    try {
      const [ca, cb] = [claimsOf(a), claimsOf(b)];
      assert.equal(await ca.members(), 1);
      assert.equal(await cb.members(), 2);
      assert.deepEqual([...(await ca.claim([0, 1]))].sort(), [0, 1]);
      assert.deepEqual([...(await cb.claim([1, 2]))], [2], 'a shard another server holds is not claimed');
      assert.deepEqual([...(await cb.unclaimed(4))], [3]);
      assert.deepEqual([...ca.held()].sort(), [0, 1]);
      await ca.release([1]);
      assert.deepEqual([...(await cb.claim([1]))], [1]);
      await a.close();
      // The session ended with the store: its shard and its membership are free at once.
      await eventually(async () => ((await cb.members()) === 1 ? true : undefined), 5_000, 'one member left');
      assert.deepEqual([...(await cb.unclaimed(4))], [0, 3]);
      assert.deepEqual([...(await cb.claim([0, 3]))].sort(), [0, 3]);
      assert.deepEqual([...cb.held()].sort(), [0, 1, 2, 3]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('offers no claims on SQLite, where one server runs every check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-shards-'));
    const store = await openStore({ location: join(dir, 'registry.db') });
    try {
      assert.equal(store.shardClaims, undefined);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
