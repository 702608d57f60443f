import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { eventually } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { startClusterServer, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import type { TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

const NETWORK = `
[[network]]
name = "overlay"
kind = "wireguard"
cidr = "10.60.0.0/22"
`;
const ALLOCATIONS = 500;

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
const skipReason = started.ok ? '' : started.reason;
after(() => postgres?.close());

/** A raw subscriber to every event of one server; it keeps each event frame in arrival order. */
async function subscribeAll(server: TestServer): Promise<{ readonly socket: RawSocket; readonly events: Obj[] }> {
  const socket = await openRawSocket(server.url, server.caPem);
  const events: Obj[] = [];
  socket.send({ id: 'sub', type: 'request', action: 'subscribe', params: {} });
  const answer = await socket.next();
  assert.equal(answer.error, undefined, JSON.stringify(answer.error));
  socket.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Obj;
    if (frame.type === 'event') events.push(frame);
  });
  return { socket, events };
}

const revisions = (events: readonly Obj[]): number[] => [...new Set(events.map((e) => Number(e.revision)))];

/** True when `list` counts up by one from its first to its last element. */
const consecutive = (list: readonly number[]): boolean => list.every((value, i) => i === 0 || value === (list[i - 1] ?? 0) + 1);

for (const count of [2, 3]) {
  describe(`${String(count)} registry servers on one PostgreSQL`, () => {
    const servers: TestServer[] = [];
    const clients: RegistryClient[] = [];
    const subscribers: { readonly socket: RawSocket; readonly events: Obj[] }[] = [];

    before(async () => {
      if (postgres === undefined) return;
      const url = await postgres.createDatabase();
      for (let i = 0; i < count; i++) servers.push(await startClusterServer(url, NETWORK));
      for (const server of servers) {
        clients.push(await RegistryClient.connect(server.url, { ca: server.caPem }));
        subscribers.push(await subscribeAll(server));
      }
    });

    after(async () => {
      for (const subscriber of subscribers) await subscriber.socket.close();
      for (const client of clients) await client.close();
      for (const server of servers) await server.close();
    });

    it('delivers a registration made on the first server to a subscriber on every server', async (t) => {
      if (!requirePeer(t, postgres !== undefined, skipReason)) return;
      const [a] = clients;
      assert.ok(a);
      const registered = await a.register({ name: 'hub-a', host: '10.0.0.5', port: 4444 });
      for (const subscriber of subscribers) {
        const event = await eventually(async () => subscriber.events.find((e) => ((e.data as Obj).service as Obj).name === 'hub-a'), 5_000, 'the event');
        assert.equal(event.event, 'ServiceRegistered');
        assert.equal(event.revision, registered.service.revision);
      }
    });

    it('resolves on another server a service the first one acknowledged', async (t) => {
      if (!requirePeer(t, postgres !== undefined, skipReason)) return;
      const [a, ...others] = clients;
      assert.ok(a);
      await a.register({ name: 'api-a', host: '127.0.0.1', port: 8443 });
      for (const other of others) {
        const resolved = await eventually(() => other.resolve({ service: 'api-a' }).catch(() => undefined), 2_000, 'resolve on another server');
        assert.equal(resolved.port, 8443);
      }
    });

    it(`hands out ${String(ALLOCATIONS)} distinct addresses to concurrent allocations spread over the servers`, async (t) => {
      if (!requirePeer(t, postgres !== undefined, skipReason)) return;
      const results = await Promise.all(
        Array.from({ length: ALLOCATIONS }, (_, i) => {
          const client = clients[i % clients.length];
          assert.ok(client);
          return client.allocateIp({ network: 'overlay', owner: `node-${String(i)}` });
        }),
      );
      const addresses = new Set(results.map((r) => r.address));
      assert.equal(addresses.size, ALLOCATIONS, 'every allocation got its own address');
      for (const client of clients) {
        const listed = await eventually(async () => {
          const all = await client.listAllocations({ network: 'overlay' });
          return all.length === ALLOCATIONS ? all : undefined;
        }, 10_000, 'every allocation listed on every server');
        assert.deepEqual(new Set(listed.map((a) => a.address)), addresses);
      }
    });

    it('shows every subscriber every revision, without a gap, in order', async (t) => {
      if (!requirePeer(t, postgres !== undefined, skipReason)) return;
      const [a] = clients;
      assert.ok(a);
      const last = (await a.status()).revision;
      for (const { events } of subscribers) {
        await eventually(async () => (Number(events.at(-1)?.revision) === last ? true : undefined), 10_000, 'the last revision');
        const seen = revisions(events);
        assert.ok(consecutive(seen), `revisions ${seen.join(',')} have a gap`);
        assert.equal(seen[0], 1);
      }
    });
  });
}
