/**
 * Three real hosts from network namespaces (see ns/hosts.ts): A runs the registry, bound to
 * 0.0.0.0 with the certificate it made, B shares A's LAN, C reaches A only through a WireGuard
 * tunnel made with wireguard-go and wg. Each caller runs the real client inside its own namespace,
 * trusting only the registry's CA and dialling A's address on its side (so the certificate must
 * name it), and asks where service `api` on A is.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requirePeer } from '../helpers/peers.js';
import { buildHosts, type Hosts, LAN, missingPeers, run, WIREGUARD } from './ns/hosts.js';
import { callFrom as callIn, type NsRegistry, type Obj, startRegistry, stopRegistry } from './ns/registry.js';

describe('resolution across namespaces, a LAN and a WireGuard tunnel', { timeout: 240_000 }, () => {
  let missing: string | undefined;
  let workDir: string | undefined;
  let hosts: Hosts | undefined;
  let registry: NsRegistry | undefined;

  /** Runs calls with the real client from inside namespace `ns`, connecting to `address`. */
  const callFrom = (ns: string, address: string, calls: readonly [string, Obj][]): Promise<Obj[]> => callIn(registry, ns, address, calls);

  before(async () => {
    missing = await missingPeers();
    if (missing !== undefined) return;
    workDir = await mkdtemp(join(tmpdir(), 'registry-netns-'));
    await chmod(workDir, 0o755);
    hosts = await buildHosts(workDir);
    await mkdir(join(workDir, 'data'), { mode: 0o755 });
    registry = await startRegistry(hosts.ns.a, join(workDir, 'data'));
  });

  after(async () => {
    await stopRegistry(registry);
    await hosts?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it("classifies A's interfaces: loopback local, the veths lan, the userspace WireGuard interface wireguard", async (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '') || hosts === undefined) return;
    const [topology] = await callFrom(hosts.ns.a, '127.0.0.1', [['get_topology', {}]]);
    const addresses = (topology?.addresses ?? []) as Obj[];
    const byAddress = (a: string) => addresses.find((x) => x.address === a);
    assert.equal(byAddress('127.0.0.1')?.network, 'local');
    assert.equal(byAddress(LAN.a)?.network, 'lan');
    assert.deepEqual([byAddress(WIREGUARD.a)?.network, byAddress(WIREGUARD.a)?.interface], ['wireguard', hosts.wg.a]);
    assert.match(String(byAddress(WIREGUARD.a)?.reason), /userspace WireGuard \(UAPI socket/);
    assert.equal(addresses.some((x) => x.interface === hosts?.wg.c), false, "C's UAPI socket is visible from A (one /var/run/wireguard), but its interface is not in A");
  });

  it('resolves api to loopback on A, to A’s LAN address from B, and to A’s WireGuard address from C', async (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '') || hosts === undefined) return;
    const [topology] = await callFrom(hosts.ns.a, '127.0.0.1', [['get_topology', {}]]);
    const service = {
      name: 'api',
      host_id: topology?.host_id,
      addresses: { local: '127.0.0.1', lan: LAN.a, wireguard: WIREGUARD.a },
      endpoints: [{ name: 'http', port: 8080 }],
    };
    const [registered, fromA] = await callFrom(hosts.ns.a, '127.0.0.1', [
      ['register_service', service],
      ['resolve', { service: 'api' }],
    ]);
    assert.equal(registered?.error, undefined, JSON.stringify(registered));
    const [fromB] = await callFrom(hosts.ns.b, LAN.a, [['resolve', { service: 'api' }]]);
    const [fromC] = await callFrom(hosts.ns.c, WIREGUARD.a, [['resolve', { service: 'api' }]]);
    const shape = (r: Obj | undefined) => [r?.address, r?.port, r?.network];
    assert.deepEqual(shape(fromA), ['127.0.0.1', 8080, 'local'], JSON.stringify(fromA));
    assert.deepEqual(shape(fromB), [LAN.a, 8080, 'lan'], JSON.stringify(fromB));
    assert.deepEqual(shape(fromC), [WIREGUARD.a, 8080, 'wireguard'], JSON.stringify(fromC));
    assert.ok(String(fromB?.reason).includes(`share lan network 10.231.1.0/24 (remote address ${LAN.b} is inside`), String(fromB?.reason));
    assert.ok(String(fromC?.reason).includes(`share wireguard network 10.232.0.0/24 (remote address ${WIREGUARD.c} is inside ${hosts.wg.a}`), String(fromC?.reason));
    // C's call went through the tunnel: its peer has completed a handshake.
    const handshakes = await hosts.inNs(hosts.ns.c, 'wg', ['show', hosts.wg.c, 'latest-handshakes']);
    assert.match(handshakes, /\t[1-9]\d*\s*$/m, handshakes);
  });

  it('picks up a new address on the next rescan', async (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '') || hosts === undefined) return;
    const [before] = await callFrom(hosts.ns.a, '127.0.0.1', [['status', {}]]);
    await run('ip', ['-n', hosts.ns.a, 'addr', 'add', '10.231.9.1/24', 'dev', 'lo']);
    const [seen, after] = await callFrom(hosts.ns.a, '127.0.0.1', [
      ['wait_for_address', { address: '10.231.9.1' }],
      ['status', {}],
    ]);
    const added = ((seen?.addresses ?? []) as Obj[]).find((a) => a.address === '10.231.9.1');
    assert.deepEqual([added?.interface, added?.network], ['lo', 'local'], 'an address on the loopback interface is local');
    assert.ok(Number(after?.revision) > Number(before?.revision), 'the change was written as an event');
  });

  it('names a new address of an interface in its certificate, signed by the same CA, before it shows it', async (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '') || hosts === undefined) return;
    const added = '10.231.1.9';
    await run('ip', ['-n', hosts.ns.a, 'addr', 'add', `${added}/${LAN.prefix}`, 'dev', hosts.links.ab]);
    await callFrom(hosts.ns.a, '127.0.0.1', [['wait_for_address', { address: added }]]);
    // The same CA file as at start, and no retry: once the topology shows the address, the certificate names it.
    const [status] = await callFrom(hosts.ns.b, added, [['status', {}]]);
    assert.equal(status?.error, undefined, JSON.stringify(status));
    assert.equal(typeof status?.revision, 'number');
  });

  it('places a link-local caller on the LAN it came through, never on WireGuard, though the tunnel has a link-local address too', async (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '') || hosts === undefined || workDir === undefined) return;
    const { ns, links, wg } = hosts;
    // A tunnel interface with a link-local address (as routing daemons give them): another fe80::/64 on A.
    await run('ip', ['-n', ns.a, 'addr', 'add', 'fe80::a:1/64', 'dev', wg.a]);
    // Bound to :: (0.0.0.0 takes no IPv6 connection); B has no WireGuard at all.
    await mkdir(join(workDir, 'data6'), { mode: 0o755 });
    const dual = await startRegistry(ns.a, join(workDir, 'data6'), '::');
    try {
      const [topology] = await callIn(dual, ns.a, '127.0.0.1', [['wait_for_address', { address: 'fe80::a:1' }]]);
      const service = { name: 'api', host_id: topology?.host_id, addresses: { lan: LAN.a, wireguard: WIREGUARD.a }, endpoints: [{ name: 'http', port: 8080 }] };
      const [registered] = await callIn(dual, ns.a, '127.0.0.1', [['register_service', service]]);
      assert.equal(registered?.error, undefined, JSON.stringify(registered));
      const own = /inet6 (fe80::[0-9a-f:]+)\/64 scope link/.exec(await hosts.inNs(ns.a, 'ip', ['-6', '-o', 'addr', 'show', 'dev', links.ab]))?.[1];
      assert.ok(own !== undefined, `no link-local address on ${links.ab}`);
      const [fromB] = await callIn(dual, ns.b, `${own}%${links.ba}`, [['resolve', { service: 'api' }]]);
      assert.deepEqual([fromB?.address, fromB?.network], [LAN.a, 'lan'], JSON.stringify(fromB));
      assert.match(String(fromB?.reason), new RegExp(`came through ${links.ab}`));
    } finally {
      await stopRegistry(dual);
    }
  });
});
