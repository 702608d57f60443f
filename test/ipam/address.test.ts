import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalIp, compareAddresses, formatIp, parseIp } from '../../src/ipam/index.js';

const anyAddress = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((value) => ({ family: 4 as const, value })),
  fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map((value) => ({ family: 6 as const, value })),
);

describe('parseIp and formatIp', () => {
  it('reads what node:net accepts as an IPv6 address and writes it back to the same value', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        const parsed = parseIp(text);
        assert.ok(parsed, `${text} did not parse`);
        assert.equal(isIP(formatIp(parsed)), 6);
        assert.deepEqual(parseIp(formatIp(parsed)), parsed);
        // The WHATWG URL parser writes IPv6 hosts the RFC 5952 way: an independent reference.
        assert.equal(`[${formatIp(parsed)}]`, new URL(`http://[${text}]/`).hostname);
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

  it('writes IPv6 as RFC 5952 says: lowercase, the longest zero run compressed, the first on a tie', () => {
    assert.equal(canonicalIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(canonicalIp('::'), '::');
    assert.equal(canonicalIp('::ffff:10.0.0.1'), '::ffff:a00:1');
    assert.equal(canonicalIp('fd00::'), 'fd00::');
  });

  it('refuses text that is not an address, leading zeros in IPv4 and zone ids included', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '010.0.0.1', '1.2.3.-1', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'g::1', '12345::', '[::1]']) {
      assert.equal(parseIp(bad), undefined, bad);
    }
  });

  it('orders IPv4 before IPv6 and each numerically', () => {
    const sorted = ['fd00::2', '10.0.0.10', 'fd00::1', '10.0.0.9'].sort(compareAddresses);
    assert.deepEqual(sorted, ['10.0.0.9', '10.0.0.10', 'fd00::1', 'fd00::2']);
  });
});
