import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { runCaptured, spawnCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('registry services and watch', () => {
  let srv: TestServer;
  let client: RegistryClient;
  const target = () => ['--url', srv.url, '--ca', join(srv.dataDir, 'tls', 'ca.pem')];
  before(async () => {
    srv = await startTestServer();
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    await client.call('register_service', { name: 'api', addresses: { lan: '10.3.0.2' }, endpoints: [{ name: 'http', port: 8080 }] });
  });
  after(async () => {
    await client?.close();
    await srv?.close();
  });

  it('lists service entries with state, addresses and endpoints', async () => {
    const result = await runCaptured([...target(), 'services'], { env: {} });
    assert.equal(result.code, 0, result.stderr);
    const line = result.stdout.split('\n').find((l) => l.startsWith('api '));
    assert.match(line ?? '', /registered\s+lan=10\.3\.0\.2\s+http:8080\/tcp\s+manual/);
  });

  it('streams events from --since, then live ones, until interrupted', async () => {
    const watch = spawnCli([...target(), 'watch', '--since', '1', '--events', 'ServiceRegistered'], {});
    try {
      await watch.waitForLine(/#1\s+ServiceRegistered\s+plexus/);
      await client.register({ name: 'late', host: '10.3.0.9', port: 9 });
      await watch.waitForLine(/ServiceRegistered\s+late/);
      watch.child.kill('SIGINT');
      const exit = await watch.exited;
      assert.equal(exit.code, 0, exit.stderr);
    } finally {
      await watch.close();
    }
  });

  it('rejects an unknown event name naming it', async () => {
    const result = await runCaptured([...target(), 'watch', '--events', 'Nope'], { env: {} });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--events: unknown event Nope/);
  });
});
