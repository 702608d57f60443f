import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RegistryClient } from '../../src/client/index.js';
import { parseIp, RegistryError } from '../../src/domain/index.js';
import { compileNetwork, unusableReason } from '../../src/ipam/index.js';
import { openStore } from '../../src/store/index.js';
import { eventually } from '../helpers/log-capture.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const NETWORKS = `
[[network]]
name = "wg0"
kind = "wireguard"
cidr = "10.77.0.0/23"
gateway = "10.77.0.1"
reserved = ["10.77.0.2-10.77.0.5", "10.77.1.200"]

[[network]]
name = "tiny"
kind = "lan"
cidr = "192.168.77.0/30"

[[network]]
name = "v6"
kind = "lan"
cidr = "fd00:77::/64"
`;

const rejectsWith = (code: string, reason?: string) => (error: unknown) =>
  error instanceof RegistryError && error.code === code && (reason === undefined || error.details.reason === reason);

describe('IP allocation over the wire', () => {
  let dataDir = '';
  let srv: TestServer | undefined;
  let client: RegistryClient;
  const running = (): TestServer => {
    if (srv === undefined) throw new Error('the server is not running');
    return srv;
  };
  const start = async (): Promise<void> => {
    srv = await startTestServer({ dataDir });
    client = await RegistryClient.connect(srv.url, { ca: srv.caPem });
  };
  const stop = async (): Promise<void> => {
    await client.close();
    await srv?.close();
    srv = undefined;
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'registry-ipam-e2e-'));
    await chmod(dataDir, 0o755);
    await writeFile(join(dataDir, 'backends.toml'), NETWORKS);
    await start();
  });
  after(async () => {
    await stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the configured networks with their capacity', async () => {
    const networks = await client.listNetworks();
    assert.deepEqual(
      networks.map((n) => [n.name, n.kind, n.cidr, n.family, n.capacity, n.allocated]),
      [
        ['wg0', 'wireguard', '10.77.0.0/23', 'IPv4', String(510 - 1 - 4 - 1), 0],
        ['tiny', 'lan', '192.168.77.0/30', 'IPv4', '2', 0],
        ['v6', 'lan', 'fd00:77::/64', 'IPv6', String(2n ** 64n - 1n), 0],
      ],
    );
    assert.equal(networks[0]?.gateway, '10.77.0.1');
  });

  it('gives 500 concurrent allocations from 20 connections 500 distinct addresses that survive a restart', async () => {
    const connections = await Promise.all(Array.from({ length: 20 }, () => RegistryClient.connect(running().url, { ca: running().caPem })));
    let results: { address: string; owner: string }[];
    try {
      const calls = connections.flatMap((c, i) =>
        Array.from({ length: 25 }, (_, j) => c.allocateIp({ network: 'wg0', owner: `peer-${i}-${j}` })),
      );
      results = await Promise.all(calls);
    } finally {
      await Promise.all(connections.map((c) => c.close()));
    }
    const addresses = new Set(results.map((r) => r.address));
    assert.equal(addresses.size, 500);
    const wg0 = compileNetwork({ name: 'wg0', kind: 'wireguard', cidr: '10.77.0.0/23', gateway: '10.77.0.1', reserved: ['10.77.0.2-10.77.0.5', '10.77.1.200'] });
    assert.ok(wg0.ok);
    for (const address of addresses) {
      const parsed = parseIp(address);
      assert.ok(parsed);
      assert.equal(unusableReason(wg0.network, parsed), undefined, `${address} may not be handed out`);
    }
    const before = (await client.listAllocations({ network: 'wg0' })).map((a) => `${a.owner}=${a.address}`).sort();
    await stop();
    await start();
    const afterRestart = (await client.listAllocations({ network: 'wg0' })).map((a) => `${a.owner}=${a.address}`).sort();
    assert.deepEqual(afterRestart, before);
    assert.equal(afterRestart.length, 500);
    const again = await client.allocateIp({ network: 'wg0', owner: 'peer-0-0' });
    assert.deepEqual([again.created, again.address], [false, results[0]?.address]);
    const fresh = await client.allocateIp({ network: 'wg0', owner: 'after-restart' });
    assert.equal(addresses.has(fresh.address), false);
  });

  it('answers a full network at once with network_exhausted and a taken or reserved address with address_unavailable', async () => {
    await client.allocateIp({ network: 'tiny', owner: 'a' });
    await client.allocateIp({ network: 'tiny', owner: 'b' });
    await assert.rejects(client.allocateIp({ network: 'tiny', owner: 'c' }), rejectsWith('network_exhausted'));
    await assert.rejects(client.allocateIp({ network: 'tiny', owner: 'c', ip: '192.168.77.3' }), rejectsWith('address_unavailable', 'broadcast'));
    await assert.rejects(client.allocateIp({ network: 'wg0', owner: 'x', ip: '10.77.0.1' }), rejectsWith('address_unavailable', 'gateway'));
    await assert.rejects(client.allocateIp({ network: 'wg0', owner: 'x', ip: '10.78.0.1' }), rejectsWith('address_unavailable', 'outside'));
    const held = await client.allocateIp({ network: 'v6', owner: 'x', ip: 'fd00:77::0:a' });
    assert.equal(held.address, 'fd00:77::a');
    await assert.rejects(client.allocateIp({ network: 'v6', owner: 'y', ip: 'fd00:77::a' }), rejectsWith('address_unavailable', 'taken'));
    await assert.rejects(client.allocateIp({ network: 'nope', owner: 'y' }), rejectsWith('not_found'));
  });

  it('releases by owner or by address, and refuses both or neither', async () => {
    const a = await client.allocateIp({ network: 'v6', owner: 'rel-a' });
    const b = await client.allocateIp({ network: 'v6', owner: 'rel-b' });
    assert.equal((await client.releaseIp({ network: 'v6', owner: 'rel-a' })).address, a.address);
    assert.equal((await client.releaseIp({ network: 'v6', ip: b.address })).owner, 'rel-b');
    await assert.rejects(client.releaseIp({ network: 'v6', owner: 'rel-a' }), rejectsWith('not_found'));
    await assert.rejects(
      client.releaseIp({ network: 'v6', owner: 'rel-a', ip: a.address }),
      (error: unknown) => error instanceof RegistryError && error.code === 'invalid_params' && /exactly one of owner or ip \(both were given\)/.test(error.message),
    );
    await assert.rejects(client.releaseIp({ network: 'v6' }), /neither was given/);
  });

  it('takes an IPv4-mapped address for the IPv4 address it carries, in allocate and in release', async () => {
    const held = await client.allocateIp({ network: 'wg0', owner: 'mapped', ip: '::ffff:10.77.1.254' });
    assert.equal(held.address, '10.77.1.254');
    await assert.rejects(client.allocateIp({ network: 'wg0', owner: 'other', ip: '10.77.1.254' }), rejectsWith('address_unavailable', 'taken'));
    await assert.rejects(client.allocateIp({ network: 'v6', owner: 'mapped6', ip: '::ffff:10.77.1.98' }), rejectsWith('address_unavailable', 'outside'));
    assert.equal((await client.releaseIp({ network: 'wg0', ip: '::ffff:a4d:1fe' })).owner, 'mapped');
  });

  it('gives a registering service its addresses and releases them when it deregisters, in the same writes', async () => {
    const { service } = await client.call('register_service', { name: 'hub2', port: 4444, allocate: ['wg0', 'v6'] });
    assert.ok(service.addresses.wireguard?.startsWith('10.77.'));
    assert.ok(service.addresses.lan?.startsWith('fd00:77::'));
    assert.equal(service.host, service.addresses.lan);
    const again = await client.call('register_service', { name: 'hub2', port: 4444, allocate: ['wg0'] });
    assert.equal(again.service.addresses.wireguard, service.addresses.wireguard);
    await client.deregister({ name: 'hub2' });
    assert.deepEqual((await client.listAllocations()).filter((a) => a.owner === 'hub2'), []);
    const dbPath = running().config.storage.url;
    await stop();
    const store = await openStore({ location: dbPath });
    try {
      const events = await store.eventsSince(store.compactRevision, 100_000);
      const gone = events.find((e) => e.type === 'ServiceDeregistered' && e.service.name === 'hub2');
      const released = events.filter((e) => e.type === 'IpReleased' && e.owner === 'hub2');
      assert.ok(gone);
      assert.deepEqual(released.map((e) => [e.revision, e.type === 'IpReleased' ? e.address : '']).sort(), [
        [gone.revision, service.addresses.lan],
        [gone.revision, service.addresses.wireguard],
      ].sort());
    } finally {
      await store.close();
      await start();
    }
  });

  it('refuses allocate for two networks of one kind, or for a kind also given by hand', async () => {
    await assert.rejects(client.call('register_service', { name: 's', port: 1, allocate: ['tiny', 'v6'] }), /both of kind lan/);
    await assert.rejects(
      client.call('register_service', { name: 's', port: 1, addresses: { wireguard: '10.1.1.1' }, allocate: ['wg0'] }),
      /addresses\.wireguard: is given and allocate asks network 'wg0'/,
    );
  });

  it('follows a configuration reload: a network added is listed and allocates', async () => {
    await writeFile(join(dataDir, 'backends.toml'), `${NETWORKS}\n[[network]]\nname = "wg1"\nkind = "wireguard"\ncidr = "10.78.0.0/24"\n`);
    await eventually(async () => ((await client.listNetworks()).some((n) => n.name === 'wg1') ? true : undefined), 5_000, 'wg1 listed');
    assert.equal((await client.allocateIp({ network: 'wg1', owner: 'a' })).address, '10.78.0.1');
  });
});
