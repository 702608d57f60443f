import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { openRawSocket, type RawSocket } from '../helpers/raw-socket.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

type Obj = Record<string, unknown>;

describe('topology operations over a real server', () => {
  let srv: TestServer;
  let client: RegistryClient;
  let raw: RawSocket;
  before(async () => {
    srv = await startTestServer({ flags: { autoRegister: false } });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
    raw = await openRawSocket(srv.url, srv.caPem);
    const { host_id: hostId } = await client.getTopology();
    await client.call('register_service', {
      name: 'api',
      host_id: hostId,
      addresses: { local: '127.0.0.1', lan: '10.231.1.1' },
      endpoints: [
        { name: 'http', port: 8080 },
        { name: 'admin', port: 8081 },
      ],
    });
    await client.call('register_service', { name: 'far-db', host_id: 'far', addresses: { lan: '10.77.0.9' }, endpoints: [{ name: 'pg', port: 5432 }] });
  });
  after(async () => {
    await raw?.close();
    await client?.close();
    await srv?.close();
  });

  it('get_topology answers the host id and the loopback address classified local', async () => {
    const topology = await client.getTopology();
    assert.equal(topology.host_id, hostname());
    const lo = topology.addresses.find((a) => a.address === '127.0.0.1');
    assert.deepEqual([lo?.network, lo?.cidr], ['local', '127.0.0.0/8']);
    assert.ok(topology.scanned_at > 0);
  });

  it('get_topology travels snake_case in the action envelope', async () => {
    raw.send({ id: 't1', type: 'request', action: 'get_topology', params: {} });
    const result = (await raw.next()).result as Obj;
    assert.equal(result.host_id, hostname());
    assert.equal(typeof result.scanned_at, 'number');
    assert.ok(Array.isArray(result.addresses));
  });

  it('resolve answers loopback to a caller on the same host', async () => {
    const r = await client.resolve({ service: 'api' });
    assert.deepEqual(
      { service: r.service, endpoint: r.endpoint, address: r.address, port: r.port, network: r.network },
      { service: 'api', endpoint: 'http', address: '127.0.0.1', port: 8080, network: 'local' },
    );
    assert.match(r.reason, /connected over loopback/);
  });

  it('resolve refines placement with a declared network in the request', async () => {
    const r = await client.resolve({ service: 'far-db', caller: { host_id: 'near', addresses: ['10.77.0.5/24'] } });
    assert.deepEqual([r.address, r.port, r.network], ['10.77.0.9', 5432, 'lan']);
    assert.match(r.reason, /declared network 10\.77\.0\.0\/24/);
  });

  it('resolve places a caller that declares nothing in a request as its connection alone, after a request that declared something', async () => {
    await client.resolve({ service: 'far-db', caller: { host_id: 'near', addresses: ['10.77.0.5/24'] } });
    const r = await client.resolve({ service: 'far-db' });
    assert.doesNotMatch(r.reason, /share lan network|declared network/);
    assert.match(r.reason, /connected over loopback.*answering the service's primary host/);
  });

  it('resolve answers not_found for an unknown service or endpoint, and invalid_params for a bad declaration', async () => {
    await assert.rejects(client.resolve({ service: 'nope' }), { code: 'not_found', message: "service 'nope' not found" });
    await assert.rejects(client.resolve({ service: 'api', endpoint: 'grpc' }), { code: 'not_found', message: /has no endpoint 'grpc' \(it has: http, admin\)/ });
    await assert.rejects(client.resolve({ service: 'api', caller: { addresses: ['10.0.0.300'] } }), {
      code: 'invalid_params',
      message: /caller\.addresses\.0: must be an IP address/,
    });
  });

  it('list_endpoints resolves every endpoint of a service, or of every service', async () => {
    const api = await client.listEndpoints({ service: 'api' });
    assert.deepEqual(api.map((r) => `${r.endpoint} ${r.address}:${r.port} ${r.network}`), ['http 127.0.0.1:8080 local', 'admin 127.0.0.1:8081 local']);
    const all = await client.listEndpoints();
    assert.deepEqual(all.map((r) => `${r.service}/${r.endpoint}`), ['api/http', 'api/admin', 'far-db/pg']);
  });

  it('env answers NAME_ADDR lines resolved for the caller', async () => {
    assert.deepEqual((await client.env({ services: ['api'] })).lines, ['API_ADDR=127.0.0.1:8080']);
    assert.deepEqual((await client.env()).lines, ['API_ADDR=127.0.0.1:8080', 'FAR_DB_ADDR=10.77.0.9:5432']);
    await assert.rejects(client.env({ services: ['api', 'ghost'] }), { code: 'not_found' });
  });

  it('JSON-RPC and the Plexus hub call reach resolve', async () => {
    raw.send({ jsonrpc: '2.0', id: 7, method: 'registry.resolve', params: { service: 'api', endpoint: 'admin' } });
    const direct = (await raw.next()).result as Obj;
    assert.equal(direct.type, 'resolved');
    assert.deepEqual([(direct.endpoint as Obj).address, (direct.endpoint as Obj).port], ['127.0.0.1', 8081]);
    raw.send({ jsonrpc: '2.0', id: 8, method: 'registry-hub.call', params: { method: 'registry.env', params: { services: ['api'] } } });
    const [, data] = await raw.take(3);
    const content = ((data?.params as Obj).result as Obj).content as Obj;
    assert.deepEqual(content, { type: 'env', lines: ['API_ADDR=127.0.0.1:8080'] });
  });

  it('get_topology answers the host id configured in [server] host_id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'registry-hostid-'));
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'backends.toml'), '[server]\nhost_id = "node-7"\ntopology_interval = 5\n');
    const other = await startTestServer({ dataDir: dir });
    try {
      assert.equal(other.config.server.topologyIntervalSeconds, 5);
      const c = await RegistryClient.connect(other.url, { ca: other.caPem });
      try {
        assert.equal((await c.getTopology()).host_id, 'node-7');
      } finally {
        await c.close();
      }
    } finally {
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
