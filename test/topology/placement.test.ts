import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placeCaller } from '../../src/topology/index.js';
import { configured, hostA } from './fixtures.js';

const kinds = (place: ReturnType<typeof placeCaller>): string[] => place.networks.map((n) => `${n.kind} ${n.cidr}`).sort();

describe('placeCaller', () => {
  it('puts a loopback caller on this host, in every network of it', () => {
    const place = placeCaller(hostA, { remoteAddress: '::ffff:127.0.0.1', localAddress: '::ffff:127.0.0.1' });
    assert.equal(place.onRegistryHost, true);
    assert.equal(place.hostId, 'host-a');
    assert.deepEqual(kinds(place), ['lan 10.231.1.0/24', 'lan 10.231.2.0/24', 'wireguard 10.232.0.1/32']);
    assert.match(place.evidence.join(), /loopback \(127\.0\.0\.1\)/);
  });

  it("puts a caller connecting from one of this host's addresses on this host", () => {
    const place = placeCaller(hostA, { remoteAddress: '10.231.1.1', localAddress: '10.231.1.1' });
    assert.equal(place.onRegistryHost, true);
  });

  it('puts a caller whose remote address is inside a LAN of ours on that LAN only', () => {
    const place = placeCaller(hostA, { remoteAddress: '::ffff:10.231.1.2', localAddress: '::ffff:10.231.1.1' });
    assert.equal(place.onRegistryHost, false);
    assert.equal(place.hostId, undefined);
    assert.deepEqual(kinds(place), ['lan 10.231.1.0/24']);
  });

  it('counts a connection that arrived on our WireGuard address as a tunnel peer, even with a /32 interface', () => {
    const place = placeCaller(hostA, { remoteAddress: '10.232.0.2', localAddress: '10.232.0.1' });
    assert.deepEqual(kinds(place), ['wireguard 10.232.0.1/32']);
    assert.match(place.evidence.join(), /arrived on WireGuard address 10\.232\.0\.1 \(wgA\)/);
  });

  it('places by the snapshot it is given, not by an earlier one it read', () => {
    const facts = { remoteAddress: '10.231.1.2', localAddress: '10.231.1.1' };
    assert.deepEqual(kinds(placeCaller(hostA, facts)), ['lan 10.231.1.0/24']);
    const rescanned = { ...hostA, addresses: hostA.addresses.filter((a) => a.interface !== 'vethAB') };
    assert.deepEqual(kinds(placeCaller(rescanned, facts)), []);
    assert.deepEqual(kinds(placeCaller(hostA, facts)), ['lan 10.231.1.0/24']);
  });

  it('does not count a LAN arrival from outside the LAN as a LAN caller (port forwards)', () => {
    const place = placeCaller(hostA, { remoteAddress: '203.0.113.5', localAddress: '10.231.1.1' });
    assert.deepEqual(kinds(place), []);
    assert.match(place.evidence.join(), /nothing places the caller/);
  });

  it('refines placement with a declared host id and declared networks', () => {
    const declared = placeCaller(hostA, { remoteAddress: '203.0.113.5', hostId: 'host-a' });
    assert.equal(declared.onRegistryHost, true);
    const other = placeCaller(hostA, { remoteAddress: '203.0.113.5', hostId: 'host-b', addresses: ['10.231.2.7', '192.168.50.3/24', '127.0.0.1'] });
    assert.equal(other.onRegistryHost, false);
    assert.equal(other.hostId, 'host-b');
    assert.deepEqual(kinds(other), ['lan 10.231.2.0/24', 'lan 192.168.50.0/24']);
  });

  it('uses configured networks as well as interface networks', () => {
    const topology = { ...hostA, networks: configured({ name: 'overlay', kind: 'wireguard', cidr: '10.240.0.0/16' }) };
    const place = placeCaller(topology, { remoteAddress: '10.240.3.3', localAddress: '198.51.100.10' });
    assert.deepEqual(kinds(place), ['wireguard 10.240.0.0/16']);
  });

  describe('a link-local caller', () => {
    const linkLocal = (iface: string, address: string, network: 'lan' | 'wireguard') =>
      ({ interface: iface, address, family: 'IPv6', network, reason: 'fixture', cidr: 'fe80::/64' }) as const;
    // Every interface holds fe80::/64, the WireGuard one too (as when it is given a link-local address for routing).
    const host = { ...hostA, addresses: [...hostA.addresses, linkLocal('vethAB', 'fe80::a:1', 'lan'), linkLocal('wgA', 'fe80::a:2', 'wireguard')] };

    it('is on the networks of the interface its zone names, and on no other interface’s fe80::/64', () => {
      const place = placeCaller(host, { remoteAddress: 'fe80::b:1%vethAB', localAddress: 'fe80::a:1%vethAB' });
      assert.deepEqual(kinds(place), ['lan 10.231.1.0/24', 'lan fe80::/64']);
      assert.equal(place.networks.every((n) => n.via.includes('came through vethAB')), true);
      assert.match(place.evidence.join(), /link-local address fe80::b:1 came through vethAB, on vethAB 10\.231\.1\.0\/24, vethAB fe80::\/64/);
    });

    it('without a zone, is on the networks of the interface of the address it arrived on', () => {
      const place = placeCaller(host, { remoteAddress: 'fe80::b:1', localAddress: 'fe80::a:1' });
      assert.deepEqual(kinds(place), ['lan 10.231.1.0/24', 'lan fe80::/64']);
    });

    it('that came through the WireGuard interface is a tunnel peer', () => {
      const place = placeCaller(host, { remoteAddress: 'fe80::c:1%wgA', localAddress: 'fe80::a:2%wgA' });
      assert.deepEqual(kinds(place), ['wireguard 10.232.0.1/32', 'wireguard fe80::/64']);
    });

    it('is placed by no declared link-local address: it names no link', () => {
      const place = placeCaller(host, { remoteAddress: '203.0.113.5', addresses: ['fe80::b:1', '169.254.7.7'] });
      assert.deepEqual(kinds(place), []);
    });
  });
});
