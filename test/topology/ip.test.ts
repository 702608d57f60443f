import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrContains, normaliseAddress, parseCidr, parseIp } from '../../src/topology/index.js';

describe('ip', () => {
  it('parses IPv6 with a zone, an IPv4 tail and compressed groups', () => {
    assert.equal(normaliseAddress('fe80::1%eth0'), 'fe80::1');
    assert.equal(normaliseAddress('64:ff9b::192.0.2.33'), '64:ff9b::c000:221');
    assert.equal(normaliseAddress('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(normaliseAddress('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(normaliseAddress('::'), '::');
    assert.equal(normaliseAddress('1:0:0:2:0:0:0:3'), '1:0:0:2::3');
  });

  it('rejects text that is not an address or a block', () => {
    assert.equal(parseIp('10.0.0.256'), undefined);
    assert.equal(parseIp('host.example'), undefined);
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(parseCidr('10.0.0.0/x'), undefined);
    assert.equal(parseCidr('fd00::/129'), undefined);
  });

  it('clears host bits and tests membership per family', () => {
    const block = parseCidr('10.231.1.77/24');
    assert.equal(block?.text, '10.231.1.0/24');
    assert.ok(block !== undefined && cidrContains(block, '10.231.1.2'));
    assert.ok(block !== undefined && !cidrContains(block, '10.231.2.2'));
    assert.ok(block !== undefined && cidrContains(block, '::ffff:10.231.1.9'), 'a mapped address is its IPv4 address');
    const v6 = parseCidr('fd00:1::/32');
    assert.ok(v6 !== undefined && cidrContains(v6, 'fd00:1:ffff::1'));
    assert.ok(v6 !== undefined && !cidrContains(v6, '10.0.0.1'));
    assert.equal(parseCidr('192.0.2.5')?.text, '192.0.2.5/32', 'a bare address is a single-address block');
  });
});
