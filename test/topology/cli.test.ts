import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { runCaptured } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('registry resolve, endpoints, env and topology', () => {
  let srv: TestServer;
  let run: (...argv: string[]) => ReturnType<typeof runCaptured>;
  before(async () => {
    srv = await startTestServer({ flags: { autoRegister: false } });
    const env = { HOME: srv.dataDir, XDG_CONFIG_HOME: join(srv.dataDir, 'config') };
    run = (...argv) => runCaptured(['--url', srv.url, '--data-dir', srv.dataDir, ...argv], { env });
    const client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    try {
      await client.call('register_service', { name: 'api', host: '127.0.0.1', endpoints: [{ name: 'http', port: 8080, protocol: 'http' }, { name: 'metrics', port: 9100 }] });
    } finally {
      await client.close();
    }
  });
  after(() => srv.close());

  it('resolve prints the address, the network and the reason', async () => {
    const result = await run('resolve', 'api');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^address:\s+127\.0\.0\.1:8080$/m);
    assert.match(result.stdout, /^network:\s+local$/m);
    assert.match(result.stdout, /^reason:\s+caller is on this host/m);
  });

  it('resolve --endpoint --json prints the resolved endpoint as JSON', async () => {
    const result = await run('--json', 'resolve', 'api', '--endpoint', 'metrics');
    assert.equal(result.code, 0, result.stderr);
    const value = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual([value.endpoint, value.port, value.network], ['metrics', 9100, 'local']);
  });

  it('resolve exits 3 for an unknown endpoint', async () => {
    const result = await run('resolve', 'api', '--endpoint', 'grpc');
    assert.equal(result.code, 3);
    assert.match(result.stderr, /no endpoint 'grpc'/);
  });

  it('endpoints prints one row per endpoint', async () => {
    const result = await run('endpoints', 'api');
    assert.equal(result.code, 0, result.stderr);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^SERVICE\s+ENDPOINT\s+ADDRESS\s+PROTOCOL\s+NETWORK\s+REASON$/);
    assert.deepEqual(rows.map((r) => r.split(/\s+/).slice(0, 5).join(' ')), ['api http 127.0.0.1:8080 http local', 'api metrics 127.0.0.1:9100 tcp local']);
  });

  it('env prints lines a shell can eval', async () => {
    const result = await run('env', 'api');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "API_ADDR='127.0.0.1:8080'\n");
  });

  it("topology prints the host id and each address's kind and reason", async () => {
    const result = await run('topology');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^host id:\s+\S+$/m);
    assert.match(result.stdout, /^INTERFACE\s+ADDRESS\s+NETWORK CIDR\s+KIND\s+REASON$/m);
    assert.match(result.stdout, /^lo\s+127\.0\.0\.1\s+127\.0\.0\.0\/8\s+local\s+loopback 127\.0\.0\.0\/8$/m);
  });
});
