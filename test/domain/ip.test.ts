import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canonicalIp,
  cidrContains,
  compareAddresses,
  formatIp,
  type IpAddress,
  isLinkLocal,
  normaliseAddress,
  parseBlock,
  parseCidr,
  parseIp,
  zoneOf,
} from '../../src/domain/index.js';

const MAPPED_BASE = 0xffffn << 32n;
const inMappedBlock = (value: bigint): boolean => value >> 32n === 0xffffn;

const ipv4Value = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n });
const anyAddress = fc.oneof(
  ipv4Value.map((value): IpAddress => ({ family: 4, value })),
  fc
    .bigInt({ min: 0n, max: 2n ** 128n - 1n })
    .filter((value) => !inMappedBlock(value))
    .map((value): IpAddress => ({ family: 6, value })),
);

const dotted = (value: bigint): string => [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');

const ip = (text: string): IpAddress => {
  const parsed = parseIp(text);
  assert.ok(parsed, `${text} did not parse`);
  return parsed;
};

describe('parseIp and formatIp', () => {
  it('reads what node:net accepts as an IPv6 address and writes it back to the same value', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const parsed = ip(text);
        assert.equal(isIP(formatIp(parsed)), parsed.family);
        assert.deepEqual(parseIp(formatIp(parsed)), parsed);
        // The WHATWG URL parser writes IPv6 hosts the RFC 5952 way: an independent reference.
        if (parsed.family === 6) assert.equal(`[${formatIp(parsed)}]`, new URL(`http://[${text}]/`).hostname);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every IPv4 and IPv6 value through canonical text', () => {
    fc.assert(
      fc.property(anyAddress, (address) => {
        const text = formatIp(address);
        assert.equal(isIP(text), address.family);
        assert.deepEqual(parseIp(text), address);
      }),
      { numRuns: 500 },
    );
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address it carries, in every spelling', () => {
    fc.assert(
      fc.property(ipv4Value, (value) => {
        const expected: IpAddress = { family: 4, value };
        assert.deepEqual(parseIp(`::ffff:${dotted(value)}`), expected);
        assert.deepEqual(parseIp(`0:0:0:0:0:FFFF:${dotted(value)}`), expected);
        assert.equal(formatIp({ family: 6, value: MAPPED_BASE + value }), dotted(value));
        assert.equal(canonicalIp(`::ffff:${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`), dotted(value));
      }),
      { numRuns: 300 },
    );
    assert.equal(canonicalIp('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(canonicalIp('::ffff:a00:1'), '10.0.0.1');
    assert.equal(normaliseAddress('::ffff:10.1.2.3'), '10.1.2.3');
  });

  it('keeps the IPv4-compatible and NAT64 forms IPv6: only ::ffff:0:0/96 carries IPv4', () => {
    assert.equal(canonicalIp('::10.0.0.1'), '::a00:1');
    assert.equal(canonicalIp('64:ff9b::192.0.2.33'), '64:ff9b::c000:221');
    assert.equal(canonicalIp('::fffe:10.0.0.1'), '::fffe:a00:1');
    assert.equal(canonicalIp('1::ffff:10.0.0.1'), '1::ffff:a00:1');
  });

  it('writes IPv6 as RFC 5952 says: lowercase, the longest zero run compressed, the first on a tie', () => {
    assert.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(canonicalIp('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
    assert.equal(canonicalIp('::'), '::');
    assert.equal(canonicalIp('fd00::'), 'fd00::');
  });

  it('refuses text that is not an address, leading zeros in IPv4 and zone ids included', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '10.0.0.256', '010.0.0.1', '1.2.3.-1', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'g::1', '12345::', '[::1]', 'host.example']) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  it('orders IPv4 before IPv6 and each numerically, a mapped address as IPv4', () => {
    const sorted = ['fd00::2', '10.0.0.10', 'fd00::1', '::ffff:10.0.0.9'].sort(compareAddresses);
    assert.deepEqual(sorted, ['::ffff:10.0.0.9', '10.0.0.10', 'fd00::1', 'fd00::2']);
  });
});

describe('normaliseAddress', () => {
  it('drops a zone and writes the canonical text; anything else stays as it is', () => {
    assert.equal(normaliseAddress('fe80::1%eth0'), 'fe80::1');
    assert.equal(normaliseAddress('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(normaliseAddress('10.1.2.3'), '10.1.2.3');
    assert.equal(normaliseAddress('host.example'), 'host.example');
  });
});

describe('parseCidr', () => {
  it('refuses a block whose address has host bits set, naming the block meant', () => {
    const result = parseCidr('10.8.0.5/24');
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.reason, /the network is 10\.8\.0\.0\/24/);
  });

  it('refuses a prefix longer than the family allows, and a missing prefix', () => {
    assert.equal(parseCidr('10.0.0.0/33').ok, false);
    assert.equal(parseCidr('fd00::/129').ok, false);
    assert.equal(parseCidr('10.0.0.0').ok, false);
    assert.equal(parseCidr('fd00::/64').ok, true);
  });

  it('reads an IPv4-mapped block as the IPv4 block it carries', () => {
    const mapped = parseCidr('::ffff:10.8.0.0/120');
    assert.equal(mapped.ok ? mapped.cidr.text : mapped.reason, '10.8.0.0/24');
    assert.equal(mapped.ok && mapped.cidr.family, 4);
    const wider = parseCidr('::ffff:10.8.0.0/80');
    assert.match(wider.ok ? '' : wider.reason, /host bits are set; the network is ::\/80/);
  });
});

describe('parseBlock and cidrContains', () => {
  it('rejects text that is not a block', () => {
    assert.equal(parseBlock('10.0.0.0/33'), undefined);
    assert.equal(parseBlock('10.0.0.0/x'), undefined);
    assert.equal(parseBlock('fd00::/129'), undefined);
    assert.equal(parseBlock('host.example'), undefined);
  });

  it('clears host bits, reads a bare address as a single-address block, and tests membership per family', () => {
    const block = parseBlock('10.231.1.77/24');
    assert.ok(block);
    assert.equal(block.text, '10.231.1.0/24');
    assert.ok(cidrContains(block, ip('10.231.1.2')));
    assert.ok(!cidrContains(block, ip('10.231.2.2')));
    assert.ok(cidrContains(block, ip('::ffff:10.231.1.9')), 'a mapped address is its IPv4 address');
    const v6 = parseBlock('fd00:1::/32');
    assert.ok(v6);
    assert.ok(cidrContains(v6, ip('fd00:1:ffff::1')));
    assert.ok(!cidrContains(v6, ip('10.0.0.1')));
    assert.equal(parseBlock('192.0.2.5')?.text, '192.0.2.5/32');
    assert.equal(parseBlock('::ffff:192.0.2.5')?.text, '192.0.2.5/32');
    assert.equal(parseBlock('fd00::5')?.text, 'fd00::5/128');
  });
});

describe('isLinkLocal and zoneOf', () => {
  it('tells link-local addresses of both families, zone or not, from the rest', () => {
    for (const text of ['fe80::1', 'FE80::1%eth0', 'febf::9', '169.254.10.1', '::ffff:169.254.0.1']) assert.equal(isLinkLocal(text), true, text);
    for (const text of ['fec0::1', 'fd00::1', '169.255.0.1', '10.0.0.1', 'localhost', '']) assert.equal(isLinkLocal(text), false, text);
  });

  it('reads the zone a socket names, and none when there is none', () => {
    assert.equal(zoneOf('fe80::1%vethab'), 'vethab');
    assert.equal(zoneOf('fe80::1'), undefined);
    assert.equal(zoneOf('fe80::1%'), undefined);
  });
});
