/**
 * The DNS interface against a real server on 127.0.0.1 (OS-picked ports), asked with Debian's
 * `dig` and with Node's own resolver (`dns.Resolver` + `setServers`), as any program would.
 */
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { after, before, describe, it } from 'node:test';
import { RegistryClient, sampleSum } from '../../src/client/index.js';
import { answerData, dig, digShort, question, rcodeOf, tcpQueries, udpQueries } from '../helpers/dns.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const CONFIG = `[dns]
enabled = true
port = 0
ttl = 7
negative_ttl = 3
txt_metadata = true

[[node]]
name = "edge1"
host = "198.51.100.7"

[[node]]
name = "edge6"
host = "2001:db8::7"
`;

/** Twenty metadata values of 100 characters: about 2 KB of TXT, more than a UDP answer may hold. */
const BIG_METADATA = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${String(i).padStart(2, '0')}`, 'v'.repeat(100)]));

describe('DNS interface', () => {
  let srv: TestServer;
  let client: RegistryClient;
  let port: number;
  let resolver: Resolver;

  before(async () => {
    srv = await startTestServer({ configText: CONFIG, flags: { autoRegister: false } });
    port = srv.server.dnsPort ?? 0;
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    // Elsewhere, reachable only at its public address: the same answer wherever this machine's interfaces are.
    const elsewhere = { host_id: 'elsewhere' };
    await client.call('register_service', {
      name: 'api', host: '203.0.113.10', ...elsewhere, addresses: { public: '203.0.113.10' },
      endpoints: [{ name: 'http', port: 8080, protocol: 'http' }, { name: 'stats', port: 8125, protocol: 'udp' }],
      metadata: { team: 'core', 'a=b': 'x' },
    });
    await client.call('register_service', { name: 'v6', host: '2001:db8::10', ...elsewhere, addresses: { public: '2001:db8::10' }, port: 443 });
    await client.call('register_service', { name: 'db', host: 'db.example.org', ...elsewhere, port: 5432 });
    await client.call('register_service', { name: 'Billing', host: '203.0.113.20', ...elsewhere, addresses: { public: '203.0.113.20' }, port: 9000 });
    await client.call('register_service', { name: 'big', host: '203.0.113.30', ...elsewhere, addresses: { public: '203.0.113.30' }, port: 1, metadata: BIG_METADATA });
    await client.register({ name: 'hub2', host: '127.0.0.1', port: 4444 });
    resolver = new Resolver({ timeout: 2_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
  });
  after(async () => {
    await client.close();
    await srv.close();
  });

  describe('positive answers', () => {
    it('answers A with the address resolve gives this caller, authoritative, with the configured TTL and no recursion', async () => {
      const a = await dig(port, ['api.service.registry', 'A']);
      assert.equal(a.status, 'NOERROR');
      assert.deepEqual(a.answer, [{ name: 'api.service.registry.', ttl: 7, type: 'A', data: '203.0.113.10' }]);
      assert.ok(a.flags.includes('aa') && !a.flags.includes('ra'), a.flags.join(' '));
      assert.equal((await client.resolve({ service: 'api' })).address, '203.0.113.10');
      assert.deepEqual(await resolver.resolve4('api.service.registry', { ttl: true }), [{ address: '203.0.113.10', ttl: 7 }]);
    });

    it('answers a caller on this host with loopback for a service on this host, as resolve does', async () => {
      assert.deepEqual(await digShort(port, ['hub2.service.registry']), ['127.0.0.1']);
      assert.equal((await client.resolve({ service: 'hub2' })).address, '127.0.0.1');
    });

    it('answers AAAA for an IPv6 address, and NODATA to A for it', async () => {
      assert.deepEqual(await digShort(port, ['v6.service.registry', 'AAAA']), ['2001:db8::10']);
      assert.deepEqual(await resolver.resolve6('v6.service.registry'), ['2001:db8::10']);
      const a = await dig(port, ['v6.service.registry', 'A']);
      assert.deepEqual([a.status, a.answer.length, a.authority[0]?.type], ['NOERROR', 0, 'SOA']);
    });

    it('answers a CNAME for a service whose address is a host name, and does not follow it', async () => {
      const a = await dig(port, ['db.service.registry', 'A']);
      assert.deepEqual(a.answer, [{ name: 'db.service.registry.', ttl: 7, type: 'CNAME', data: 'db.example.org.' }]);
    });

    it('answers SRV for _endpoint._proto names with the A record of the target in the additional section', async () => {
      const srv = await dig(port, ['_http._tcp.api.service.registry', 'SRV']);
      assert.deepEqual(srv.answer, [{ name: '_http._tcp.api.service.registry.', ttl: 7, type: 'SRV', data: '1 1 8080 api.service.registry.' }]);
      assert.deepEqual(srv.additional.filter((r) => r.type !== 'OPT'), [{ name: 'api.service.registry.', ttl: 7, type: 'A', data: '203.0.113.10' }]);
      assert.deepEqual(await digShort(port, ['_stats._udp.api.service.registry', 'SRV']), ['1 1 8125 api.service.registry.']);
      assert.deepEqual(await resolver.resolveSrv('_http._tcp.api.service.registry'), [{ name: 'api.service.registry', port: 8080, priority: 1, weight: 1 }]);
    });

    it('answers SRV on the service name with its first endpoint, as resolve without an endpoint does', async () => {
      assert.deepEqual(await digShort(port, ['api.service.registry', 'SRV']), ['1 1 8080 api.service.registry.']);
    });

    it('gives NXDOMAIN for an endpoint the service lacks and for a protocol the endpoint does not speak', async () => {
      assert.equal((await dig(port, ['_nope._tcp.api.service.registry', 'SRV'])).status, 'NXDOMAIN');
      assert.equal((await dig(port, ['_stats._tcp.api.service.registry', 'SRV'])).status, 'NXDOMAIN');
      assert.equal((await dig(port, ['_http._udp.api.service.registry', 'SRV'])).status, 'NXDOMAIN');
    });

    it('answers TXT with one key=value record per metadata key, the "=" in a key escaped (RFC 1464)', async () => {
      assert.deepEqual(await digShort(port, ['api.service.registry', 'TXT']), ['"a`=b=x"', '"team=core"']);
      assert.deepEqual(await resolver.resolveTxt('api.service.registry'), [['a`=b=x'], ['team=core']]);
    });

    it('answers the addresses of a [[node]]', async () => {
      assert.deepEqual(await digShort(port, ['edge1.node.registry']), ['198.51.100.7']);
      assert.deepEqual(await digShort(port, ['edge6.node.registry', 'AAAA']), ['2001:db8::7']);
      assert.equal((await dig(port, ['edge9.node.registry'])).status, 'NXDOMAIN');
    });

    it('reads names without regard to case, echoing the question as asked', async () => {
      const a = await dig(port, ['ApI.SeRvIcE.ReGiStRy', 'A']);
      assert.deepEqual(a.answer.map((r) => [r.name, r.data]), [['ApI.SeRvIcE.ReGiStRy.', '203.0.113.10']]);
      assert.deepEqual(await digShort(port, ['billing.service.registry']), ['203.0.113.20'], 'a service named with capitals');
      assert.deepEqual(await digShort(port, ['_HTTP._TCP.API.SERVICE.REGISTRY', 'SRV']), ['1 1 8080 api.service.registry.']);
    });
  });

  describe('negative answers', () => {
    it('finds a dotted name across labels, and has no name for one longer than a label', async () => {
      await client.call('register_service', { name: 'web.v2', host: '203.0.113.50', host_id: 'elsewhere', addresses: { public: '203.0.113.50' }, port: 80 });
      await client.call('register_service', { name: 'l'.repeat(64), host: '203.0.113.51', host_id: 'elsewhere', addresses: { public: '203.0.113.51' }, port: 80 });
      try {
        assert.deepEqual(await digShort(port, ['web.v2.service.registry']), ['203.0.113.50'], 'a dotted name spans labels');
        const [long] = (await udpQueries(port, [question(1, `${'l'.repeat(64)}.service.registry`, 'A')])).values();
        assert.deepEqual(long === undefined ? [] : answerData(long), []);
      } finally {
        await client.deregister({ name: 'web.v2' });
        await client.deregister({ name: 'l'.repeat(64) });
      }
    });

    it('lists the services for names that differ in case alone once per revision, not once per unknown name', async () => {
      const lists = async (): Promise<number> =>
        sampleSum(await client.metrics(), 'registry_requests_total', 'registry_requests_total', { operation: 'list_services', dialect: 'dns' });
      await dig(port, ['warm-up.service.registry', 'A']);
      const before = await lists();
      const answers = await udpQueries(port, Array.from({ length: 40 }, (_, i) => question(i + 1, `unknown-${String(i)}.service.registry`, 'A')));
      assert.equal(answers.size, 40);
      assert.deepEqual(new Set([...answers.values()].map(rcodeOf)), new Set(['NXDOMAIN']));
      assert.equal(await lists(), before, 'no write came between: the index of the last miss still holds');
      await client.call('register_service', { name: 'Ledger', host: '203.0.113.40', host_id: 'elsewhere', addresses: { public: '203.0.113.40' }, port: 9100 });
      assert.deepEqual(await digShort(port, ['ledger.service.registry']), ['203.0.113.40'], 'a write moves the revision: the new name is found at once');
      assert.equal(await lists(), before + 1);
      await client.deregister({ name: 'Ledger' });
    });

    it('answers NXDOMAIN for an unknown name with the SOA, its serial the last applied revision and its TTL the negative TTL', async () => {
      const nx = await dig(port, ['nope.service.registry', 'A']);
      assert.deepEqual([nx.status, nx.answer.length], ['NXDOMAIN', 0]);
      const soa = nx.authority[0];
      assert.equal(soa?.name, 'registry.');
      assert.equal(soa?.ttl, 3);
      const [mname, rname, serial, , , , minimum] = (soa?.data ?? '').split(' ');
      assert.deepEqual([mname, rname, Number(minimum)], ['ns.registry.', 'hostmaster.registry.', 3]);
      assert.equal(Number(serial), (await client.status()).revision);
      await assert.rejects(resolver.resolve4('nope.service.registry'), { code: 'ENOTFOUND' });
    });

    it('answers NODATA (NOERROR, no answer, the SOA) for a name that exists without the asked type', async () => {
      for (const [name, type] of [['api.service.registry', 'MX'], ['service.registry', 'A'], ['node.registry', 'A'], ['registry', 'A']] as const) {
        const nodata = await dig(port, [name, type]);
        assert.deepEqual([nodata.status, nodata.answer.length, nodata.authority[0]?.type, nodata.authority[0]?.ttl], ['NOERROR', 0, 'SOA', 3], `${name} ${type}`);
      }
      await assert.rejects(resolver.resolveMx('api.service.registry'), { code: 'ENODATA' });
    });

    it('answers NXDOMAIN for names in no form it serves', async () => {
      for (const name of ['a.b.registry', '_http.api.service.registry', 'x.y.node.registry.extra.registry']) {
        assert.equal((await dig(port, [name, 'A'])).status, 'NXDOMAIN', name);
      }
    });

    it('answers the apex SOA and NS', async () => {
      const soa = await digShort(port, ['registry', 'SOA']);
      assert.match(soa[0] ?? '', /^ns\.registry\. hostmaster\.registry\. \d+ 3600 600 86400 3$/);
      assert.deepEqual(await digShort(port, ['registry', 'NS']), ['ns.registry.']);
      assert.deepEqual(await digShort(port, ['ns.registry', 'A']), ['127.0.0.1'], 'the address the listener is bound to');
    });
  });

  describe('REFUSED outside the domain', () => {
    it('refuses every name outside the domain, never recursing and never authoritative', async () => {
      for (const name of ['example.com', 'registry.example', 'xregistry', '.', 'localhost']) {
        const refused = await dig(port, [name, 'A']);
        assert.deepEqual([refused.status, refused.answer.length, refused.authority.length], ['REFUSED', 0, 0], name);
        assert.ok(!refused.flags.includes('aa') && !refused.flags.includes('ra'), `${name}: ${refused.flags.join(' ')}`);
      }
      await assert.rejects(resolver.resolve4('example.com'), { code: 'EREFUSED' });
    });

    it('refuses zone transfers and other classes', async () => {
      assert.equal((await dig(port, ['+tcp', 'registry', 'AXFR'])).text.includes('Transfer failed'), true);
      assert.equal((await dig(port, ['-c', 'CH', 'version.bind', 'TXT'])).status, 'REFUSED');
    });
  });

  describe('EDNS0 and truncation', () => {
    it('answers an EDNS query with an OPT record offering 1232 bytes, and a plain query without one', async () => {
      assert.equal((await dig(port, ['api.service.registry'])).ednsUdp, 1232);
      const plain = await dig(port, ['+noedns', 'api.service.registry']);
      assert.deepEqual([plain.status, plain.ednsUdp, plain.answer.length], ['NOERROR', undefined, 1]);
    });

    it('answers BADVERS to an EDNS version it does not speak', async () => {
      assert.equal((await dig(port, ['+edns=1', '+noednsneg', 'api.service.registry'])).status, 'BADVERS');
    });

    it('sets TC on UDP when the answer does not fit, and gives the whole answer over TCP', async () => {
      const truncated = await dig(port, ['+ignore', '+noedns', 'big.service.registry', 'TXT']);
      assert.deepEqual([truncated.status, truncated.flags.includes('tc'), truncated.answer.length], ['NOERROR', true, 0]);
      const withEdns = await dig(port, ['+ignore', '+bufsize=4096', 'big.service.registry', 'TXT']);
      assert.ok(withEdns.flags.includes('tc'), 'the answer exceeds the 1232 bytes this server sends over UDP');
      const overTcp = await dig(port, ['+tcp', 'big.service.registry', 'TXT']);
      assert.deepEqual([overTcp.flags.includes('tc'), overTcp.answer.length], [false, 20]);
      const retried = await dig(port, ['big.service.registry', 'TXT']);
      assert.ok(retried.text.includes('Truncated, retrying in TCP mode'), 'dig saw TC and asked again over TCP');
      assert.equal(retried.answer.length, 20);
      assert.equal((await resolver.resolveTxt('big.service.registry')).length, 20, "Node's resolver retries over TCP too");
    });

    it('answers several queries pipelined on one TCP connection', async () => {
      const answers = await tcpQueries(port, [question(1, 'api.service.registry', 'A'), question(2, 'v6.service.registry', 'AAAA'), question(3, 'example.com', 'A')]);
      assert.deepEqual(answers.map((a) => [a.id, rcodeOf(a), answerData(a)[0]]), [[1, 'NOERROR', '203.0.113.10'], [2, 'NOERROR', '2001:db8::10'], [3, 'REFUSED', undefined]]);
    });
  });

  describe('freshness', () => {
    it('answers a registration made just before, its update and its removal, each at once', async () => {
      await client.call('register_service', { name: 'fresh', host: '203.0.113.40', host_id: 'elsewhere', addresses: { public: '203.0.113.40' }, port: 80 });
      assert.deepEqual(await digShort(port, ['fresh.service.registry']), ['203.0.113.40']);
      await client.call('register_service', { name: 'fresh', host: '203.0.113.41', host_id: 'elsewhere', addresses: { public: '203.0.113.41' }, port: 80 });
      const answers = await udpQueries(port, [question(7, 'fresh.service.registry', 'A')]);
      const fresh = answers.get(7);
      assert.deepEqual(fresh === undefined ? [] : answerData(fresh), ['203.0.113.41']);
      await client.deregister({ name: 'fresh' });
      const { revision } = await client.status();
      const gone = await dig(port, ['fresh.service.registry']);
      assert.equal(gone.status, 'NXDOMAIN');
      assert.equal(Number(gone.authority[0]?.data.split(' ')[2]), revision, 'the SOA serial is the revision of the removal');
    });
  });
});
