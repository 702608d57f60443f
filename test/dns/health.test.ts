/**
 * DNS answers follow health as `resolve` does: a service whose check turns critical leaves every
 * answer (NXDOMAIN, as an unknown name) and comes back once the check passes again.
 */
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { dig, digShort } from '../helpers/dns.js';
import { startTcpTarget, type Target } from '../helpers/health-targets.js';
import { eventually } from '../helpers/log-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('DNS answers and health', () => {
  let srv: TestServer;
  let client: RegistryClient;
  let target: Target;
  let port: number;
  before(async () => {
    srv = await startTestServer({ configText: '[dns]\nenabled = true\nport = 0\n', flags: { autoRegister: false } });
    port = srv.server.dnsPort ?? 0;
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    target = await startTcpTarget();
  });
  after(async () => {
    await client.close();
    await srv.close();
    await target.close();
  });

  const healthOf = async (active: boolean) => ((await client.getHealth({ name: 'web' })).active === active ? true : undefined);

  it('leaves a critical service out of A, SRV and TXT answers, and answers it again once it passes', async () => {
    const check = { name: 'tcp', kind: 'tcp' as const, host: '127.0.0.1', port: target.port, interval: 1, failures_before_critical: 1, initial_status: 'passing' as const };
    await client.call('register_service', { name: 'web', host: '203.0.113.50', host_id: 'elsewhere', addresses: { public: '203.0.113.50' }, endpoints: [{ name: 'http', port: target.port, protocol: 'http' }], checks: [check] });
    assert.deepEqual(await digShort(port, ['web.service.registry']), ['203.0.113.50']);

    await target.stop();
    await eventually(() => healthOf(false), 15_000, 'web turns critical');
    for (const [name, type] of [['web.service.registry', 'A'], ['_http._tcp.web.service.registry', 'SRV'], ['web.service.registry', 'SRV']] as const) {
      const answer = await dig(port, [name, type]);
      assert.deepEqual([answer.status, answer.answer.length, answer.authority[0]?.type], ['NXDOMAIN', 0, 'SOA'], `${name} ${type}`);
    }
    const resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    await assert.rejects(resolver.resolve4('web.service.registry'), { code: 'ENOTFOUND' });
    await assert.rejects(client.resolve({ service: 'web' }), { code: 'unavailable' }, 'the same rule as resolve');

    await target.start();
    await eventually(() => healthOf(true), 15_000, 'web recovers');
    assert.deepEqual(await digShort(port, ['web.service.registry']), ['203.0.113.50']);
  });

  it('answers NODATA to TXT when txt_metadata is off (the default), the service being there', async () => {
    await client.call('register_service', { name: 'meta', host: '203.0.113.51', host_id: 'elsewhere', addresses: { public: '203.0.113.51' }, port: 80, metadata: { team: 'core' } });
    const txt = await dig(port, ['meta.service.registry', 'TXT']);
    assert.deepEqual([txt.status, txt.answer.length, txt.authority[0]?.type], ['NOERROR', 0, 'SOA']);
    assert.deepEqual(await digShort(port, ['meta.service.registry']), ['203.0.113.51']);
  });
});
