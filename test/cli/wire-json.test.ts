/**
 * `--json` prints the wire answer, byte for byte: each command runs through a proxy that records
 * what the server sent, and its stdout must be that very answer as `--json` renders JSON (two
 * spaces, a final newline). `-o yaml` prints the same value as YAML; errors follow the format.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { RegistryClient } from '../../src/client/index.js';
import { makePackage, stopLeftovers } from '../deploy/support.js';
import { runCaptured, spawnCli } from '../helpers/cli.js';
import { requirePeer } from '../helpers/peers.js';
import { openRawSocket } from '../helpers/raw-socket.js';
import { type RecordingProxy, startRecordingProxy } from '../helpers/recording-proxy.js';
import { freePort, type Sshd, sshdUnavailable, startSshd } from '../helpers/sshd.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;
const asJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

describe('registry --json and -o yaml print the wire answer', () => {
  let work = '';
  let srv: TestServer;
  let proxy: RecordingProxy;
  let client: RegistryClient;
  let sshd: Sshd | undefined;
  let unavailable: string | undefined;
  let env: Record<string, string>;
  const listening = createServer((socket) => socket.end());

  /** Runs a command through the proxy; exactly one answer must have crossed it. */
  const run = async (...argv: string[]) => {
    proxy.received.length = 0;
    const result = await runCaptured(['--url', proxy.url, ...argv], { env });
    const answers = proxy.received.filter((text) => (JSON.parse(text) as Obj).type === 'response');
    assert.equal(answers.length, 1, `one call for ${argv.join(' ')}: ${result.stderr}`);
    return result;
  };

  /** The command's --json output is the answer it received, byte for byte. */
  const sameAsWire = async (...argv: string[]): Promise<Obj> => {
    const result = await run('--json', ...argv);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, asJson(proxy.lastResult()), `registry --json ${argv.join(' ')}`);
    return JSON.parse(result.stdout) as Obj;
  };

  /** A listing reads pages and prints their services together: the wire's service list (here one page holds them all). */
  const sameAsListed = async (...argv: string[]): Promise<void> => {
    const result = await run('--json', ...argv);
    assert.equal(result.code, 0, result.stderr);
    const page = proxy.lastResult() as Obj;
    assert.equal(page.next_cursor, null, 'one page');
    assert.equal(result.stdout, asJson(page.services), `registry --json ${argv.join(' ')}`);
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'registry-cli-json-'));
    await chmod(work, 0o755);
    const dataDir = join(work, 'data');
    await mkdir(dataDir);
    env = { HOME: work, XDG_CONFIG_HOME: join(work, 'config') };
    const tables = ['[[network]]', 'name = "wg0"', 'kind = "wireguard"', 'cidr = "10.101.0.0/24"', ''];
    unavailable = await sshdUnavailable();
    if (unavailable === undefined) {
      sshd = await startSshd();
      tables.push('[[node]]', 'name = "local"', `host = "${sshd.host}"`, `ssh_user = "${sshd.user}"`, `ssh_port = ${sshd.port}`);
      tables.push(`ssh_key = "${sshd.clientKey}"`, `host_key = "${sshd.hostKeyLine}"`, `install_dir = "${join(work, 'opt')}"`, '');
    }
    await writeFile(join(dataDir, 'backends.toml'), tables.join('\n'));
    srv = await startTestServer({ dataDir });
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    proxy = await startRecordingProxy(srv.url, srv.caPem);
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    await client.call('register_service', {
      name: 'api',
      addresses: { local: '127.0.0.1', lan: '10.231.1.1' },
      endpoints: [{ name: 'http', port: 8080, protocol: 'http' }],
      metadata: { team: 'core' },
      // A port that answers, and a check that starts passing: discovery serves the service.
      checks: [{ name: 'tcp', kind: 'tcp', host: '127.0.0.1', port: (listening.address() as AddressInfo).port, initial_status: 'passing' }],
    });
  });

  after(async () => {
    await client?.close();
    await proxy?.close();
    await srv?.close();
    await sshd?.close();
    await new Promise<void>((resolve) => listening.close(() => resolve()));
    if (work !== '') {
      await stopLeftovers(join(work, 'opt'));
      await rm(work, { recursive: true, force: true });
    }
  });

  it('register, update, ping, get, list, services and delete', async () => {
    const registered = await sameAsWire('register', 'hub-json', '10.0.0.5', '4444', '--description', 'json hub');
    assert.equal(registered.created, true);
    assert.equal((registered.service as Obj).is_active, true, 'the record carries is_active');
    await sameAsWire('update', 'hub-json', '--port', '4555');
    await sameAsWire('ping', 'hub-json');
    const got = await sameAsWire('get', 'hub-json');
    assert.equal(typeof got.last_seen, 'number');
    await sameAsListed('list', '--all');
    await sameAsListed('services');
    await sameAsWire('delete', 'hub-json');
  });

  it('register with entry flags, start, stop, restart and set-state', async () => {
    const flags = ['--tag', 'edge', '--meta', 'team=core', '--endpoint', 'http=http://8080', '--address', 'lan=10.0.0.9', '--allocate', 'wg0'];
    const registered = await sameAsWire('register', 'entry-json', ...flags);
    assert.equal(((registered.service as Obj).addresses as Obj).lan, '10.0.0.9');
    assert.equal((await sameAsWire('start', 'entry-json')).state, 'starting');
    assert.equal((await sameAsWire('set-state', 'entry-json', 'running')).state, 'running');
    assert.equal((await sameAsWire('restart', 'entry-json')).state, 'starting');
    assert.equal((await sameAsWire('stop', 'entry-json')).state, 'stopping');
    await sameAsWire('delete', 'entry-json');
  });

  it('call, with any action and its params', async () => {
    await sameAsWire('call', 'list_services');
    const got = await sameAsWire('call', 'get_service', '{"name":"api"}');
    assert.equal(got.name, 'api');
    await sameAsWire('call', 'resolve', '{"service":"api","endpoint":"http"}');
    await sameAsWire('call', 'list_networks');
  });

  it('status and reload', async () => {
    await sameAsWire('status');
    await sameAsWire('reload');
  });

  it('members and snapshot save (the file holds the same answer)', async () => {
    await sameAsWire('members');
    await sameAsWire('--stale', 'members');
    const saved = await sameAsWire('snapshot', 'save', join(work, 'snapshot.json'));
    assert.deepEqual(JSON.parse(await readFile(join(work, 'snapshot.json'), 'utf8')), saved);
  });

  it('topology, resolve, endpoints and env', async () => {
    const topology = await sameAsWire('topology');
    assert.equal(typeof topology.scanned_at, 'number');
    await sameAsWire('resolve', 'api');
    await sameAsWire('endpoints', 'api');
    await sameAsWire('env', 'api');
  });

  it('checks and health', async () => {
    await sameAsWire('checks');
    await sameAsWire('checks', 'api');
    await sameAsWire('health', 'api');
  });

  it('networks and ip allocate, list and release', async () => {
    await sameAsWire('networks');
    await sameAsWire('ip', 'allocate', 'wg0', 'laptop');
    await sameAsWire('ip', 'list');
    await sameAsWire('ip', 'release', 'wg0', 'laptop');
  });

  it('token create, list and revoke', async () => {
    const created = await sameAsWire('token', 'create', '--name', 'ci', '--role', 'read');
    assert.match(String(created.token), /^srg_/);
    const brief = await sameAsWire('token', 'create', '--name', 'brief', '--role', 'read', '--ttl', '15m');
    assert.equal(Number(brief.expires_at) - Number(brief.created_at), 900);
    await sameAsWire('token', 'list');
    await sameAsWire('token', 'revoke', 'ci');
    await sameAsWire('token', 'revoke', 'brief');
  });

  it('nodes, deploy, deployments, deployment and rollback: snake_case with Unix seconds', { timeout: 240_000 }, async (t: TestContext) => {
    if (!requirePeer(t, unavailable === undefined, unavailable ?? '')) return;
    const nodes = await sameAsWire('nodes');
    assert.deepEqual(Object.keys((nodes as unknown as Obj[])[0] ?? {}), ['name', 'host', 'ssh_user', 'ssh_port', 'install_dir', 'host_key', 'deployable']);
    await sameAsWire('deploy', await makePackage(work, { version: '1.0.0', port: await freePort() }), '--node', 'local');
    const second = await sameAsWire('deploy', await makePackage(work, { version: '1.1.0', port: await freePort() }), '--node', 'local');
    assert.equal(second.previous_version, '1.0.0');
    assert.ok(Math.abs(Number(second.started_at) - Date.now() / 1000) < 600, 'started_at is in Unix seconds');
    const steps = second.steps as Obj[];
    assert.ok(steps.every((s) => typeof s.started_at === 'number' && typeof s.duration_ms === 'number'), JSON.stringify(steps));
    await sameAsWire('deployments');
    await sameAsWire('deployment', String(second.id));
    await sameAsWire('rollback', 'hello-service', '--node', 'local');
  });

  it('prints the same answer as YAML with -o yaml and --output=yaml', async () => {
    for (const flag of [['-o', 'yaml'], ['--output=yaml']]) {
      const result = await run(...flag, 'get', 'api');
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(parseYaml(result.stdout), proxy.lastResult());
      assert.match(result.stdout, /^id: /);
    }
    const table = await run('-o', 'table', 'get', 'api');
    assert.match(table.stdout, /^name: +api$/m);
  });

  it('prints a server error as {"error":{code,message,details}} on stderr, the error of the wire', async () => {
    const result = await run('--json', 'get', 'nope');
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    const answer = JSON.parse(proxy.received.at(-1) ?? '{}') as Obj;
    assert.equal(result.stderr, asJson({ error: answer.error }));
    assert.deepEqual(JSON.parse(result.stderr), { error: { code: 'not_found', message: "service 'nope' not found", details: { name: 'nope' } } });
    const yaml = await run('-o', 'yaml', 'get', 'nope');
    assert.deepEqual(parseYaml(yaml.stderr), { error: answer.error });
  });

  it('prints usage and connection errors as JSON too, and nothing else on stderr', async () => {
    const unknown = await runCaptured(['--json', 'frobnicate'], { env });
    assert.equal(unknown.code, 2);
    assert.deepEqual(JSON.parse(unknown.stderr), { error: { code: 'invalid_argument', message: "unknown command 'frobnicate'" } });
    const badPort = await runCaptured(['--url', proxy.url, 'register', 'x', 'h', 'eighty', '--json'], { env });
    assert.equal(badPort.code, 2);
    assert.match((JSON.parse(badPort.stderr) as { error: Obj }).error.message as string, /must be a whole number from 1 to 65535/);
    const refused = await runCaptured(['--json', '--url', 'wss://127.0.0.1:1', 'list'], { env });
    assert.equal(refused.code, 5);
    assert.equal((JSON.parse(refused.stderr) as { error: Obj }).error.code, 'connection_failed');
  });

  it('refuses --json together with another --output', async () => {
    const result = await runCaptured(['--url', proxy.url, '--json', '-o', 'yaml', 'status'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error \[invalid_argument\]: --json asks for json and --output for yaml/);
  });
});

describe('registry watch --json', () => {
  it('prints each event once, exactly as the wire event', { timeout: 60_000 }, async () => {
    const srv = await startTestServer();
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    const raw = await openRawSocket(srv.url, srv.caPem);
    const ca = join(srv.dataDir, 'tls', 'ca.pem');
    const since = (await client.status()).revision + 1;
    const watch = spawnCli(['--url', srv.url, '--ca', ca, '--json', 'watch', '--since', String(since)], {});
    try {
      raw.send({ id: 's', type: 'request', action: 'subscribe', params: { since_revision: since } });
      await client.register({ name: 'watched', host: '10.0.0.7', port: 4444 });
      await client.call('service_action', { name: 'watched', action: 'start' });
      await client.deregister({ name: 'watched' });
      await watch.waitForLine(/"event":"ServiceDeregistered"/);
      const frames = (await raw.take(4)).filter((f) => f.type === 'event');
      const expected = frames.map(({ type: _type, subscription: _subscription, ...event }) => JSON.stringify(event));
      const lines = watch.stdout().trimEnd().split('\n');
      assert.deepEqual(lines, expected);
      for (const line of lines) assert.equal('service' in (JSON.parse(line) as Obj), false, 'the service is in data, once');
    } finally {
      await watch.close();
      await raw.close();
      await client.close();
      await srv.close();
    }
  });
});
