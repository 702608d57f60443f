import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient, type StreamedEvent } from '../../src/client/index.js';
import { RegistryError } from '../../src/domain/index.js';
import { type HttpTarget, type ServerWithTarget, startServerWithTarget } from '../helpers/health-targets.js';
import { eventually } from '../helpers/log-capture.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

/** Every HealthChanged of the server, kept as they arrive. */
async function watchHealth(client: RegistryClient): Promise<{ readonly events: StreamedEvent[]; close(): Promise<void> }> {
  const stream = client.subscribe({ events: ['HealthChanged'] });
  const events: StreamedEvent[] = [];
  const pump = (async () => {
    for await (const event of stream) events.push(event);
  })();
  // The subscription is open once a status says so; give it the first connect.
  await eventually(async () => ((await client.status()).revision >= 0 ? true : undefined));
  return { events, close: async () => (await stream.close(), await pump) };
}

const moves = (events: readonly StreamedEvent[], service: string): string[] =>
  events.flatMap((e) => (e.event === 'HealthChanged' && e.data.service.name === service ? [`${e.data.from}→${e.data.to}`] : []));

describe('health checks on a running server', () => {
  let srv: TestServer;
  let client: RegistryClient;
  let target: HttpTarget;
  let fixture: ServerWithTarget;
  before(async () => {
    fixture = await startServerWithTarget();
    ({ srv, client, target } = fixture);
  });
  after(() => fixture.close());

  it('resolve refuses the service once its check is critical, names the failure, and serves it again after recovery', async () => {
    const watch = await watchHealth(client);
    try {
      const check = { name: 'http', kind: 'http' as const, url: `${target.url}/health`, interval: 1, failures_before_critical: 2, initial_status: 'passing' as const };
      await client.register({ name: 'web', host: '127.0.0.1', port: target.port, checks: [check] });
      assert.equal((await client.resolve({ service: 'web' })).port, target.port);

      await target.stop();
      await eventually(async () => (moves(watch.events, 'web').length === 1 ? true : undefined), 15_000, 'web turns critical');
      const refused = await client.resolve({ service: 'web' }).then(() => undefined, (error: unknown) => error);
      assert.ok(refused instanceof RegistryError && refused.code === 'unavailable', String(refused));
      const checks = refused.details.checks as Obj[];
      assert.equal(checks[0]?.name, 'http');
      assert.match(String(checks[0]?.output), /ECONNREFUSED/);
      assert.equal((await client.resolve({ service: 'web', include_unhealthy: true })).port, target.port);
      assert.deepEqual(await client.listEndpoints({}).then((list) => list.filter((e) => e.service === 'web')), []);
      await assert.rejects(client.env({ services: ['web'] }), { code: 'unavailable' });
      assert.ok(!(await client.listServices({ active_only: true })).some((s) => s.name === 'web'));
      assert.equal((await client.getHealth({ name: 'web' })).active, false);

      await target.start();
      await eventually(async () => (moves(watch.events, 'web').length === 2 ? true : undefined), 15_000, 'web recovers');
      assert.equal((await client.resolve({ service: 'web' })).port, target.port);
      assert.deepEqual(moves(watch.events, 'web'), ['passing→critical', 'critical→passing']);
    } finally {
      await watch.close();
    }
  });

  it('deregisters a service whose check stayed critical for deregister_critical_after, with its event', async () => {
    const ws = await openRawSocket(srv.url, srv.caPem);
    try {
      ws.send({ id: 's', type: 'request', action: 'subscribe', params: { events: ['HealthChanged', 'ServiceDeregistered'], services: ['doomed'] } });
      await ws.next();
      await target.stop();
      const check = { name: 'http', kind: 'http' as const, url: `${target.url}/doomed`, interval: 1, failures_before_critical: 1, deregister_critical_after: '1s', initial_status: 'passing' as const };
      await client.register({ name: 'doomed', host: '127.0.0.1', port: target.port, checks: [check] });
      const [critical, gone] = await ws.take(2, 15_000);
      assert.deepEqual([critical?.event, (critical?.data as Obj).to, gone?.event], ['HealthChanged', 'critical', 'ServiceDeregistered']);
      await assert.rejects(client.getService({ name: 'doomed' }), { code: 'not_found' });
    } finally {
      await target.start();
      await ws.close();
    }
  });

  it('leaves a critical backend out of Plexus registry.list (active_only) and reports is_active false', async () => {
    const dead = { name: 'probe', kind: 'tcp' as const, host: '127.0.0.1', port: 9, interval: 1, failures_before_critical: 1 };
    await client.register({ name: 'gone', host: '127.0.0.1', port: 9, checks: [dead] });
    await eventually(async () => ((await client.getHealth({ name: 'gone' })).checks.some((c) => c.name === 'probe' && c.output !== '') ? true : undefined), 15_000);
    const ws = await openRawSocket(srv.url, srv.caPem);
    try {
      ws.send({ jsonrpc: '2.0', id: 1, method: 'registry.list', params: {} });
      const listed = ((await ws.next()).result as Obj).backends as Obj[];
      assert.ok(!listed.some((b) => b.name === 'gone'));
      ws.send({ jsonrpc: '2.0', id: 2, method: 'registry.get', params: { name: 'gone' } });
      assert.equal((((await ws.next()).result as Obj).backend as Obj).is_active, false);
    } finally {
      await ws.close();
    }
  });
});

describe('script checks', () => {
  const withServer = async (toml: string, body: (client: RegistryClient) => Promise<void>): Promise<void> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'registry-script-'));
    await chmod(dataDir, 0o755);
    await writeFile(join(dataDir, 'backends.toml'), toml);
    const srv = await startTestServer({ dataDir, flags: { autoRegister: false } });
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    try {
      await body(client);
    } finally {
      await client.close();
      await srv.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  const script = { name: 'script', kind: 'script' as const, command: ['/bin/sh', '-c', 'echo degraded; exit 1'], interval: 1, failures_before_warning: 1, initial_status: 'passing' as const };

  it('refuses a script check while [health] allow_scripts is off, and stores nothing', async () => {
    await withServer('', async (client) => {
      await assert.rejects(client.register({ name: 'job', host: '127.0.0.1', port: 1, checks: [script] }), (error: unknown) => {
        assert.ok(error instanceof RegistryError && error.code === 'forbidden');
        assert.equal(error.details.reason, 'scripts_disabled');
        return true;
      });
      await assert.rejects(client.getService({ name: 'job' }), { code: 'not_found' });
    });
  });

  it('refuses a script check to a caller below admin even when scripts are allowed', async () => {
    await withServer('[health]\nallow_scripts = true\n\n[auth]\nloopback_role = "write"\n', async (client) => {
      await client.register({ name: 'job', host: '127.0.0.1', port: 1 });
      await assert.rejects(client.addCheck({ service: 'job', check: script }), { code: 'forbidden' });
    });
  });

  it('runs an allowed script check: exit code 1 is a warning, with the script output', async () => {
    await withServer('[health]\nallow_scripts = true\n', async (client) => {
      await client.register({ name: 'job', host: '127.0.0.1', port: 1, checks: [script] });
      const report = await eventually(async () => {
        const health = await client.getHealth({ name: 'job' });
        return health.status === 'warning' ? health : undefined;
      }, 15_000, 'the script check turns warning');
      assert.equal(report.active, true, 'a warning is still served');
      assert.equal(report.checks.find((c) => c.name === 'script')?.output, 'degraded');
    });
  });
});
