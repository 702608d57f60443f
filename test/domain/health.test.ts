import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CheckCounters,
  type CheckDefinition,
  checkShard,
  type CheckStatus,
  type CheckVerdict,
  declareChecks,
  deregistrationDue,
  durationMs,
  isActive,
  NO_COUNTS,
  observe,
  serviceHealth,
  worstStatus,
} from '../../src/domain/index.js';
import { makeService, T0 } from '../store/fixtures.js';

const thresholds = { successBeforePassing: 2, failuresBeforeWarning: 2, failuresBeforeCritical: 4 };

/** Feeds verdicts one by one from `status`, answering the status after each. */
function walk(status: CheckStatus, verdicts: readonly CheckVerdict[], limits = thresholds): CheckStatus[] {
  let counters: CheckCounters = NO_COUNTS;
  return verdicts.map((verdict) => {
    const next = observe(status, counters, verdict, limits);
    counters = next.counters;
    status = next.status;
    return status;
  });
}

const http = (name: string, url = 'http://127.0.0.1:1/'): CheckDefinition => ({
  name,
  kind: 'http',
  url,
  intervalMs: 10_000,
  timeoutMs: 5_000,
  successBeforePassing: 1,
  failuresBeforeWarning: 3,
  failuresBeforeCritical: 3,
  initialStatus: 'critical',
});

describe('observe', () => {
  it('moves passing → warning → critical at exactly the failure thresholds', () => {
    assert.deepEqual(walk('passing', ['fail', 'fail', 'fail', 'fail']), ['passing', 'warning', 'warning', 'critical']);
  });

  it('needs success_before_passing passes in a row to leave critical', () => {
    assert.deepEqual(walk('critical', ['pass', 'fail', 'pass', 'pass']), ['critical', 'critical', 'critical', 'passing']);
  });

  it('does not flap: failures below the threshold, broken by a pass, change nothing', () => {
    assert.deepEqual(walk('passing', ['fail', 'pass', 'fail', 'pass', 'fail']), ['passing', 'passing', 'passing', 'passing', 'passing']);
  });

  it('takes warn results to warning, never to critical, and a warn breaks a run of fails', () => {
    assert.deepEqual(walk('passing', ['warn', 'warn', 'warn', 'warn', 'warn']), ['passing', 'warning', 'warning', 'warning', 'warning']);
    assert.deepEqual(walk('passing', ['fail', 'fail', 'fail', 'warn', 'fail']), ['passing', 'warning', 'warning', 'warning', 'warning']);
    assert.deepEqual(walk('critical', ['warn', 'warn']), ['critical', 'warning']);
  });

  it('goes straight from passing to critical when there is no warning stage', () => {
    assert.deepEqual(walk('passing', ['fail', 'fail'], { successBeforePassing: 1, failuresBeforeWarning: 2, failuresBeforeCritical: 2 }), ['passing', 'critical']);
  });
});

describe('health aggregation', () => {
  it('is the worst of the checks', () => {
    assert.equal(worstStatus([]), 'passing');
    assert.equal(worstStatus(['passing', 'warning', 'passing']), 'warning');
    assert.equal(worstStatus(['warning', 'critical', 'passing']), 'critical');
  });

  it('serves a service while its TTL is fine and no check is critical (a warning still serves)', () => {
    const base = makeService('svc', { ttlSeconds: 30 });
    const [a, b] = declareChecks(undefined, [http('a'), http('b')], T0);
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(isActive({ ...base, checks: [{ ...a, status: 'passing' }, { ...b, status: 'warning' }] }, T0), true);
    assert.equal(isActive({ ...base, checks: [{ ...a, status: 'passing' }, b] }, T0), false);
    assert.equal(isActive({ ...base, checks: [] }, T0 + 31_000), false, 'the TTL ran out');
    const health = serviceHealth({ ...base, checks: [{ ...a, status: 'passing' }, { ...b, output: 'down' }] }, T0);
    assert.equal(health?.status, 'critical');
    assert.equal(health?.message, 'b: down');
  });
});

describe('declareChecks', () => {
  it('keeps the status of an unchanged check and starts a changed or new one over', () => {
    const [first] = declareChecks(undefined, [http('a')], T0);
    assert.ok(first !== undefined);
    const standing = [{ ...first, status: 'passing' as const, output: 'fine', since: T0 + 5 }];
    assert.deepEqual(declareChecks(standing, [http('a')], T0 + 10), standing);
    const [changed, added] = declareChecks(standing, [http('a', 'http://127.0.0.1:2/'), http('b')], T0 + 10);
    assert.deepEqual([changed?.status, changed?.since, added?.status], ['critical', T0 + 10, 'critical']);
  });
});

describe('deregistrationDue', () => {
  it('is due once a check has been critical for deregister_critical_after, and never without one', () => {
    const [check] = declareChecks(undefined, [{ ...http('a'), deregisterCriticalAfterMs: 1_000 }], T0);
    assert.ok(check !== undefined);
    assert.equal(deregistrationDue(check, T0 + 999), false);
    assert.equal(deregistrationDue(check, T0 + 1_000), true);
    assert.equal(deregistrationDue({ ...check, status: 'warning' }, T0 + 5_000), false);
    const { deregisterCriticalAfterMs: _none, ...forever } = check;
    assert.equal(deregistrationDue(forever, T0 + 10_000_000), false);
  });
});

describe('checkShard and durationMs', () => {
  it('puts a check in the same shard on every server, spread over all shards', () => {
    assert.equal(checkShard('api', 'http', 64), checkShard('api', 'http', 64));
    const used = new Set(Array.from({ length: 1_000 }, (_, i) => checkShard(`svc-${i}`, 'http', 64)));
    assert.equal(used.size, 64);
  });

  it('reads seconds and duration text as milliseconds', () => {
    assert.deepEqual(['1.5', '500ms', '10s', '2m', '1h'].map((t) => durationMs(/^\d+(\.\d+)?$/.test(t) ? Number(t) : t)), [1_500, 500, 10_000, 120_000, 3_600_000]);
    assert.equal(durationMs('10 seconds'), undefined);
    assert.equal(durationMs(-1), undefined);
  });
});

