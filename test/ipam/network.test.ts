import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIp } from '../../src/domain/index.js';
import {
  compileNetwork,
  compileNetworks,
  type Network,
  networkCatalog,
  type NetworkDefinition,
  nextUsableOffset,
  unusableReason,
} from '../../src/ipam/index.js';
import { isUsableOffset, oracleFor, usableCount } from './support.js';

function compiled(definition: Omit<NetworkDefinition, 'name' | 'kind'>): Network {
  const result = compileNetwork({ name: 'n', kind: 'lan', ...definition });
  if (!result.ok) throw new Error(`does not compile: ${JSON.stringify(result.issues)}`);
  return result.network;
}

const reasonFor = (network: Network, ip: string) => {
  const address = parseIp(ip);
  assert.ok(address);
  return unusableReason(network, address)?.kind;
};

describe('compileNetwork', () => {
  it('excludes the network and broadcast addresses of an IPv4 /24 and /30', () => {
    const n24 = compiled({ cidr: '10.8.0.0/24' });
    assert.equal(n24.capacity, 254n);
    assert.equal(reasonFor(n24, '10.8.0.0'), 'network');
    assert.equal(reasonFor(n24, '10.8.0.255'), 'broadcast');
    const n30 = compiled({ cidr: '10.8.0.4/30' });
    assert.equal(n30.capacity, 2n);
    assert.equal(nextUsableOffset(n30, 0n), 1n);
    assert.equal(nextUsableOffset(n30, 3n), undefined);
  });

  it('hands out both addresses of a /31 (RFC 3021) and the one of a /32', () => {
    assert.equal(compiled({ cidr: '10.8.0.6/31' }).capacity, 2n);
    assert.equal(reasonFor(compiled({ cidr: '10.8.0.6/31' }), '10.8.0.6'), undefined);
    assert.equal(compiled({ cidr: '10.8.0.9/32' }).capacity, 1n);
  });

  it('excludes only the subnet-router anycast address of an IPv6 block: there is no broadcast', () => {
    const n = compiled({ cidr: 'fd00::/120' });
    assert.equal(n.capacity, 255n);
    assert.equal(reasonFor(n, 'fd00::'), 'anycast');
    assert.equal(reasonFor(n, 'fd00::ff'), undefined);
    assert.equal(compiled({ cidr: 'fd00::/64' }).capacity, 2n ** 64n - 1n);
  });

  it('never hands out the IPv4-mapped block from an IPv6 block wide enough to span it', () => {
    const wide = compiled({ cidr: '::/64' });
    const mapped = 0xffffn << 32n;
    assert.equal(wide.capacity, 2n ** 64n - 1n - 2n ** 32n);
    assert.equal(nextUsableOffset(wide, mapped), mapped + 2n ** 32n);
    assert.equal(nextUsableOffset(wide, mapped - 1n), mapped - 1n);
    assert.equal(reasonFor(wide, '::ffff:10.0.0.1'), 'outside', 'a mapped address is IPv4, outside an IPv6 block');
    assert.equal(compiled({ cidr: 'fd00::/64' }).capacity, 2n ** 64n - 1n);
  });

  it('excludes the gateway and reserved ranges, merging those that touch', () => {
    const n = compiled({ cidr: '10.8.0.0/24', gateway: '10.8.0.1', reserved: ['10.8.0.2', '10.8.0.3-10.8.0.9', '10.8.0.250-10.8.0.254'] });
    assert.equal(n.capacity, 254n - 9n - 5n);
    assert.equal(nextUsableOffset(n, 0n), 10n);
    assert.equal(nextUsableOffset(n, 249n), 249n);
    assert.equal(nextUsableOffset(n, 250n), undefined);
    assert.equal(reasonFor(n, '10.8.0.1'), 'gateway');
    assert.equal(reasonFor(n, '10.8.0.5'), 'reserved');
    assert.equal(reasonFor(n, '10.9.0.5'), 'outside');
    assert.equal(reasonFor(n, 'fd00::1'), 'outside');
  });

  it('reports every bad field: a gateway or reserved address outside, a range that ends before it starts', () => {
    const result = compileNetwork({
      name: 'n',
      kind: 'lan',
      cidr: '10.8.0.0/24',
      gateway: '10.9.0.1',
      reserved: ['10.8.0.9-10.8.0.3', 'nope', '10.8.1.1'],
    });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.ok ? [] : result.issues.map((i) => i.field),
      ['gateway', 'reserved[0]', 'reserved[1]', 'reserved[2]'],
    );
  });

  it('finds the next usable offset as the independent rules do, for random exclusions', () => {
    const block = fc.constantFrom('10.0.0.0/24', '10.0.0.0/28', '10.0.0.0/31', '10.0.0.0/32', 'fd00::/120', 'fd00::/126');
    fc.assert(
      fc.property(block, fc.array(fc.tuple(fc.nat(300), fc.nat(20)), { maxLength: 4 }), fc.option(fc.nat(300)), (cidr, ranges, gatewayAt) => {
        const { size, base, family } = oracleFor(cidr, undefined, []);
        const clip = (v: number): bigint => BigInt(v) % size;
        const reserved = ranges.map(([start, length]) => [clip(start), clip(start) + BigInt(length) >= size ? size - 1n : clip(start) + BigInt(length)] as const);
        const gateway = gatewayAt === null ? undefined : clip(gatewayAt);
        const text = (offset: bigint) => (family === 4 ? ipv4(base + offset) : `fd00::${(base + offset - (base >> 8n << 8n)).toString(16)}`);
        const network = compiled({
          cidr,
          ...(gateway === undefined ? {} : { gateway: text(gateway) }),
          reserved: reserved.map(([a, b]) => `${text(a)}-${text(b)}`),
        });
        const oracle = oracleFor(cidr, gateway, reserved);
        assert.equal(network.capacity, usableCount(oracle));
        for (let offset = 0n; offset < size; offset++) {
          let expected: bigint | undefined = offset;
          while (expected !== undefined && !isUsableOffset(oracle, expected)) expected = expected + 1n < size ? expected + 1n : undefined;
          assert.equal(nextUsableOffset(network, offset), expected);
        }
      }),
      { numRuns: 150 },
    );
  });
});

const ipv4 = (value: bigint): string => [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');

describe('compileNetworks', () => {
  it('rejects two overlapping networks, naming both', () => {
    const { issues } = compileNetworks([
      { name: 'wg0', kind: 'wireguard', cidr: '10.8.0.0/24' },
      { name: 'lan', kind: 'lan', cidr: '10.0.0.0/8' },
      { name: 'v6', kind: 'lan', cidr: 'fd00::/64' },
    ]);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.index, 1);
    assert.match(issues[0]?.message ?? '', /"lan" \(10\.0\.0\.0\/8\) overlaps network "wg0" \(10\.8\.0\.0\/24\)/);
  });

  it('rejects a name used twice', () => {
    const { issues, networks } = compileNetworks([
      { name: 'wg0', kind: 'wireguard', cidr: '10.8.0.0/24' },
      { name: 'wg0', kind: 'wireguard', cidr: '10.9.0.0/24' },
    ]);
    assert.deepEqual(issues.map((i) => [i.index, i.field]), [[1, 'name']]);
    assert.equal(networks.length, 2, 'each compiles on its own');
    assert.throws(() => networkCatalog(networks), { name: 'RegistryError', code: 'config_invalid' });
  });

  it('compiles each definition once into the networks the catalog takes as they are', () => {
    const { issues, networks } = compileNetworks([{ name: 'wg0', kind: 'wireguard', cidr: '10.8.0.0/24', gateway: '::ffff:10.8.0.1' }]);
    assert.deepEqual(issues, []);
    const catalog = networkCatalog(networks);
    assert.equal(catalog.require('wg0'), networks[0]);
    assert.equal(networkCatalog(networks), catalog, 'one catalog per list');
    assert.equal(reasonFor(catalog.require('wg0'), '10.8.0.1'), 'gateway', 'an IPv4-mapped gateway is the IPv4 address');
  });
});
