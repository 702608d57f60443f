import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { RegistryError } from '../../src/domain/index.js';
import { LOCK_KEYS } from '../../src/store/internal.js';
import { eventually } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { startClusterServer, startPostgres, sweepLockHolder, type TestPostgres } from '../helpers/postgres.js';
import { type PostgresProxy, startPostgresProxy } from '../helpers/postgres-proxy.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { type ServerProcess, spawnServerProcess } from '../helpers/server-process.js';
import type { TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

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

const serviceOf = (frame: Obj): Obj => ((frame.data as Obj | undefined)?.service ?? {}) as Obj;
const distinctRevisions = (events: readonly Obj[]): number[] => [...new Set(events.map((e) => Number(e.revision)))];
const consecutive = (list: readonly number[]): boolean => list.every((value, i) => i === 0 || value === (list[i - 1] ?? 0) + 1);

const CONNECTIONS = 6;
const PER_CONNECTION = 60;
/** Acknowledgements after which the TTL registration is sent and, once acknowledged, the in-flight write and the kill. */
const KILL_AFTER = 120;
/** The write whose COMMIT reaches PostgreSQL while its acknowledgement is held from A, which dies before it can answer. */
const IN_FLIGHT = { name: 'in-flight', host: '10.3.0.1', port: 7100, request_id: 'in-flight-when-killed' };

describe('SIGKILL of one of three registry servers sharing PostgreSQL', () => {
  it('loses no acknowledged write, answers a retry of the write it was committing elsewhere, and the others take over its sweeps', async (t) => {
    if (!requirePeer(t, postgres !== undefined, skipReason) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'registry-failover-'));
    await chmod(dataDir, 0o755);
    const proxy = await startPostgresProxy(url);
    let a: ServerProcess | undefined;
    const others: TestServer[] = [];
    const sockets: RawSocket[] = [];
    try {
      a = await spawnServerProcess(dataDir, { storeUrl: proxy.url });
      const aName = `registry-${String(a.pid)}`;
      // A claims the sweeps at its first sweep tick; B and C start only after that, so the sweeps must move.
      await eventually(async () => ((await sweepLockHolder(url, LOCK_KEYS.sweeps)) === aName ? true : undefined), 10_000, 'A holds the sweeps');
      for (let i = 0; i < 2; i++) others.push(await startClusterServer(url));
      const [b, c] = others;
      assert.ok(b && c);
      const watcher = await subscribeAll(b);
      sockets.push(watcher.socket);
      const acked = await burstThenKill(a, proxy, sockets);
      assert.equal((await a.exited).signal, 'SIGKILL');

      const [clientB, clientC] = [await RegistryClient.connect(b.url, { ca: b.caPem }), await RegistryClient.connect(c.url, { ca: c.caPem })];
      try {
        // Consistent reads: no waiting for the survivors to catch up.
        for (const client of [clientB, clientC]) {
          const names = new Set((await client.listServices({ active_only: false })).map((s) => s.name));
          assert.deepEqual([...acked].filter((name) => !names.has(name)), [], 'every acknowledged registration is on every survivor');
        }
        const before = (await clientC.status()).revision;
        const retried = await clientC.register(IN_FLIGHT);
        assert.equal(retried.created, true, 'the retry gets the outcome of the write A committed');
        assert.equal((await clientB.status()).revision, before, 'and writes nothing again');
        assert.equal((await clientB.getService({ name: 'in-flight' })).revision, retried.service.revision);

        const after = await clientB.register({ name: 'after-kill', host: '10.0.0.9', port: 7000 });
        assert.equal((await clientC.getService({ name: 'after-kill' })).revision, after.service.revision);
        const expired = await eventually(
          async () => watcher.events.find((e) => e.event === 'HealthChanged' && serviceOf(e).name === 'ttl-probe'),
          15_000,
          'HealthChanged for ttl-probe on B',
        );
        assert.equal((expired.data as Obj).active, false);
        assert.equal(await sweepLockHolder(url, LOCK_KEYS.sweeps), `registry-${String(process.pid)}`, 'B or C sweeps now');
        const members = await clientB.call('list_members', {});
        assert.equal(members.find((m) => m.pid === a?.pid)?.live, false, 'members shows A gone');
        assert.equal(members.filter((m) => m.live && m.sweeps).length, 1, 'one live server sweeps');
      } finally {
        await clientB.close();
        await clientC.close();
      }
    } finally {
      for (const socket of sockets) socket.socket.terminate();
      await a?.close();
      for (const server of others) await server.close();
      await proxy.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/**
 * Pipelines registrations to A over several connections; after KILL_AFTER acknowledgements it
 * registers `ttl-probe` with a 2 s TTL, then sends IN_FLIGHT with its COMMIT's acknowledgement
 * held in the proxy, and kills A with SIGKILL once PostgreSQL has committed it, while the rest of
 * the burst is still in flight. Resolves with every acknowledged name.
 */
async function burstThenKill(a: ServerProcess, proxy: PostgresProxy, sockets: RawSocket[]): Promise<Set<string>> {
  const acked = new Set<string>();
  const burst: RawSocket[] = [];
  for (let i = 0; i <= CONNECTIONS + 1; i++) burst.push(await openRawSocket(a.url, a.caPem));
  sockets.push(...burst);
  const inFlight = burst.pop();
  const probe = burst.pop();
  assert.ok(probe && inFlight);
  return new Promise<Set<string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${String(acked.size)} acknowledgements`)), 30_000);
    let probing = false;
    probe.socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Obj;
      if (frame.id !== 'probe' || frame.error !== undefined) return;
      acked.add('ttl-probe');
      const committed = proxy.afterNextCommit('hold');
      inFlight.socket.on('error', () => undefined);
      inFlight.send({ id: 'in-flight', type: 'request', action: 'register', params: IN_FLIGHT });
      void committed.then(() => {
        a.kill('SIGKILL');
        clearTimeout(timer);
        resolve(acked);
      });
    });
    for (const [conn, socket] of burst.entries()) {
      socket.socket.on('error', () => undefined);
      socket.socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Obj;
        const name = ((frame.result as Obj | undefined)?.service as Obj | undefined)?.name;
        if (typeof name === 'string') acked.add(name);
        if (!probing && acked.size >= KILL_AFTER) {
          probing = true;
          probe.send({ id: 'probe', type: 'request', action: 'register', params: { name: 'ttl-probe', host: '10.0.0.7', port: 7001, ttl: 2 } });
        }
      });
      for (let k = 0; k < PER_CONNECTION; k++) {
        socket.send({ id: `${String(conn)}-${String(k)}`, type: 'request', action: 'register', params: { name: `burst-${String(conn)}-${String(k)}`, host: '10.1.0.1', port: 4000 + k } });
      }
    }
  });
}

describe('PostgreSQL restarted under load', () => {
  it('lets the servers reconnect, and no subscriber misses an event', async (t) => {
    if (!requirePeer(t, postgres !== undefined, skipReason) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const servers = [await startClusterServer(url), await startClusterServer(url)];
    const clients = await Promise.all(servers.map((s) => RegistryClient.connect(s.url, { ca: s.caPem })));
    const watchers = await Promise.all(servers.map((s) => subscribeAll(s)));
    const load = new Load(clients);
    try {
      const running = load.run();
      await load.until(50);
      await postgres.stop();
      await load.untilFailure();
      await postgres.start();
      const resumed = load.succeeded;
      await load.until(resumed + 50);
      load.stop();
      await running;
      const [first] = clients;
      assert.ok(first);
      const last = await eventually(async () => {
        const revisions = await Promise.all(clients.map(async (c) => (await c.status()).revision));
        return revisions.every((r) => r === revisions[0]) ? revisions[0] : undefined;
      }, 10_000, 'both servers at one revision');
      for (const { events } of watchers) {
        await eventually(async () => (Number(events.at(-1)?.revision) === last ? true : undefined), 10_000, 'the last revision');
        const seen = distinctRevisions(events);
        assert.ok(consecutive(seen), `a subscriber saw a gap: ${seen.join(',')}`);
        const names = new Set(events.map((e) => serviceOf(e).name));
        const missing = load.acknowledged.filter((name) => !names.has(name));
        assert.deepEqual(missing, [], 'every acknowledged registration reached every subscriber');
      }
      assert.ok(load.failures > 0, 'writes failed while PostgreSQL was down');
    } finally {
      load.stop();
      for (const watcher of watchers) await watcher.socket.close();
      for (const client of clients) await client.close();
      for (const server of servers) await server.close();
    }
  });
});

/** Registrations in a closed loop on every client; `unavailable` answers count as failures, anything else throws. */
class Load {
  readonly acknowledged: string[] = [];
  failures = 0;
  #stopped = false;
  #next = 0;
  readonly #waiters: { readonly test: () => boolean; readonly resolve: () => void }[] = [];

  constructor(private readonly clients: readonly RegistryClient[]) {}

  get succeeded(): number {
    return this.acknowledged.length;
  }

  run(): Promise<void> {
    return Promise.all(this.clients.map((client) => this.#loop(client))).then(() => undefined);
  }

  stop(): void {
    this.#stopped = true;
  }

  until(succeeded: number): Promise<void> {
    return this.#wait(() => this.acknowledged.length >= succeeded);
  }

  untilFailure(): Promise<void> {
    const before = this.failures;
    return this.#wait(() => this.failures > before);
  }

  #wait(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the load did not get there within 20 s')), 20_000);
      this.#waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async #loop(client: RegistryClient): Promise<void> {
    while (!this.#stopped) {
      const name = `load-${String(this.#next++)}`;
      try {
        await client.register({ name, host: '10.2.0.1', port: 5000 });
        this.acknowledged.push(name);
      } catch (error) {
        if (!(error instanceof RegistryError && error.code === 'unavailable')) throw error;
        this.failures++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const waiter of this.#waiters.filter((w) => w.test())) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
