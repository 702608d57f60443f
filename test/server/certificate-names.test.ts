import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, it } from 'node:test';
import { isWildcardAddress } from '../../src/domain/index.js';
import { certificateNames, interfaceAddresses } from '../../src/server/certificate-names.js';

const info = (address: string, family: 'IPv4' | 'IPv6', scopeid?: number): NetworkInterfaceInfo =>
  (family === 'IPv4'
    ? { address, family, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/24` }
    : { address, family, netmask: 'ffff:ffff:ffff:ffff::', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/64`, scopeid: scopeid ?? 0 });

describe('interfaceAddresses', () => {
  it('lists every address of every interface but IPv6 link-local ones, once each', () => {
    const interfaces = {
      lo: [info('127.0.0.1', 'IPv4'), info('::1', 'IPv6')],
      eth0: [info('192.168.1.20', 'IPv4'), info('fe80::1c2f:5aff:fe01:2', 'IPv6', 2), info('2001:db8::20', 'IPv6')],
      wg0: [info('10.8.0.1', 'IPv4'), info('FE80::9', 'IPv6', 3)],
      eth1: [info('192.168.1.20', 'IPv4')],
    };
    assert.deepEqual(interfaceAddresses(interfaces), ['127.0.0.1', '::1', '192.168.1.20', '2001:db8::20', '10.8.0.1']);
  });
});

describe('certificateNames', () => {
  it('names every interface address when bound to a wildcard address, and [tls] names', async () => {
    assert.ok(isWildcardAddress('0.0.0.0') && isWildcardAddress('::') && !isWildcardAddress('127.0.0.1'));
    const names = await certificateNames({ host: '0.0.0.0', names: ['registry.example', '203.0.113.7'] }, ['10.0.0.5', 'fe80::1%eth0', '10.8.0.1']);
    assert.deepEqual(names.addresses, ['10.0.0.5', '10.8.0.1']);
    assert.deepEqual(names.hostnames.slice(-2), ['registry.example', '203.0.113.7']);
  });

  it('names the bound address, not the interfaces, when bound to one address', async () => {
    const names = await certificateNames({ host: '10.0.0.5', names: [] }, ['10.0.0.5', '10.8.0.1']);
    assert.deepEqual(names.addresses, []);
    assert.equal(names.hostnames.at(-1), '10.0.0.5');
  });
});
