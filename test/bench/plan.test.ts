/** bench/plan.ts: which registry a run starts, and the durations the full run keeps. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planFrom } from '../../bench/plan.js';

describe('bench planFrom', () => {
  it('runs the compiled server in the full run and the fresh build in the quick run', () => {
    assert.equal(planFrom([]).build, 'dist');
    assert.equal(planFrom(['--quick']).build, 'fresh');
    assert.equal(planFrom(['--quick', '--build', 'src']).build, 'src');
  });

  it('rejects a build it does not know, naming the choices', () => {
    assert.throws(() => planFrom(['--build', 'compiled']), /--build must be src, dist or fresh, not 'compiled'/);
  });

  it('keeps the full run at its sizes and durations', () => {
    const full = planFrom([]);
    assert.deepEqual(
      { warmupMs: full.warmupMs, durationMs: full.durationMs, fanout: full.fanout, fanoutWide: full.fanoutWide, scaleLoad: full.scaleLoad, health: full.health },
      {
        warmupMs: 1_000,
        durationMs: 10_000,
        fanout: { subscribers: 1_000, ratePerSecond: 100, durationMs: 20_000, graceMs: 15_000 },
        fanoutWide: { subscribers: 10_000, ratePerSecond: 10, durationMs: 20_000, graceMs: 15_000 },
        scaleLoad: { warmupMs: 1_000, durationMs: 5_000 },
        health: { checks: 10_000, intervalMs: 10_000, windowIntervals: 2 },
      },
    );
  });
});
