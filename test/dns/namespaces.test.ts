/**
 * DNS from real hosts (network namespaces, see test/topology/ns/hosts.ts): A runs the registry
 * with `[dns]` on, B shares A's LAN, C reaches A only through a WireGuard tunnel (wireguard-go),
 * D reaches A over a public range, on neither. Each asks `dig` for the same name from its own
 * namespace and gets the address it can reach, as `resolve` chooses it.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDig } from '../helpers/dns.js';
import { requirePeer } from '../helpers/peers.js';
import { buildHosts, type Hosts, LAN, missingPeers, OUTSIDE, WIREGUARD } from '../topology/ns/hosts.js';
import { callFrom, type NsRegistry, startRegistry, stopRegistry } from '../topology/ns/registry.js';

const CONFIG = `[server]
auto_register = false
topology_interval = 1

[auth]
anonymous_role = "read"

[dns]
enabled = true
port = 0
`;

/** The public address the service declares: data in answers only, never sent to. */
const PUBLIC = '198.51.100.9';

describe('DNS answers across namespaces, a LAN and a WireGuard tunnel', { timeout: 240_000 }, () => {
  let missing: string | undefined;
  let workDir: string | undefined;
  let hosts: Hosts | undefined;
  let registry: NsRegistry | undefined;

  /** `dig` run inside namespace `ns`, asking A at `address`. */
  const digFrom = async (ns: string, address: string, args: readonly string[]) => {
    if (hosts === undefined || registry?.dnsPort === undefined) throw new Error('the hosts or the registry are not up');
    return parseDig(await hosts.inNs(ns, 'dig', [`@${address}`, '-p', String(registry.dnsPort), '+tries=1', '+time=5', ...args]));
  };

  before(async () => {
    missing = await missingPeers();
    if (missing !== undefined) return;
    workDir = await mkdtemp(join(tmpdir(), 'registry-dns-netns-'));
    await chmod(workDir, 0o755);
    hosts = await buildHosts(workDir, { outsider: true });
    const dataDir = join(workDir, 'data');
    await mkdir(dataDir, { mode: 0o755 });
    await writeFile(join(dataDir, 'backends.toml'), CONFIG);
    registry = await startRegistry(hosts.ns.a, dataDir);
    const [topology] = await callFrom(registry, hosts.ns.a, '127.0.0.1', [['get_topology', {}]]);
    const service = {
      name: 'api',
      host_id: topology?.host_id,
      addresses: { local: '127.0.0.1', lan: LAN.a, wireguard: WIREGUARD.a, public: PUBLIC },
      endpoints: [{ name: 'http', port: 8080, protocol: 'http' }],
    };
    const [registered] = await callFrom(registry, hosts.ns.a, '127.0.0.1', [['register_service', service]]);
    assert.equal(registered?.error, undefined, JSON.stringify(registered));
  });

  after(async () => {
    await stopRegistry(registry);
    await hosts?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('answers A with the LAN address to B, the WireGuard address to C, the public one to D and loopback to A', async (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '') || hosts === undefined) return;
    const { ns } = hosts;
    const a = async (host: string, address: string) => (await digFrom(host, address, ['api.service.registry', 'A'])).answer.map((r) => r.data);
    assert.deepEqual(await a(ns.b, LAN.a), [LAN.a], 'B shares the LAN');
    assert.deepEqual(await a(ns.c, WIREGUARD.a), [WIREGUARD.a], 'C is a WireGuard peer');
    assert.deepEqual(await a(ns.d ?? '', OUTSIDE.a), [PUBLIC], 'D is on neither');
    assert.deepEqual(await a(ns.a, '127.0.0.1'), ['127.0.0.1'], 'A is the same host');
    // C's query went through the tunnel: its peer has completed a handshake.
    const handshakes = await hosts.inNs(ns.c, 'wg', ['show', hosts.wg.c, 'latest-handshakes']);
    assert.match(handshakes, /\t[1-9]\d*\s*$/m, handshakes);
  });

  it('gives each caller the same choice as resolve, over TCP too, and in the SRV additional section', async (t) => {
    if (!requirePeer(t, missing === undefined, missing ?? '') || hosts === undefined) return;
    const { ns } = hosts;
    const [fromB] = await callFrom(registry, ns.b, LAN.a, [['resolve', { service: 'api' }]]);
    const [fromC] = await callFrom(registry, ns.c, WIREGUARD.a, [['resolve', { service: 'api' }]]);
    assert.deepEqual([fromB?.address, fromC?.address], [LAN.a, WIREGUARD.a]);
    const overTcp = await digFrom(ns.c, WIREGUARD.a, ['+tcp', 'api.service.registry', 'A']);
    assert.deepEqual(overTcp.answer.map((r) => r.data), [fromC?.address]);
    const srv = await digFrom(ns.b, LAN.a, ['_http._tcp.api.service.registry', 'SRV']);
    assert.deepEqual(srv.answer.map((r) => r.data), ['1 1 8080 api.service.registry.']);
    assert.deepEqual(srv.additional.filter((r) => r.type === 'A').map((r) => r.data), [fromB?.address]);
  });
});
