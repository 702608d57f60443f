import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetworkKind } from '../../src/domain/index.js';
import {
  type AddressCandidate,
  ARPHRD_LOOPBACK,
  ARPHRD_NONE,
  classifyAddress,
  classifyIp,
  type LinkFacts,
} from '../../src/topology/index.js';
import { configured as configuredOf } from './fixtures.js';

const ETHER = 1;
const configured = configuredOf(
  { name: 'overlay', kind: 'wireguard', cidr: '10.99.0.0/16' },
  { name: 'office', kind: 'lan', cidr: '203.0.113.0/24' },
);

interface Row {
  readonly title: string;
  readonly iface: string;
  readonly address: string;
  readonly prefix: number;
  readonly link: LinkFacts;
  readonly network: NetworkKind;
  readonly reason: RegExp;
}

const rows: Row[] = [
  { title: 'loopback IPv4', iface: 'lo', address: '127.0.0.1', prefix: 8, link: { arpType: ARPHRD_LOOPBACK }, network: 'local', reason: /loopback 127/ },
  { title: 'loopback IPv4 anywhere in 127/8', iface: 'lo', address: '127.3.2.1', prefix: 8, link: {}, network: 'local', reason: /loopback/ },
  { title: 'loopback IPv6', iface: 'lo', address: '::1', prefix: 128, link: { arpType: ARPHRD_LOOPBACK }, network: 'local', reason: /loopback ::1/ },
  { title: 'RFC 1918 10/8', iface: 'eth0', address: '10.1.2.3', prefix: 24, link: { arpType: ETHER }, network: 'lan', reason: /RFC 1918.*10\.0\.0\.0\/8/ },
  { title: 'RFC 1918 172.16/12', iface: 'eth0', address: '172.31.255.1', prefix: 20, link: { arpType: ETHER }, network: 'lan', reason: /RFC 1918.*172\.16/ },
  { title: 'RFC 1918 192.168/16', iface: 'wlan0', address: '192.168.1.20', prefix: 24, link: { arpType: ETHER }, network: 'lan', reason: /RFC 1918.*192\.168/ },
  { title: 'just outside 172.16/12 is public', iface: 'eth0', address: '172.32.0.1', prefix: 24, link: { arpType: ETHER }, network: 'public', reason: /not in a/ },
  { title: 'CGNAT 100.64/10 is lan', iface: 'eth0', address: '100.100.1.1', prefix: 10, link: { arpType: ETHER }, network: 'lan', reason: /100\.64\.0\.0\/10.*RFC 6598/ },
  { title: 'just outside 100.64/10 is public', iface: 'eth0', address: '100.128.0.1', prefix: 24, link: { arpType: ETHER }, network: 'public', reason: /not in a/ },
  { title: 'unique local fc00::/7 (fd…)', iface: 'eth0', address: 'fd12:3456::1', prefix: 64, link: { arpType: ETHER }, network: 'lan', reason: /unique local/ },
  { title: 'unique local fc00::/7 (fc…)', iface: 'eth0', address: 'fc00::5', prefix: 64, link: { arpType: ETHER }, network: 'lan', reason: /unique local/ },
  { title: 'link-local IPv4', iface: 'eth0', address: '169.254.10.1', prefix: 16, link: { arpType: ETHER }, network: 'lan', reason: /link-local 169\.254/ },
  { title: 'link-local IPv6', iface: 'eth0', address: 'fe80::1c2:3ff:fe04:506', prefix: 64, link: { arpType: ETHER }, network: 'lan', reason: /link-local fe80/ },
  { title: 'public IPv4', iface: 'eth0', address: '198.51.100.7', prefix: 24, link: { arpType: ETHER }, network: 'public', reason: /not in a/ },
  { title: 'public IPv6', iface: 'eth0', address: '2001:db8::7', prefix: 64, link: { arpType: ETHER }, network: 'public', reason: /not in a/ },
  {
    title: 'WireGuard by kernel link kind, even in a private range',
    iface: 'wg0',
    address: '10.8.0.1',
    prefix: 24,
    link: { kind: 'wireguard', arpType: ARPHRD_NONE },
    network: 'wireguard',
    reason: /wg0, link kind wireguard/,
  },
  {
    title: 'WireGuard by userspace UAPI socket, even on a public address',
    iface: 'wgu',
    address: '198.51.100.9',
    prefix: 32,
    link: { arpType: ARPHRD_NONE, uapiSocket: '/var/run/wireguard/wgu.sock' },
    network: 'wireguard',
    reason: /userspace WireGuard \(UAPI socket \/var\/run\/wireguard\/wgu\.sock\)/,
  },
  {
    title: 'WireGuard by configured CIDR on a plain interface',
    iface: 'tun0',
    address: '10.99.4.2',
    prefix: 16,
    link: { arpType: ARPHRD_NONE },
    network: 'wireguard',
    reason: /configured wireguard network overlay \(10\.99\.0\.0\/16\)/,
  },
  {
    title: 'lan by configured CIDR over public space',
    iface: 'eth1',
    address: '203.0.113.40',
    prefix: 24,
    link: { arpType: ETHER },
    network: 'lan',
    reason: /configured lan network office/,
  },
  {
    title: 'a tun device without a UAPI socket is classified by its address',
    iface: 'tun1',
    address: '10.50.0.1',
    prefix: 24,
    link: { arpType: ARPHRD_NONE },
    network: 'lan',
    reason: /RFC 1918/,
  },
];

describe('classifyAddress', () => {
  for (const row of rows) {
    it(`classifies ${row.title} as ${row.network}`, () => {
      const family = row.address.includes(':') ? 'IPv6' : 'IPv4';
      const candidate: AddressCandidate = { interface: row.iface, address: row.address, family, prefix: row.prefix, link: row.link };
      const classified = classifyAddress(candidate, configured);
      assert.equal(classified.network, row.network, classified.reason);
      assert.match(classified.reason, row.reason);
      assert.equal(classified.interface, row.iface);
      assert.equal(classified.address, row.address);
    });
  }

  it('records the interface network with host bits cleared', () => {
    const c = classifyAddress({ interface: 'eth0', address: '10.1.2.3', family: 'IPv4', prefix: 20, link: {} });
    assert.equal(c.cidr, '10.1.0.0/20');
    const v6 = classifyAddress({ interface: 'eth0', address: 'fd00:1:2:3::9', family: 'IPv6', prefix: 64, link: {} });
    assert.equal(v6.cidr, 'fd00:1:2:3::/64');
  });

  it('keeps loopback local even on an interface with a UAPI socket', () => {
    const c = classifyAddress({ interface: 'wgx', address: '127.0.0.2', family: 'IPv4', prefix: 8, link: { uapiSocket: '/x.sock' } });
    assert.equal(c.network, 'local');
  });
});

describe('classifyIp', () => {
  it('reads IPv4-mapped IPv6 addresses as the IPv4 address they carry', () => {
    assert.equal(classifyIp('::ffff:127.0.0.1').network, 'local');
    assert.equal(classifyIp('::ffff:10.0.0.1').network, 'lan');
  });

  it('answers public for a host name', () => {
    assert.deepEqual(classifyIp('api.example.com'), { network: 'public', reason: "'api.example.com' is a host name, not an address" });
  });

  it('puts a configured wireguard network ahead of a configured lan network that holds it', () => {
    const nets = configuredOf({ name: 'site', kind: 'lan', cidr: '10.0.0.0/8' }, { name: 'wg', kind: 'wireguard', cidr: '10.200.0.0/16' });
    assert.equal(classifyIp('10.200.3.4', nets).network, 'wireguard');
    assert.match(classifyIp('10.1.3.4', nets).reason, /configured lan network site/);
  });
});
