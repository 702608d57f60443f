import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keysNeedingRestart } from '../../src/config/index.js';
import { parseText, refusalOf } from './support.js';

const parse = parseText;
const refusal = refusalOf;

describe('configuration - [dns]', () => {
  it('is off by default, on port 8600 in domain registry., answers uncached, 1,000 queries a second per source', () => {
    assert.deepEqual(parse('').dns, {
      enabled: false,
      port: 8600,
      domain: 'registry.',
      ttl: 0,
      negativeTtl: 0,
      txtMetadata: false,
      rateLimit: 1_000,
      rateBurst: 2_000,
    });
  });

  it('reads every key; the domain is kept lowercase with its trailing dot, the negative TTL follows the TTL unless set', () => {
    const dns = parse('[dns]\nenabled = true\nport = 0\ndomain = "SD.Example.Internal"\nttl = 30\ntxt_metadata = true\nrate_limit = 50\n').dns;
    assert.deepEqual(dns, { enabled: true, port: 0, domain: 'sd.example.internal.', ttl: 30, negativeTtl: 30, txtMetadata: true, rateLimit: 50, rateBurst: 100 });
    assert.equal(parse('[dns]\nttl = 30\nnegative_ttl = 5\nrate_burst = 7\n').dns.negativeTtl, 5);
    assert.equal(parse('[dns]\nrate_burst = 7\n').dns.rateBurst, 7);
  });

  it('refuses a domain that is not one, naming the key and its line', () => {
    for (const domain of ['', '.', 'a..b', 'under_score', '-lead.example', 'a b']) {
      const error = refusal(`[dns]\nenabled = true\ndomain = ${JSON.stringify(domain)}\n`);
      assert.equal(error.issues[0]?.path, 'dns.domain', domain);
      assert.equal(error.issues[0]?.line, 3, domain);
    }
  });

  it('refuses ports, TTLs and rates out of range and unknown keys', () => {
    assert.equal(refusal('[dns]\nport = 70000\n').issues[0]?.path, 'dns.port');
    assert.equal(refusal('[dns]\nttl = -1\n').issues[0]?.path, 'dns.ttl');
    assert.equal(refusal('[dns]\nrate_limit = 0\n').issues[0]?.path, 'dns.rate_limit');
    const unknown = refusal('[dns]\nrecursion = true\n');
    assert.deepEqual([unknown.issues[0]?.path, unknown.issues[0]?.line], ['dns.recursion', 2]);
    assert.match(unknown.reason, /unknown key \(known: enabled, port, domain, ttl, negative_ttl, txt_metadata, rate_limit, rate_burst\)/);
  });

  it('names [dns] settings as needing a restart when a reload changes them', () => {
    assert.deepEqual(keysNeedingRestart(parse(''), parse('[dns]\nenabled = true\nport = 53\n')), ['dns.enabled', 'dns.port']);
  });
});
