import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDefinition, checkDefinitionList } from '../../src/health/index.js';
import { HOST_RULE } from '../../src/domain/index.js';

/** The `path: message` of every issue, for a declaration that must be refused. */
function problems(input: unknown): string[] {
  const parsed = checkDefinition.safeParse(input);
  assert.equal(parsed.success, false, 'refused');
  return parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
}

describe('checkDefinition', () => {
  it('fills Consul-like defaults, with three failures before critical and a timeout within the interval', () => {
    const check = checkDefinition.parse({ name: 'web', kind: 'http', url: 'http://10.0.0.5:8080/health' });
    assert.deepEqual(check, {
      name: 'web',
      kind: 'http',
      url: 'http://10.0.0.5:8080/health',
      intervalMs: 10_000,
      timeoutMs: 5_000,
      successBeforePassing: 1,
      failuresBeforeWarning: 3,
      failuresBeforeCritical: 3,
      initialStatus: 'critical',
    });
    assert.equal(checkDefinition.parse({ name: 'fast', kind: 'tcp', host: 'db.internal', port: 5432, interval: '2s' }).timeoutMs, 2_000);
  });

  it('reads durations as seconds or text, with no one-minute floor on deregister_critical_after', () => {
    const check = checkDefinition.parse({ name: 'hb', kind: 'ttl', ttl: '30s', timeout: '250ms', interval: 1.5, deregister_critical_after: '1s' });
    assert.deepEqual([check.intervalMs, check.timeoutMs, check.deregisterCriticalAfterMs], [1_500, 250, 1_000]);
    assert.equal(checkDefinition.parse({ name: 'hb', kind: 'ttl', ttl: 5 }).intervalMs, 5_000, 'a TTL is looked at as often as it could run out');
  });

  it('names each bad field and why', () => {
    assert.deepEqual(problems({ name: 'web', kind: 'http', url: 'https://10.0.0.5/', interval: '500ms' }), [
      'interval: must be from 1s to 24h',
    ]);
    assert.deepEqual(problems({ name: 'web', kind: 'https', url: 'http://10.0.0.5/' }), ['url: must start with https:// for a https check']);
    assert.deepEqual(problems({ name: 'web', kind: 'http', url: 'http://user:secret@10.0.0.5/' }), ['url: must hold no credentials (every reader would see them)']);
    assert.deepEqual(problems({ name: 'web', kind: 'http', url: 'http://10.0.0.5/', interval: 2, timeout: 3 }), ['timeout: must be at most the interval, so runs cannot pile up']);
    assert.deepEqual(problems({ name: 'web', kind: 'tcp', host: '10.0.0.5', port: 1, failures_before_warning: 4 }), ['failures_before_warning: must be at most failures_before_critical']);
    assert.deepEqual(problems({ name: 'ttl', kind: 'ttl', ttl: 10 }), ['name: "ttl" is the service\'s own TTL; choose another name']);
    assert.deepEqual(problems({ name: 'db', kind: 'tcp', host: 'bad host;rm', port: 1 }), [`host: ${HOST_RULE}`]);
    assert.deepEqual(problems({ name: 'web', kind: 'tcp', host: '10.0.0.5', port: 1, url: 'http://x/' }), [': Unrecognized key: "url"']);
    assert.match(problems({ name: 'web', kind: 'gopher' })[0] ?? '', /^kind: /);
    assert.deepEqual(problems({ name: 'web', kind: 'http', url: 'http://10.0.0.5/', deregister_critical_after: '10 minutes' }), [
      'deregister_critical_after: must be seconds or a duration such as "500ms", "10s", "2m" or "1h"',
    ]);
  });

  it('takes null for an absent field, as Plexus clients send it', () => {
    const check = checkDefinition.parse({ name: 'hub', kind: 'ws', url: 'ws://127.0.0.1:4444', rpc_method: null, ca: null, interval: null });
    assert.deepEqual([check.kind, check.intervalMs, 'rpcMethod' in check], ['ws', 10_000, false]);
  });

  it('refuses two checks of one name in a list', () => {
    const twice = [{ name: 'a', kind: 'tcp', host: '10.0.0.1', port: 1 }, { name: 'a', kind: 'tcp', host: '10.0.0.1', port: 2 }];
    assert.equal(checkDefinitionList.safeParse(twice).success, false);
  });
});
