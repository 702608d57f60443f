/**
 * The service-record commands: `register` with tags, metadata, endpoints, addresses and
 * allocations (and replacing a known name), `start|stop|restart|set-state`, and `get`/`resolve`
 * saying plainly that a service is inactive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import type { Command } from 'commander';
import { buildProgram, type CliIo, EXIT } from '../../src/cli/index.js';
import { ManualClock } from '../../src/domain/index.js';
import { runCaptured } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

const quietIo: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: '/', onShutdownSignal: () => () => undefined };

const NETWORKS = '[[network]]\nname = "wg0"\nkind = "wireguard"\ncidr = "10.102.0.0/24"\n';

describe('registry register, start, stop, restart, set-state, get and resolve', () => {
  let srv: TestServer;
  let client: RegistryClient;
  const clock = new ManualClock(Date.now());
  const run = (...argv: string[]) => runCaptured(['--url', srv.url, '--data-dir', srv.dataDir, ...argv], { env: { HOME: srv.dataDir } });
  const json = async (...argv: string[]): Promise<Obj> => {
    const result = await run('--json', ...argv);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Obj;
  };

  before(async () => {
    srv = await startTestServer({ configText: NETWORKS, clock });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
  });
  after(async () => {
    await client?.close();
    await srv?.close();
  });

  it('registers tags, metadata, endpoints, addresses and an allocated address', async () => {
    const result = await run(
      'register', 'api',
      '--endpoint', 'http=http://8080', '--endpoint', 'metrics=9100',
      '--address', 'lan=192.168.1.20', '--address', 'local=127.0.0.1',
      '--tag', 'http', '--tag', 'edge', '--meta', 'team=core', '--meta', 'owner=ops=a',
      '--allocate', 'wg0',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^registered api at 192\.168\.1\.20:8080 \(http\); addresses local=127\.0\.0\.1 lan=192\.168\.1\.20 wireguard=10\.102\.0\.\d+$/m);
    const service = await client.getService({ name: 'api' });
    assert.deepEqual(service.tags, ['http', 'edge']);
    assert.deepEqual(service.metadata, { team: 'core', owner: 'ops=a' });
    assert.deepEqual(
      service.endpoints.map(({ name, port, protocol }) => ({ name, port, protocol })),
      [
        { name: 'http', port: 8080, protocol: 'http' },
        { name: 'metrics', port: 9100, protocol: 'tcp' },
      ],
    );
    assert.equal(service.addresses.lan, '192.168.1.20');
    const held = await client.listAllocations({ network: 'wg0' });
    assert.deepEqual(held.map((a) => [a.owner, a.address]), [['api', service.addresses.wireguard]]);
    const shown = await run('get', 'api');
    assert.match(shown.stdout, /^endpoints: +http:8080\/http metrics:9100\/tcp$/m);
  });

  it('replaces the whole definition of a known name, and says so', async () => {
    await run('register', 'swap', '10.0.0.5', '4444', '--tag', 'old', '--meta', 'k=v', '--description', 'first');
    const again = await run('register', 'swap', '10.0.0.6', '4445');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'replaced swap at 10.0.0.6:4445 (ws)\n');
    const service = await client.getService({ name: 'swap' });
    assert.deepEqual([service.tags, service.metadata, service.description], [[], {}, undefined]);
    const help = await run('register', '--help');
    assert.match(help.stdout, /REPLACED by this definition/);
  });

  it('refuses malformed flags as usage errors that name the flag, before calling', async () => {
    const cases: [string[], RegExp][] = [
      [['--endpoint', 'http'], /--endpoint 'http': must be name=proto:\/\/port/],
      [['--endpoint', 'http=http://99999'], /port from 1 to 65535/],
      [['--address', 'moon=10.0.0.1'], /--address 'moon=10\.0\.0\.1': the network must be one of local, lan, wireguard, public/],
      [['--meta', 'novalue'], /--meta 'novalue': must be key=value/],
      [['--meta', 'a=1', '--meta', 'a=2'], /--meta: 'a' is given twice/],
    ];
    for (const [flags, message] of cases) {
      const result = await run('register', 'bad', '10.0.0.1', '80', ...flags);
      assert.equal(result.code, EXIT.usage, flags.join(' '));
      assert.match(result.stderr, message);
    }
    await assert.rejects(client.getService({ name: 'bad' }), { code: 'not_found' });
  });

  it('moves a service through start, set-state, restart and stop', async () => {
    await run('register', 'life', '10.0.0.7', '4444');
    const steps: [string[], string][] = [
      [['start', 'life'], 'starting'],
      [['set-state', 'life', 'running'], 'running'],
      [['restart', 'life'], 'starting'],
      [['stop', 'life'], 'stopping'],
      [['set-state', 'life', 'stopped'], 'stopped'],
    ];
    for (const [argv, state] of steps) {
      const result = await run(...argv);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `life is ${state}\n`);
    }
    const illegal = await run('stop', 'life');
    assert.equal(illegal.code, EXIT.failure);
    assert.match(illegal.stderr, /^error \[illegal_transition\]: a service cannot move from 'stopped' to 'stopping'/);
    const unknownState = await run('set-state', 'life', 'sleeping');
    assert.equal(unknownState.code, EXIT.usage);
    assert.match(unknownState.stderr, /Allowed choices are registered, starting, running, stopping, stopped, failed/);
    assert.equal((await run('start', 'nobody')).code, EXIT.notFound);
  });

  it('says plainly that a service whose TTL ran out is inactive, in get and resolve', async () => {
    await run('register', 'quiet', '10.0.0.8', '4444', '--ttl', '5');
    clock.advance(60_000);
    const shown = await run('get', 'quiet');
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^quiet is INACTIVE: no sign of life within its TTL of 5s; discovery .* until it pings again \(registry ping quiet\)$/m);
    assert.match(shown.stdout, /^active: +no$/m);
    const resolved = await run('resolve', 'quiet');
    assert.equal(resolved.code, EXIT.unavailable);
    assert.match(resolved.stderr, /^error \[unavailable\]: quiet is INACTIVE: no sign of life within its TTL of 5s; discovery hands out no address for it/);
    // JSON stays the wire: the record with is_active false, and the server's own error.
    assert.equal((await json('get', 'quiet')).is_active, false);
    const wireError = await run('--json', 'resolve', 'quiet');
    assert.match((JSON.parse(wireError.stderr) as { error: Obj }).error.message as string, /^service 'quiet' is unhealthy/);
    await run('ping', 'quiet');
    assert.doesNotMatch((await run('get', 'quiet')).stdout, /INACTIVE/);
  });

  it('says plainly that a service with a critical check is inactive', async () => {
    await client.call('register_service', {
      name: 'sick',
      host: '127.0.0.1',
      port: 9,
      checks: [{ name: 'tcp', kind: 'tcp', host: '127.0.0.1', port: 9, interval: '1h', initial_status: 'critical' }],
    });
    const shown = await run('get', 'sick');
    // The check's first run may come before or after the get: either way the line says why.
    assert.match(shown.stdout, /^sick is INACTIVE: tcp: (critical until its first run|TCP connect 127\.0\.0\.1:9: .*); discovery .* while a check is critical$/m);
    assert.match((await run('resolve', 'sick')).stderr, /^error \[unavailable\]: sick is INACTIVE: tcp: /);
  });

  it('shows ranges as people write them, never 9007199254740991', async () => {
    const since = await run('watch', '--since', '99999999999999999');
    assert.equal(since.code, EXIT.usage);
    assert.match(since.stderr, /must be a whole number, 0 or more/);
    assert.doesNotMatch(since.stderr, /9007199254740991/);
    const helps: string[] = [];
    const walk = (command: Command): void => {
      helps.push(command.helpInformation());
      command.commands.forEach(walk);
    };
    walk(buildProgram(quietIo, () => undefined));
    assert.ok(helps.length > 40, `${helps.length} help texts`);
    for (const help of helps) assert.doesNotMatch(help, /\d{10,}/, help);
  });
});
