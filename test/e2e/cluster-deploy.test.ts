/**
 * The one-deployment-per-(node, service) lock lives in the database: with three registry servers
 * on one PostgreSQL and a real sshd (this host is the node), a deployment running on one server
 * refuses a second one of the same service on any server, and a server SIGKILLed mid-deployment
 * leaves its lock to the sweeps of the others, which end its deployment.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { makePackage, refusal, stopLeftovers } from '../deploy/support.js';
import { eventually } from '../helpers/log-capture.js';
import { requirePeer } from '../helpers/peers.js';
import { startClusterServer, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { type ServerProcess, spawnServerProcess } from '../helpers/server-process.js';
import { freePort, type Sshd, sshdUnavailable, startSshd } from '../helpers/sshd.js';
import type { TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

const started = await startPostgres();
const postgres: TestPostgres | undefined = started.ok ? started.postgres : undefined;
after(() => postgres?.close());

/** Every DeploymentProgress event one server sends, in arrival order. */
async function watchDeployments(url: string, ca: string | undefined): Promise<{ readonly socket: RawSocket; readonly events: Obj[] }> {
  const socket = await openRawSocket(url, ca);
  const events: Obj[] = [];
  socket.send({ id: 'sub', type: 'request', action: 'subscribe', params: { events: ['DeploymentProgress'] } });
  assert.equal((await socket.next()).error, undefined);
  socket.socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Obj;
    if (frame.type === 'event') events.push(frame.data as Obj);
  });
  return { socket, events };
}

const eventOf = (events: readonly Obj[], id: string, step: string, status: string): Obj | undefined =>
  events.find((e) => e.deployment_id === id && e.step === step && e.status === status);


describe('the deployment lock across servers on one PostgreSQL', () => {
  let unavailable: string | undefined = started.ok ? undefined : started.reason;
  let sshd: Sshd | undefined;
  let work = '';
  let config = '';
  const live = (t: TestContext): boolean => requirePeer(t, unavailable === undefined, unavailable ?? '');

  before(async () => {
    unavailable ??= await sshdUnavailable();
    if (unavailable !== undefined) return;
    sshd = await startSshd();
    work = await mkdtemp(join(tmpdir(), 'registry-cluster-deploy-'));
    await chmod(work, 0o755);
    const node = ['[[node]]', 'name = "local"', `host = "${sshd.host}"`, `ssh_user = "${sshd.user}"`, `ssh_port = ${sshd.port}`];
    config = [...node, `ssh_key = "${sshd.clientKey}"`, `host_key = "${sshd.hostKeyLine}"`, `install_dir = "${join(work, 'opt')}"`, ''].join('\n');
  });

  after(async () => {
    if (work !== '') await stopLeftovers(join(work, 'opt'));
    await sshd?.close();
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('refuses, on every other server, a deployment of the service while one runs, and takes the next once it ended', { timeout: 120_000 }, async (t) => {
    if (!live(t) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const servers: TestServer[] = [];
    const clients: RegistryClient[] = [];
    let watcher: Awaited<ReturnType<typeof watchDeployments>> | undefined;
    try {
      for (let i = 0; i < 3; i++) servers.push(await startClusterServer(url, config));
      for (const s of servers) clients.push(await RegistryClient.connect(s.url, { ca: s.caPem, timeoutMs: 60_000 }));
      const [a, b, c] = clients;
      assert.ok(a && b && c);
      watcher = await watchDeployments(servers[1]?.url ?? '', servers[1]?.caPem);
      const gate = join(work, 'gate-1');
      const held = await makePackage(work, { version: '1.0.0', port: await freePort(), installGate: gate });
      const heldId = randomUUID();
      const running = a.call('deploy_package', { package_path: held, target_node: 'local', deployment_id: heldId });
      await eventually(async () => eventOf(watcher?.events ?? [], heldId, 'install', 'started'), 30_000, 'the deployment on A at its install step');

      const other = await makePackage(work, { version: '1.0.1', port: await freePort() });
      for (const client of [b, c]) {
        const refused = await refusal(client.call('deploy_package', { package_path: other, target_node: 'local' }));
        assert.equal(refused.code, 'deployment_in_progress');
        assert.equal(refused.details.deployment_id, heldId);
      }
      const aId = (await a.call('list_members', {})).find((m) => m.self)?.id;
      const record = await c.call('get_deployment', { id: heldId });
      assert.equal(record.status, 'running');
      assert.equal(record.server, aId, 'the record names the server that runs it');

      await writeFile(gate, '');
      assert.equal((await running).status, 'succeeded');
      assert.equal((await b.call('deploy_package', { package_path: other, target_node: 'local' })).status, 'succeeded', 'the lock was released');
    } finally {
      await watcher?.socket.close();
      for (const client of clients) await client.close();
      for (const server of servers) await server.close();
    }
  });

  it('ends the deployment of a SIGKILLed server in the sweeps of the others, which frees its lock', { timeout: 120_000 }, async (t) => {
    if (!live(t) || postgres === undefined) return;
    const url = await postgres.createDatabase();
    const dataDir = join(work, 'killed');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'backends.toml'), config);
    let a: ServerProcess | undefined;
    const servers: TestServer[] = [];
    let watcher: Awaited<ReturnType<typeof watchDeployments>> | undefined;
    let clientA: RegistryClient | undefined;
    let clientB: RegistryClient | undefined;
    try {
      a = await spawnServerProcess(dataDir, { storeUrl: url });
      for (let i = 0; i < 2; i++) servers.push(await startClusterServer(url, config));
      const b = servers[0];
      assert.ok(b);
      watcher = await watchDeployments(b.url, b.caPem);
      clientA = await RegistryClient.connect(a.url, { ca: a.caPem, timeoutMs: 60_000 });
      clientB = await RegistryClient.connect(b.url, { ca: b.caPem, timeoutMs: 60_000 });
      const held = await makePackage(work, { version: '2.0.0', port: await freePort(), installGate: join(work, 'never') });
      const dying = randomUUID();
      clientA.call('deploy_package', { package_path: held, target_node: 'local', deployment_id: dying }).catch(() => undefined);
      await eventually(async () => eventOf(watcher?.events ?? [], dying, 'install', 'started'), 30_000, 'the deployment on A at its install step');
      a.kill('SIGKILL');
      await a.exited;
      const ended = await eventually(async () => eventOf(watcher?.events ?? [], dying, 'install', 'failed'), 15_000, 'the sweeps ending it');
      assert.match(String(ended.message), /stopped before it ended/);
      assert.equal((await clientB.call('get_deployment', { id: dying })).status, 'failed');
      const next = await makePackage(work, { version: '2.0.1', port: await freePort() });
      assert.equal((await clientB.call('deploy_package', { package_path: next, target_node: 'local' })).status, 'succeeded');
    } finally {
      // Lets the install script A started end, if the dropped SSH session left it running.
      await writeFile(join(work, 'never'), '');
      await watcher?.socket.close();
      await clientA?.close();
      await clientB?.close();
      await a?.close();
      for (const server of servers) await server.close();
    }
  });
});
