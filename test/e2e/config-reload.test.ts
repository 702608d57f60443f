import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultConfigPath, loadConfig } from '../../src/config/index.js';
import { createLogger, startServer } from '../../src/server/index.js';
import { captureLogs, eventually, type LogCapture } from '../helpers/log-capture.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

/** What an editor does: write a temporary file, then rename it over the original. */
async function editByRename(path: string, text: string): Promise<void> {
  await writeFile(`${path}.swp`, text);
  await rename(`${path}.swp`, path);
}

const backendToml = (name: string, host: string, port: number) => `[[backend]]\nname = "${name}"\nhost = "${host}"\nport = ${port}\nprotocol = "ws"\n`;

describe('configuration hot reload', () => {
  let srv: TestServer;
  let ws: RawSocket;
  let logs: LogCapture;
  let nextId = 1;

  const list = async (): Promise<Obj[]> => {
    const id = `l${nextId++}`;
    ws.send({ id, type: 'request', action: 'list_services', params: {} });
    const answer = await ws.next();
    assert.equal(answer.id, id);
    return answer.result as Obj[];
  };
  const byName = async (name: string): Promise<Obj | undefined> => (await list()).find((s) => s.name === name);

  before(async () => {
    logs = captureLogs();
    srv = await startTestServer({ logger: logs.logger });
    ws = await openRawSocket(srv.url, srv.caPem);
  });
  after(async () => {
    await ws?.close();
    await srv?.close();
  });

  it('applies an edit made by write-then-rename within 2 s', async () => {
    await editByRename(srv.configPath, backendToml('prod', 'plexus.example.com', 4444));
    const prod = await eventually(() => byName('prod'), 2_000, 'the new backend appearing');
    assert.equal(prod.source, 'file');
    assert.equal(prod.host, 'plexus.example.com');
    await editByRename(srv.configPath, backendToml('prod', 'plexus2.example.com', 4444));
    await eventually(async () => ((await byName('prod'))?.host === 'plexus2.example.com' ? true : undefined), 2_000, 'the second edit');
  });

  it('makes a file entry exactly what the file says: a key taken out of it is not kept', async () => {
    const reload = async (): Promise<void> => {
      ws.send({ id: `r${nextId++}`, type: 'request', action: 'reload', params: {} });
      assert.equal(((await ws.next()).result as Obj).count, 1);
    };
    await editByRename(srv.configPath, `${backendToml('prod', 'plexus2.example.com', 4444)}description = "primary"\nnamespace = "edge"\n`);
    await reload();
    const described = await byName('prod');
    assert.deepEqual([described?.description, described?.namespace], ['primary', 'edge']);
    await editByRename(srv.configPath, backendToml('prod', 'plexus2.example.com', 4444));
    await reload();
    const plain = await byName('prod');
    assert.deepEqual([plain?.description, plain?.namespace, plain?.id], [undefined, undefined, described?.id]);
  });

  it('keeps the last good configuration when the file breaks, and logs the line and reason', async () => {
    await editByRename(srv.configPath, `${backendToml('prod', 'plexus2.example.com', 4444)}[[backend]]\nname = "broken"\nport = "not a number\n`);
    const line = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('configuration rejected'), 2_000);
    assert.match(String(line.msg), /backends\.toml:\d+:\d+: /);
    assert.equal((await byName('prod'))?.host, 'plexus2.example.com');
    assert.equal(await byName('broken'), undefined);
    await editByRename(srv.configPath, `${backendToml('prod', 'plexus2.example.com', 4444)}[[backend]]\nname = "broken"\nhost = "h"\nport = 70000\n`);
    const invalid = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('port') && l.msg.includes('65535'), 2_000);
    assert.match(String(invalid.msg), /backend\[1\]\.port/);
    assert.equal(await byName('broken'), undefined);
  });

  it('never lets a file entry overwrite a manual registration', async () => {
    ws.send({ jsonrpc: '2.0', id: 'm1', method: 'registry.register', params: { name: 'api', host: '10.9.9.9', port: 8443 } });
    assert.equal(((await ws.next()).result as Obj).type, 'backend_registered');
    await editByRename(srv.configPath, backendToml('prod', 'plexus2.example.com', 4444) + backendToml('api', 'file.example.com', 1));
    ws.send({ jsonrpc: '2.0', id: 'm2', method: 'registry.reload' });
    assert.deepEqual((await ws.next()).result, { type: 'reloaded', count: 2 });
    const api = await byName('api');
    assert.equal(api?.source, 'manual');
    assert.equal(api?.host, '10.9.9.9');
  });

  it('removes an entry that was taken out of the file, and leaves manual ones', async () => {
    await editByRename(srv.configPath, backendToml('api', 'file.example.com', 1));
    await eventually(async () => ((await byName('prod')) === undefined ? true : undefined), 2_000, 'prod being removed');
    assert.equal((await byName('api'))?.source, 'manual');
    assert.equal((await byName('plexus'))?.source, 'auto', 'the auto-registered backend stays');
  });

  it('answers reload of a broken file with config_invalid naming the line, changing nothing', async () => {
    await writeFile(srv.configPath, '[[backend]\nname = "x"\n');
    ws.send({ id: 'rl', type: 'request', action: 'reload', params: {} });
    const answer = await ws.next();
    const error = answer.error as Obj;
    assert.equal(error.code, 'config_invalid');
    assert.match(String(error.message), /backends\.toml:1:\d+: /);
    assert.equal((await byName('api'))?.source, 'manual');
  });
});

describe('configuration reload - files that go wrong', () => {
  let srv: TestServer;
  let ws: RawSocket;
  let logs: LogCapture;

  const call = async (id: string, action: string): Promise<Obj> => {
    ws.send({ id, type: 'request', action, params: {} });
    return ws.next();
  };
  const fileBackends = async (): Promise<string[]> =>
    ((await call('list', 'list_services')).result as Obj[]).filter((s) => s.source === 'file').map((s) => String(s.name));

  before(async () => {
    logs = captureLogs();
    srv = await startTestServer({ logger: logs.logger, flags: { autoRegister: false } });
    await writeFile(srv.configPath, backendToml('from-file', '10.0.0.1', 4444));
    ws = await openRawSocket(srv.url, srv.caPem);
    assert.deepEqual((await call('r0', 'reload')).result, { count: 1 });
  });
  after(async () => {
    await ws?.close();
    await srv?.close();
  });

  it('names each setting that changed but applies only at the next start', async () => {
    await writeFile(srv.configPath, `[server]\ntopology_interval = 7\n[limits]\nhandshake_timeout = 20\nmax_connections = 10\n[storage]\nevent_retention = 5\n${backendToml('from-file', '10.0.0.1', 4444)}`);
    assert.deepEqual((await call('r1', 'reload')).result, { count: 1 });
    const warning = await logs.waitFor((l) => Array.isArray(l.keys), 2_000);
    assert.equal(warning.level, 40);
    assert.deepEqual(warning.keys, ['server.topology_interval', 'storage.event_retention', 'limits.handshake_timeout']);
    assert.match(String(warning.msg), /take effect only at the next start: server\.topology_interval, storage\.event_retention, limits\.handshake_timeout$/);
  });

  it('puts [auth] roles and [limits] in force on open connections without a restart, and names neither', async () => {
    const subscriber = await openRawSocket(srv.url, srv.caPem);
    try {
      subscriber.send({ id: 's1', type: 'request', action: 'subscribe', params: {} });
      assert.equal((await subscriber.next()).error, undefined);
      await writeFile(srv.configPath, `[limits]\nmax_subscriptions = 1\n${backendToml('from-file', '10.0.0.1', 4444)}`);
      assert.deepEqual((await call('r4', 'reload')).result, { count: 1 });
      subscriber.send({ id: 's2', type: 'request', action: 'subscribe', params: {} });
      assert.equal(((await subscriber.next()).error as Obj).code, 'limit_exceeded', 'the new limit holds on a connection opened before it');
      const warned = logs.lines.length;
      // Loopback callers lose every role: the next call is refused, and the open stream ends.
      await writeFile(srv.configPath, `[auth]\nloopback_role = "none"\n${backendToml('from-file', '10.0.0.1', 4444)}`);
      assert.deepEqual((await call('r5', 'reload')).result, { count: 1 });
      const ended = await subscriber.next();
      assert.equal(ended.type, 'stream_error');
      assert.equal((ended.error as Obj).code, 'unauthorized');
      assert.equal(((await call('r6', 'status')).error as Obj).code, 'unauthorized', 'an open connection holds the new role');
      assert.equal(logs.lines.slice(warned).some((l) => Array.isArray(l.keys)), false, 'no restart is asked for');
    } finally {
      await subscriber.close();
      // Reload is admin-only now: the file watcher gives loopback its role back.
      await writeFile(srv.configPath, backendToml('from-file', '10.0.0.1', 4444));
      await eventually(async () => ((await call('r7', 'status')).error === undefined ? true : undefined), 5_000, 'loopback admin again');
    }
  });

  it('answers reload of a deleted file it was told to read with config_invalid naming the path, and keeps its backends', async () => {
    await rm(srv.configPath);
    const answer = await call('r2', 'reload');
    const error = answer.error as Obj;
    assert.equal(error.code, 'config_invalid', JSON.stringify(answer));
    assert.equal(error.message, `invalid configuration: ${srv.configPath}: file not found (named by --config)`);
    assert.deepEqual(await fileBackends(), ['from-file']);
  });

  it('logs a rejected file as one line with its place and reason, without a stack', async () => {
    await writeFile(srv.configPath, `${backendToml('from-file', '10.0.0.1', 4444)}[[backend]]\nname = "bad"\nhost = "h"\nport = 70000\n`);
    const answer = await call('r3', 'reload');
    assert.equal((answer.error as Obj).code, 'config_invalid');
    const rejected = logs.lines.filter((l) => String(l.msg).startsWith('configuration rejected')).at(-1);
    assert.ok(rejected !== undefined);
    assert.equal(rejected.msg, `configuration rejected, the last good one stays in force: ${srv.configPath}:9:1: backend[1].port: must be ≤ 65535 (got 70000)`);
    assert.deepEqual(Object.keys(rejected).filter((key) => ['err', 'stack', 'error'].includes(key)), []);
    assert.deepEqual(await fileBackends(), ['from-file']);
  });
});

describe('configuration reload - the default file deleted', () => {
  it('answers config_invalid naming the path, and keeps the backends, networks and nodes it gave', async () => {
    const home = await mkdtemp(join(tmpdir(), 'registry-default-config-'));
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
    const configPath = defaultConfigPath(env);
    await mkdir(dirname(configPath), { recursive: true });
    await writeFile(configPath, `${backendToml('from-file', '10.0.0.1', 4444)}[[network]]\nname = "wg0"\nkind = "wireguard"\ncidr = "10.77.0.0/24"\n`);
    const load = () => loadConfig({ flags: { host: '127.0.0.1', port: 0, autoRegister: false }, env, cwd: home });
    const server = await startServer({ config: await load(), reloadConfig: load, logger: createLogger({ level: 'silent' }), watchConfig: false });
    const ws = await openRawSocket(server.url, server.caPem);
    const call = async (id: string, action: string): Promise<Obj> => {
      ws.send({ id, type: 'request', action, params: {} });
      return ws.next();
    };
    try {
      await rm(configPath);
      const answer = await call('r', 'reload');
      assert.deepEqual(answer.error, {
        code: 'config_invalid',
        message: `invalid configuration: ${configPath}: file not found: it was deleted or moved`,
        details: { file: configPath, issues: [{ source: 'file', message: 'file not found: it was deleted or moved' }] },
      });
      const listed = (await call('l', 'list_services')).result as Obj[];
      assert.deepEqual(listed.map((s) => s.name), ['from-file']);
      const networks = (await call('n', 'list_networks')).result as Obj[];
      assert.deepEqual(networks.map((n) => n.name), ['wg0']);
    } finally {
      await ws.close();
      await server.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
