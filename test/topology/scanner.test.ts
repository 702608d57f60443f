import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { asRevision, type CommittedEvent, ManualClock } from '../../src/domain/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { type AddressCandidate, TopologyScanner, type TopologyScannerOptions } from '../../src/topology/index.js';

const lo: AddressCandidate = { interface: 'lo', address: '127.0.0.1', family: 'IPv4', prefix: 8, link: { arpType: 772 } };
const eth: AddressCandidate = { interface: 'eth0', address: '10.1.0.5', family: 'IPv4', prefix: 24, link: { arpType: 1 } };
const wg: AddressCandidate = { interface: 'wg0', address: '10.8.0.1', family: 'IPv4', prefix: 24, link: { kind: 'wireguard', arpType: 65_534 } };

/** Interface changes cannot be made on the test host without root, so detection is the one injected part. */
describe('TopologyScanner', () => {
  let dir: string;
  let store: Store;
  let interfaces: AddressCandidate[];
  let scanner: TopologyScanner | undefined;
  const topologyEvents = async (): Promise<CommittedEvent[]> =>
    (await store.eventsSince(asRevision(0), 1000)).filter((e) => e.type === 'NetworkTopologyChanged');
  const open = async (options: Partial<TopologyScannerOptions> = {}): Promise<TopologyScanner> => {
    scanner = await TopologyScanner.open({ store, hostId: 'host-1', intervalMs: 3_600_000, detect: async () => interfaces, ...options });
    return scanner;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'registry-scanner-'));
    await chmod(dir, 0o755);
    store = await openStore({ location: join(dir, 'registry.db') });
  });
  afterEach(async () => {
    await scanner?.close();
    scanner = undefined;
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('classifies the first scan without writing an event', async () => {
    interfaces = [lo, eth];
    const clock = new ManualClock(Date.UTC(2026, 0, 2));
    const s = await open({ clock });
    const t = s.current();
    assert.equal(t.hostId, 'host-1');
    assert.equal(t.scannedAt, Date.UTC(2026, 0, 2));
    assert.deepEqual(t.addresses.map((a) => `${a.interface} ${a.address} ${a.network} ${a.cidr}`), [
      'eth0 10.1.0.5 lan 10.1.0.0/24',
      'lo 127.0.0.1 local 127.0.0.0/8',
    ]);
    assert.deepEqual(await topologyEvents(), []);
  });

  it('writes one NetworkTopologyChanged when a rescan finds a different set, and none when it finds the same', async () => {
    interfaces = [lo, eth];
    const s = await open();
    const before = store.revision;
    assert.equal(await s.rescan(), false);
    assert.equal(store.revision, before, 'an unchanged set writes nothing');
    interfaces = [lo, eth, wg];
    assert.equal(await s.rescan(), true);
    const events = await topologyEvents();
    const last = events.at(-1);
    assert.equal(last?.revision, store.revision);
    assert.ok(last?.type === 'NetworkTopologyChanged');
    assert.equal(last.hostId, 'host-1');
    assert.deepEqual(last.addresses.find((a) => a.interface === 'wg0')?.network, 'wireguard');
    assert.equal(await s.rescan(), false);
    assert.equal((await topologyEvents()).length, events.length);
  });

  it('rescans on its own every interval', async () => {
    interfaces = [lo];
    await open({ intervalMs: 20 });
    const seen = new Promise<CommittedEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no NetworkTopologyChanged within 5 s')), 5_000);
      const stop = store.onCommit((events) => {
        const hit = events.find((e) => e.type === 'NetworkTopologyChanged');
        if (hit === undefined) return;
        clearTimeout(timer);
        stop();
        resolve(hit);
      });
    });
    interfaces = [lo, eth];
    const event = await seen;
    assert.ok(event.type === 'NetworkTopologyChanged' && event.addresses.some((a) => a.address === '10.1.0.5'));
  });

  it('keeps the last good topology when a rescan fails, and reports a failed periodic rescan', async () => {
    interfaces = [lo, eth];
    let fail = false;
    let report: (error: unknown) => void = () => undefined;
    const reported = new Promise<unknown>((resolve) => (report = resolve));
    const s = await open({
      intervalMs: 10,
      detect: async () => {
        if (fail) throw new Error('netlink unavailable');
        return interfaces;
      },
      onError: (error) => report(error),
    });
    fail = true;
    await assert.rejects(s.rescan(), /netlink unavailable/);
    assert.match(String(await reported), /netlink unavailable/);
    assert.equal(s.current().addresses.length, 2);
  });

  it('stops rescanning once closed, and close is idempotent', async () => {
    interfaces = [lo];
    let scans = 0;
    const s = await open({
      intervalMs: 5,
      detect: async () => {
        scans += 1;
        return interfaces;
      },
    });
    await Promise.all([s.close(), s.close()]);
    assert.equal(await s.closed, undefined);
    const after = scans;
    assert.equal(await s.rescan(), false);
    assert.equal(scans, after);
  });
});
