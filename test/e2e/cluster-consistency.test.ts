/**
 * Three registry servers on one embedded PostgreSQL, each reaching it through a real TCP proxy:
 * a write acknowledged by one is read on another at once (consistent reads, the default), a stale
 * read may lag, a write retried with the same request id is applied once (on another server, and
 * after its COMMIT's acknowledgement was lost), and `list_members` shows the three of them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { requirePeer } from '../helpers/peers.js';
import { startClusterServer, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { type PostgresProxy, startPostgresProxy } from '../helpers/postgres-proxy.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import type { TestServer } from '../helpers/test-server.js';

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
const skipReason = started.ok ? '' : started.reason;
after(() => postgres?.close());

const ROUNDS = 1_000;

describe('three registry servers on one PostgreSQL', () => {
  const proxies: PostgresProxy[] = [];
  const servers: TestServer[] = [];
  const clients: RegistryClient[] = [];
  /** The client of server `i`, round the ring. */
  const client = (i: number): RegistryClient => clients[i % clients.length] ?? assert.fail('no client');

  before(async () => {
    if (postgres === undefined) return;
    const url = await postgres.createDatabase();
    for (let i = 0; i < 3; i++) {
      const proxy = await startPostgresProxy(url);
      proxies.push(proxy);
      const server = await startClusterServer(proxy.url);
      servers.push(server);
      clients.push(await RegistryClient.connect(server.url, { ca: server.caPem }));
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    for (const s of servers) await s.close();
    for (const p of proxies) await p.close();
  });

  it(`reads a write acknowledged on one server on another at once, ${String(ROUNDS)} times in a row`, { timeout: 300_000 }, async (t) => {
    if (!requirePeer(t, postgres !== undefined, skipReason)) return;
    for (let i = 0; i < ROUNDS; i++) {
      const writer = client(i);
      const reader = client(i + 1);
      const name = `round-${String(i % 10)}`;
      const written = await writer.register({ name, host: '127.0.0.1', port: 1_000 + i });
      // No wait of any kind: the next call, on another server, must already see it.
      if (i % 3 === 0) assert.equal((await reader.getService({ name })).port, 1_000 + i, `round ${String(i)}: get_service`);
      else if (i % 3 === 1) assert.equal((await reader.resolve({ service: name })).port, 1_000 + i, `round ${String(i)}: resolve`);
      else assert.equal((await reader.listServices()).find((s) => s.name === name)?.revision, written.service.revision, `round ${String(i)}: list_services`);
    }
  });

  it('lets a stale read lag behind another server, while a consistent read waits for the write', async (t) => {
    if (!requirePeer(t, postgres !== undefined, skipReason)) return;
    const [a, c] = [client(0), client(2)];
    const proxyC = proxies[2] ?? assert.fail('no proxy');
    await a.register({ name: 'lagging', host: '127.0.0.1', port: 1 });
    assert.equal((await c.getService({ name: 'lagging' })).port, 1);
    // C hears nothing from PostgreSQL from now on: no notification, no answer to its queries.
    proxyC.hold();
    try {
      await a.register({ name: 'lagging', host: '127.0.0.1', port: 2 });
      let consistentSettled = false;
      const consistent = c.getService({ name: 'lagging' }).finally(() => (consistentSettled = true));
      const stale = await c.getService({ name: 'lagging', consistency: 'stale' });
      assert.equal(stale.port, 1, 'the stale read answers from what C holds: the old port');
      assert.equal(consistentSettled, false, 'the consistent read is still waiting for PostgreSQL');
      proxyC.release();
      assert.equal((await consistent).port, 2, 'once C could ask, the consistent read saw the write');
    } finally {
      proxyC.release();
    }
  });

  it('applies once a write retried with the same request id on another server', async (t) => {
    if (!requirePeer(t, postgres !== undefined, skipReason)) return;
    const params = { name: 'once', host: '127.0.0.1', port: 7, request_id: 'retry-on-another-server' };
    const first = await client(0).register(params);
    const before = await client(1).status();
    const retried = await client(1).register(params);
    assert.deepEqual(retried, first, 'the retry answers the first outcome');
    assert.equal((await client(2).status()).revision, before.revision, 'and wrote nothing');
    assert.equal(first.created, true);
  });

  it('answers a write whose COMMIT acknowledgement was lost with its one outcome when the client retries', async (t) => {
    if (!requirePeer(t, postgres !== undefined, skipReason)) return;
    const [a, b] = [client(0), client(1)];
    const proxyA = proxies[0] ?? assert.fail('no proxy');
    const before = (await b.status()).revision;
    const cut = proxyA.afterNextCommit('cut');
    // RegistryClient sends one request id with every attempt; the first is answered `unavailable`.
    const registered = await a.register({ name: 'lost-ack', host: '127.0.0.1', port: 9 });
    await cut;
    assert.equal(registered.created, true);
    assert.equal(registered.service.revision, before + 1, 'committed once, at the next revision');
    assert.equal((await b.status()).revision, before + 1, 'no second write');
    assert.equal((await b.getService({ name: 'lost-ack' })).revision, before + 1);
  });

  it('answers unavailable, not the outcome, to a caller that sends no request id and loses the acknowledgement', async (t) => {
    if (!requirePeer(t, postgres !== undefined, skipReason)) return;
    const server = servers[0] ?? assert.fail('no server');
    const proxyA = proxies[0] ?? assert.fail('no proxy');
    const socket = await openRawSocket(server.url, server.caPem);
    try {
      const cut = proxyA.afterNextCommit('cut');
      socket.send({ id: 'w', type: 'request', action: 'register', params: { name: 'no-id', host: '127.0.0.1', port: 5 } });
      const answer = await socket.next();
      await cut;
      assert.equal((answer.error as { code?: string } | undefined)?.code, 'unavailable', 'without an id the server cannot tell');
      assert.equal((await client(1).getService({ name: 'no-id' })).port, 5, 'yet it committed: a retry with an id would have said so');
    } finally {
      await socket.close();
    }
  });

  it('lists the three servers as members, live, from each of them', async (t) => {
    if (!requirePeer(t, postgres !== undefined, skipReason)) return;
    const addresses = servers.map((s) => s.url).sort();
    for (const [i, c] of clients.entries()) {
      const members = (await c.call('list_members', {})).filter((m) => m.live);
      assert.deepEqual(members.map((m) => m.address).sort(), addresses);
      assert.equal(members[0]?.self, true);
      assert.equal(members[0]?.address, servers[i]?.url);
      assert.equal(members.filter((m) => m.sweeps).length <= 1, true, 'at most one server sweeps');
      assert.equal(new Set(members.map((m) => m.settings)).size, 1, 'the same settings everywhere');
      const shards = members.flatMap((m) => m.shards);
      assert.equal(new Set(shards).size, shards.length, 'no shard on two servers');
    }
  });
});
